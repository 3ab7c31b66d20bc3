"""Each drafting stage's output persisted under ``out_dir/stages/`` (JSON), so a re-run redoes only what is missing.

Layout: ``meta.json`` (run inputs), ``tables.json`` (TableSet), ``retrieval/<section>.json``,
``drafts/<section>.json`` (section-local ``[n]`` numbering), ``sources.json`` (report-global markers).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError

from assistant.drafting.inputs import RetrievalRecord
from assistant.errors import DraftingError
from assistant.models import SectionDraft, SourceRef, TableSet

__all__ = ["RunMeta", "StageStore"]

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


def _atomic_write(path: Path, text: str) -> None:
    # Write-then-rename: a crash mid-write leaves the previous stage file, never half a JSON document.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)  # mkstemp creates 0600; the review UI may run as another process
    os.replace(tmp, path)


class StageStore:
    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir) / "stages"

    def _write(self, relative: str, model: BaseModel) -> Path:
        path = self.root / relative
        _atomic_write(path, model.model_dump_json(indent=1))
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

    def save_retrieval(self, record: RetrievalRecord) -> Path:
        return self._write(f"retrieval/{record.section}.json", record)

    def load_retrieval(self, section: str) -> RetrievalRecord | None:
        return self._read(f"retrieval/{section}.json", RetrievalRecord)

    def save_draft(self, draft: SectionDraft) -> Path:
        return self._write(f"drafts/{draft.id}.json", draft)

    def load_draft(self, section: str) -> SectionDraft | None:
        return self._read(f"drafts/{section}.json", SectionDraft)

    def save_sources(self, sources: list[SourceRef]) -> Path:
        path = self.root / "sources.json"
        _atomic_write(path, json.dumps([s.model_dump(mode="json") for s in sources], ensure_ascii=False, indent=1))
        return path

    def load_sources(self) -> list[SourceRef]:
        path = self.root / "sources.json"
        if not path.is_file():
            return []
        return [SourceRef.model_validate(s) for s in json.loads(path.read_text(encoding="utf-8"))]
