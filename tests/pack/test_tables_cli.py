"""``python -m assistant tables``: bad input exits 1 and leaves --out untouched; results arrive all at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import assistant.cli.tables as tables_cli
from assistant.cli import main
from assistant.models import Chart, Table, TableSet
from assistant.pack import MarketPack

from .conftest import PackSpec


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _existing_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "T1.csv").write_text("old", encoding="utf-8")
    (out / "report.md").write_text("# 已审阅的草稿", encoding="utf-8")
    return out


def test_bad_pack_exits_1_and_leaves_out_untouched(spec: PackSpec, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec.tables["prices"][5]["close"] = "n/a?"
    root = spec.write(tmp_path / "pack")
    out = _existing_out(tmp_path)
    before = _snapshot(tmp_path / "out")
    assert main(["tables", "--pack", str(root), "--out", str(out)]) == 1
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pack"]  # no staging folder left behind
    err = "".join(capsys.readouterr().err.split())  # rich wraps long lines, even inside a long tmp path
    assert "prices.csv" in err and "第7行" in err and "close" in err


def test_bad_pack_does_not_create_out(spec: PackSpec, tmp_path: Path) -> None:
    root = spec.write(tmp_path / "pack")
    (root / "funds.csv").unlink()
    assert main(["tables", "--pack", str(root), "--out", str(tmp_path / "new" / "out")]) == 1
    assert not (tmp_path / "new").exists()


def _fake_tables(month: str) -> TableSet:
    table = Table(id="T1", key="top_movers", title="7 月份人工智能板块涨幅前十", columns=["股票代码"],
                  rows=[["688256.SH"]], source="资料来源：Wind")
    return TableSet(month=month, tables=[table])


def _fake_write(tableset: TableSet, out_dir: Path) -> None:
    (out_dir / "tables").mkdir()
    (out_dir / "tables" / "T1.csv").write_text("股票代码\n688256.SH\n", encoding="utf-8")
    (out_dir / "tables.json").write_text(tableset.model_dump_json(), encoding="utf-8")


def _fake_charts(pack: MarketPack, tableset: TableSet, out_dir: Path) -> list[Chart]:
    (out_dir / "charts").mkdir()
    (out_dir / "charts" / "F1.png").write_bytes(b"png")
    return [Chart(id="F1", title="7 月人工智能指数表现", path="charts/F1.png", source="资料来源：Wind")]


def test_results_replace_old_tables_and_keep_other_files(spec: PackSpec, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # The tables stage is another module's; fakes here pin only this command's staging and publishing.
    monkeypatch.setattr(tables_cli, "compute_tables", lambda pack: _fake_tables(pack.config.month))
    monkeypatch.setattr(tables_cli, "render_charts", _fake_charts)
    monkeypatch.setattr(tables_cli, "write_table_files", _fake_write)
    root = spec.write(tmp_path / "pack")
    out = _existing_out(tmp_path)
    assert main(["tables", "--pack", str(root), "--out", str(out)]) == 0
    files = _snapshot(out)
    assert files["tables/T1.csv"] == "股票代码\n688256.SH\n".encode()
    assert files["report.md"] == "# 已审阅的草稿".encode()  # not ours: kept
    assert files["charts/F1.png"] == b"png"
    assert TableSet.model_validate_json(files["tables.json"]).charts[0].id == "F1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pack"]


def test_failure_while_rendering_leaves_out_untouched(spec: PackSpec, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_charts(pack: MarketPack, tableset: TableSet, out_dir: Path) -> list[Chart]:
        (out_dir / "charts").mkdir()
        raise OSError("disk full")

    monkeypatch.setattr(tables_cli, "compute_tables", lambda pack: _fake_tables(pack.config.month))
    monkeypatch.setattr(tables_cli, "render_charts", broken_charts)
    root = spec.write(tmp_path / "pack")
    out = _existing_out(tmp_path)
    before = _snapshot(out)
    # the CLI names the problem in one line instead of a traceback (issue 22: full disk)
    assert main(["tables", "--pack", str(root), "--out", str(out)]) == 1
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pack"]


def test_out_that_is_a_file_is_refused(spec: PackSpec, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("keep", encoding="utf-8")
    assert main(["tables", "--pack", str(spec.write(tmp_path / "pack")), "--out", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == "keep"


def test_real_tables_from_a_chinese_gbk_pack(spec: PackSpec, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    english = spec.write(tmp_path / "en")
    chinese = spec.write(tmp_path / "zh", headers="zh", encoding="gbk", xlsx=("funds",))
    assert main(["tables", "--pack", str(english), "--out", str(tmp_path / "out_en")]) == 0
    assert main(["tables", "--pack", str(chinese), "--out", str(tmp_path / "out_zh")]) == 0
    printed = capsys.readouterr().out
    for stage in ("读取数据包", "计算表格", "绘制图表", "写入文件"):
        assert stage in printed
    out = tmp_path / "out_en"
    assert (out / "tables" / "T1_top_movers.csv").is_file()
    assert sorted(p.suffix for p in (out / "charts").iterdir()) == [".png", ".png"]
    tables = {t["id"]: t for t in json.loads((out / "tables.json").read_text(encoding="utf-8"))}
    # 寒武纪-U closed 190.00 on 2024-06-28 and 235.00 on 2024-07-31: +23.68%, the month's top mover.
    assert tables["T1"]["rows"][0][:2] == ["688256.SH", "寒武纪-U"]
    assert tables["T1"]["rows"][0][3] == "23.68%"
    # Same numbers whatever the headers, encoding or file format were.
    assert (tmp_path / "out_zh" / "tables.json").read_bytes() == (out / "tables.json").read_bytes()
