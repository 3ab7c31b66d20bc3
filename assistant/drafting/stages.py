"""Each drafting stage's output persisted under ``out_dir/stages/`` (JSON), so a re-run redoes only what is missing.

Layout: ``meta.json`` (run inputs), ``tables.json`` (TableSet), ``retrieval/<section>.json``,
``drafts/<section>.json`` (section-local ``[n]`` numbering), ``sources.json`` (report-global markers).

A section's draft and its retrieval record are one unit: both files are written, then ``units/<section>.json``
(their sha256) last. A re-run reuses a section only when its unit manifest is present and both hashes match; a
process killed between the two files (a draft without the record its ``[n]`` refer to) is redrafted, never
reused with its citations stripped. Temporary files a killed run left behind are removed by ``clean_temp``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError

from assistant.atomic import atomic_write_text
from assistant.drafting.inputs import RetrievalRecord
from assistant.errors import DraftingError
from assistant.models import SectionDraft, SourceRef, TableSet

__all__ = ["RunMeta", "SectionUnit", "StageStore", "clean_temp_files"]

M = TypeVar("M", bound=BaseModel)


class RunMeta(BaseModel):
    month: str
    template_id: str
    template_hash: str
    engine: str
    pack_dir: str = ""
    corpus_path: str = ""
    pack_hash: str = ""
    corpus_hash: str = ""
    store_dir: str = ""
    values: dict[str, str] = Field(default_factory=dict)
    report_fields: dict[str, object] = Field(default_factory=dict)


class SectionUnit(BaseModel):
    """The manifest of one section's persisted unit: sha256 of the draft file and of its retrieval record."""

    section: str
    draft_sha256: str
    retrieval_sha256: str | None = None


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def clean_temp_files(folder: Path) -> list[Path]:
    """Remove the ``.<name>.*.tmp`` files a killed run left under ``folder``; returns what was removed."""
    removed = []
    for path in Path(folder).rglob(".*.tmp"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


class StageStore:
    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir) / "stages"

    def _write(self, relative: str, model: BaseModel) -> Path:
        path = self.root / relative
        atomic_write_text(path, model.model_dump_json(indent=1))
        return path

    def _read(self, relative: str, cls: type[M]) -> M | None:
        path = self.root / relative
        if not path.is_file():
            return None
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise DraftingError(f"阶段文件 {path} 无效: {exc.errors()[0]['msg']}") from exc

    def save_meta(self, meta: RunMeta) -> Path:
        return self._write("meta.json", meta)

    def load_meta(self) -> RunMeta | None:
        return self._read("meta.json", RunMeta)

    def save_tables(self, tables: TableSet) -> Path:
        return self._write("tables.json", tables)

    def load_tables(self) -> TableSet | None:
        return self._read("tables.json", TableSet)

    def save_section(self, draft: SectionDraft, record: RetrievalRecord | None = None) -> Path:
        """Persist a section's draft and retrieval record as one unit; the manifest is written last."""
        record_hash = None
        if record is not None and record.section:
            record_hash = _sha256(self._write(f"retrieval/{draft.id}.json", record))
        else:
            (self.root / "retrieval" / f"{draft.id}.json").unlink(missing_ok=True)
        draft_hash = _sha256(self._write(f"drafts/{draft.id}.json", draft)) or ""
        unit = SectionUnit(section=draft.id, draft_sha256=draft_hash, retrieval_sha256=record_hash)
        return self._write(f"units/{draft.id}.json", unit)

    def _unit(self, section: str) -> SectionUnit | None:
        """The section's manifest if the files it names are exactly the ones on disk, else None."""
        try:
            unit = self._read(f"units/{section}.json", SectionUnit)
        except DraftingError:
            return None  # a torn or foreign manifest is an incomplete unit, redrafted
        if unit is None or _sha256(self.root / "drafts" / f"{section}.json") != unit.draft_sha256:
            return None
        if unit.retrieval_sha256 is not None and \
                _sha256(self.root / "retrieval" / f"{section}.json") != unit.retrieval_sha256:
            return None
        return unit

    def save_retrieval(self, record: RetrievalRecord) -> Path:
        """A record on its own (no draft yet): it is reused only together with a verified unit."""
        return self._write(f"retrieval/{record.section}.json", record)

    def load_retrieval(self, section: str) -> RetrievalRecord | None:
        unit = self._unit(section)
        if unit is None or unit.retrieval_sha256 is None:
            return None
        return self._read(f"retrieval/{section}.json", RetrievalRecord)

    def save_draft(self, draft: SectionDraft) -> Path:
        """A draft without a retrieval record (static sections); same unit rules as ``save_section``."""
        return self.save_section(draft, None)

    def load_draft(self, section: str) -> SectionDraft | None:
        if self._unit(section) is None:
            return None
        return self._read(f"drafts/{section}.json", SectionDraft)

    def clean_temp(self) -> list[Path]:
        return clean_temp_files(self.root.parent)

    def save_sources(self, sources: list[SourceRef]) -> Path:
        path = self.root / "sources.json"
        atomic_write_text(path, json.dumps([s.model_dump(mode="json") for s in sources], ensure_ascii=False, indent=1))
        return path

    def load_sources(self) -> list[SourceRef]:
        path = self.root / "sources.json"
        if not path.is_file():
            return []
        return [SourceRef.model_validate(s) for s in json.loads(path.read_text(encoding="utf-8"))]
