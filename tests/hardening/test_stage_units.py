"""A section's draft and retrieval record are reused only as a verified unit (fast, in-process)."""

from __future__ import annotations

from pathlib import Path

from assistant.drafting.inputs import RetrievalRecord
from assistant.drafting.stages import StageStore
from assistant.models import SectionDraft


def _unit(tmp_path: Path) -> StageStore:
    store = StageStore(tmp_path)
    store.save_section(SectionDraft(id="llm", title="大模型", markdown="Llama 3.1 发布[1]。"),
                       RetrievalRecord(section="llm"))
    return store


def test_a_complete_unit_is_reused(tmp_path: Path) -> None:
    store = _unit(tmp_path)
    assert store.load_draft("llm") is not None
    assert store.load_retrieval("llm") is not None


def test_a_draft_without_its_manifest_is_not_reused(tmp_path: Path) -> None:
    store = _unit(tmp_path)
    (tmp_path / "stages" / "units" / "llm.json").unlink()  # killed before the manifest
    assert store.load_draft("llm") is None
    assert store.load_retrieval("llm") is None


def test_a_missing_or_changed_record_voids_the_unit(tmp_path: Path) -> None:
    store = _unit(tmp_path)
    record = tmp_path / "stages" / "retrieval" / "llm.json"
    record.write_text(record.read_text(encoding="utf-8").replace("llm", "llm "), encoding="utf-8")
    assert store.load_draft("llm") is None
    record.unlink()
    assert store.load_draft("llm") is None


def test_a_torn_manifest_voids_the_unit(tmp_path: Path) -> None:
    store = _unit(tmp_path)
    (tmp_path / "stages" / "units" / "llm.json").write_text("{\"sect", encoding="utf-8")
    assert store.load_draft("llm") is None


def test_temporary_files_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    store = _unit(tmp_path)
    leftovers = [tmp_path / "charts" / ".F2.png.abc.tmp", tmp_path / "stages" / "drafts" / ".llm.json.x.tmp"]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    assert sorted(store.clean_temp()) == sorted(leftovers)
    assert not any(p.exists() for p in leftovers)


def test_a_bad_corpus_writes_nothing_into_out(tmp_path: Path) -> None:
    import pytest

    from assistant import SAMPLE_DIR
    from assistant.drafting import draft_report
    from assistant.errors import CorpusError
    from assistant.settings import get_settings

    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "T1_top_movers.csv").write_text("previous run", encoding="utf-8")
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"date": "2024-07-05", "title": "x"\n', encoding="utf-8")
    with pytest.raises(CorpusError):
        draft_report(SAMPLE_DIR / "pack", corpus, out, get_settings(engine="offline", embedding="hash"))
    assert sorted(p.name for p in out.rglob("*")) == ["T1_top_movers.csv", "tables"]
    assert (out / "tables" / "T1_top_movers.csv").read_text(encoding="utf-8") == "previous run"
