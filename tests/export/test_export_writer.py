"""write_report / load_report: the three files, report.json's contract fields, atomic writes, round trip."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import assistant.atomic as atomic
import assistant.export.writer as writer
from assistant.errors import ExportError
from assistant.export import load_report, render_markdown, write_report
from assistant.models import Report


def test_writes_the_three_files(report: Report, out_dir: Path) -> None:
    paths = write_report(report, out_dir)
    assert paths == {"md": out_dir / "report.md", "docx": out_dir / "report.docx", "json": out_dir / "report.json"}
    assert paths["md"].read_text(encoding="utf-8") == render_markdown(report)
    assert paths["docx"].read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in out_dir.iterdir()) == ["charts", "report.docx", "report.json", "report.md"]


def test_report_json_holds_the_contract_fields(report: Report, out_dir: Path) -> None:
    data = json.loads(write_report(report, out_dir)["json"].read_text(encoding="utf-8"))
    assert data["month"] == "2024-07" and data["engine"] == "offline"
    section = data["sections"][1]
    assert (section["id"], section["title"], section["tables"], section["status"]) == (
        "market_review", "一、市场行情回顾", ["T1", "T2"], "draft")
    assert section["provenance"]["template_id"] == "monthly_ai"
    assert data["sections"][2]["citations"] == [{"marker": 1, "doc_id": "d-policy"}]
    tables = {t["id"]: t for t in data["tables"]}
    assert tables["T3"]["title"] == "表 1：人工智能主题基金一览"
    assert tables["T1"]["title"] == "表 2：7 月份人工智能板块涨幅前十"
    assert tables["T1"]["rows"][0] == ["688256.SH", "寒武纪-U", "264.06", "32.91%", "33.21%"]
    assert tables["T1"]["source"] == "资料来源：Wind，中国银河证券研究院"
    assert [c["title"] for c in data["charts"]] == ["图 1：7 月人工智能指数表现", "图 2：7 月人工智能板块市场表现"]
    assert data["sources"][0] == {"marker": 1, "doc_id": "d-policy", "title": "五部门开展车路云一体化应用试点",
                                  "date": "2024-07-03", "source": "工业和信息化部",
                                  "url": "https://www.miit.gov.cn/a|b", "passage": "20个城市", "background": False}
    assert data["checks"][0]["kind"] == "table_mismatch"
    assert data["analysts"][0]["certificate"] == "S0130519070001"
    assert "\\u" not in write_report(report, out_dir)["json"].read_text(encoding="utf-8")  # readable Chinese


def test_round_trip(report: Report, out_dir: Path) -> None:
    write_report(report, out_dir)
    loaded = load_report(out_dir)
    assert loaded.tables[0].title == "表 2：7 月份人工智能板块涨幅前十"
    assert render_markdown(loaded) == render_markdown(report)
    expected = writer.numbered_report(report)
    assert loaded == expected
    # writing what was loaded changes nothing
    before = {p: p.read_bytes() for p in (out_dir / "report.md", out_dir / "report.json")}
    write_report(loaded, out_dir)
    assert {p: p.read_bytes() for p in before} == before


def test_a_failed_render_writes_nothing(report: Report, out_dir: Path) -> None:
    write_report(report, out_dir)
    old = {n: (out_dir / n).read_bytes() for n in ("report.md", "report.docx", "report.json")}
    report.sections[1].markdown = "改过的正文 {{chart:F1}}"
    (out_dir / "charts" / "F1_index_performance.png").unlink()
    with pytest.raises(ExportError):
        write_report(report, out_dir)
    assert {n: (out_dir / n).read_bytes() for n in old} == old


def test_a_crash_mid_write_keeps_the_old_file_and_leaves_no_temp(report: Report, out_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write_report(report, out_dir)
    old_md = (out_dir / "report.md").read_bytes()
    report.sections[0].markdown = "- 新的核心观点"
    real_replace = os.replace

    def crash_on_md(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).name == "report.md":
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", crash_on_md)
    with pytest.raises(OSError, match="disk full"):
        write_report(report, out_dir)
    assert (out_dir / "report.md").read_bytes() == old_md
    assert [p.name for p in out_dir.iterdir() if p.name.startswith(".")] == []


def test_load_report_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"report\.json") as info:
        load_report(tmp_path)
    assert info.value.file == str(tmp_path / "report.json")


def test_load_report_names_the_bad_field(report: Report, out_dir: Path) -> None:
    path = write_report(report, out_dir)["json"]
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sections"][2]["citations"][0]["marker"] = "三"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ExportError) as info:
        load_report(out_dir)
    assert info.value.field == "sections.2.citations.0.marker"


def test_load_report_truncated_json(out_dir: Path) -> None:
    (out_dir / "report.json").write_text('{"month": "2024-07", "engi', encoding="utf-8")
    with pytest.raises(ExportError, match=r"report\.json 无效"):
        load_report(out_dir)
