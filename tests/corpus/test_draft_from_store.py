"""A folder as collected drafts with exit 0 (issue 21): ingested once (--skip-bad), then drafted from the store
without --corpus; nothing that may not be published reaches report.md."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from raw_inputs import maker

from assistant import SAMPLE_DIR
from assistant.cli import main

FORBIDDEN = ["远景证券", "算力需求持续旺盛", "专家电话会", "张三", "晨会纪要", "银河计算机团队", "来源待补",  # not citable
             "Microsoft Word", "新建", "— 1 —", "第 1 页", "编辑：", "往期推荐", "相关阅读", "证券研究报告｜"]  # junk, furniture


@pytest.mark.slow
def test_ingest_with_skip_bad_then_draft_from_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RA_ENGINE", "offline")
    folder = tmp_path / "七月资料"
    shutil.copytree(SAMPLE_DIR / "raw", folder)
    for sidecar in folder.glob("*.yaml"):
        sidecar.unlink()
    (folder / "scan.pdf").write_bytes(maker().scanned_pdf())
    store = tmp_path / "store"
    assert main(["draft", "--pack", str(SAMPLE_DIR / "pack"), "--store", str(store), "--out", str(tmp_path / "x")]) == 1
    assert "没有已导入的语料清单" in capsys.readouterr().err
    assert main(["ingest", "--corpus", str(folder), "--store", str(store), "--embedding", "hash", "--skip-bad"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("RA_EMBEDDING", "hash")
    out = tmp_path / "out"
    assert main(["draft", "--pack", str(SAMPLE_DIR / "pack"), "--store", str(store), "--out", str(out)]) == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    references = report.split("## 参考来源", 1)[1].split("\n## ", 1)[0]
    assert "国家互联网信息办公室" in references and "机器之心" in references and "36氪" in references
    assert [w for w in FORBIDDEN if w in report.replace("证券研究报告。", "")] == []


def test_draft_without_skip_bad_names_the_file_and_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RA_ENGINE", "offline")
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(maker().scanned_pdf())
    out = tmp_path / "out"
    assert main(["draft", "--pack", str(SAMPLE_DIR / "pack"), "--corpus", str(folder), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "scan.pdf" in err and "--skip-bad" in err and not out.exists()  # refused before anything was written
