"""``python -m assistant check``: real files in a temporary output folder, exit status and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.models import Report, TableSet
from checks.defects import DEFECTS
from checks.sample import ITEMS, TABLESET, clean_report


def _write_corpus(path: Path) -> Path:
    lines = [json.dumps({"id": i.doc_id, "date": i.date.isoformat(), "title": i.title, "body": i.body,
                         "source": i.source, "category": i.category}, ensure_ascii=False) for i in ITEMS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_out(out: Path, report: Report, tables: TableSet | None = TABLESET) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(report.model_dump_json(indent=1), encoding="utf-8")
    if tables is not None:
        (out / "stages").mkdir(exist_ok=True)
        (out / "stages" / "tables.json").write_text(tables.model_dump_json(), encoding="utf-8")
    return out


def test_clean_report_exits_zero_and_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _write_corpus(tmp_path / "corpus.jsonl")
    out = _write_out(tmp_path / "out", clean_report())
    assert main(["check", str(out), "--corpus", str(corpus)]) == 0
    text = capsys.readouterr().out
    assert "instruction_like_in_corpus" in text and "阻断 0" in text


def test_blocking_finding_exits_one_and_json_lists_it(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _write_corpus(tmp_path / "corpus.jsonl")
    defect = next(d for d in DEFECTS if d.kind == "table_mismatch")
    out = _write_out(tmp_path / "out", defect.apply(clean_report()))
    assert main(["check", str(out), "--corpus", str(corpus), "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    kinds = {(f["kind"], f["severity"]) for f in findings}
    assert ("table_mismatch", "blocking") in kinds


def test_corpus_defaults_to_recorded_path_and_save_writes_checks(tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "corpus.jsonl")
    out = _write_out(tmp_path / "out", clean_report())
    (out / "stages" / "meta.json").write_text(json.dumps({"corpus_path": str(corpus)}), encoding="utf-8")
    assert main(["check", str(out), "--save"]) == 0
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [c["kind"] for c in saved["checks"]] == ["instruction_like_in_corpus"]
    assert saved["sections"][0]["id"] == "core_views"


def test_missing_report_and_missing_corpus_are_clear_errors(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nowhere")]) == 1
    assert "report.json" in capsys.readouterr().err.replace("\n", "")
    out = _write_out(tmp_path / "out", clean_report())
    assert main(["check", str(out)]) == 1
    assert "--corpus" in capsys.readouterr().err.replace("\n", "")
