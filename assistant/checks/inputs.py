"""The edge of the checks: read what a drafted output folder needs (report, corpus, pack, tables) and write
the findings back into ``report.json``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from assistant.errors import CheckError
from assistant.models import Finding, NewsItem, Report, TableSet

if TYPE_CHECKING:
    from assistant.pack.model import MarketPack

__all__ = ["CheckInputs", "load_check_inputs", "load_report_file", "save_findings"]


@dataclass
class CheckInputs:
    report: Report
    items: dict[str, NewsItem]
    pack: MarketPack | None
    tables: TableSet | None
    corpus_path: Path
    pack_dir: Path | None


def _validation_message(path: Path, exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    return f"文件 {path}, 字段 {field}: {err['msg']}"


def load_report_file(out_dir: Path) -> Report:
    """``report.json`` through the export stage when it is installed, else read directly with pydantic."""
    path = out_dir / "report.json"
    if not path.is_file():
        raise CheckError(f"文件 {path} 不存在：请先起草报告（draft）")
    try:
        from assistant.export import load_report
    except ImportError:
        load_report = None  # type: ignore[assignment]
    try:
        if load_report is not None:
            return load_report(out_dir)
        return Report.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise CheckError(_validation_message(path, exc)) from exc


def _stage_json(out_dir: Path, name: str) -> dict[str, Any]:
    path = out_dir / "stages" / name
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CheckError(f"文件 {path} 无法读取: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _resolve(explicit: Path | None, recorded: str, what: str, flag: str) -> Path | None:
    if explicit is not None:
        return explicit
    if recorded and Path(recorded).exists():
        return Path(recorded)
    if recorded:
        raise CheckError(f"报告记录的{what} {recorded} 不存在，请用 {flag} 指定")
    return None


def load_check_inputs(out_dir: Path, *, corpus: Path | None = None, pack: Path | None = None) -> CheckInputs:
    """Report, corpus items, pack and tables of an output folder; paths default to what the draft recorded."""
    report = load_report_file(out_dir)
    meta = _stage_json(out_dir, "meta.json")
    corpus_path = _resolve(corpus, str(meta.get("corpus_path", "")), "新闻语料", "--corpus")
    if corpus_path is None:
        raise CheckError(f"{out_dir} 中没有记录新闻语料路径，请用 --corpus 指定")
    from assistant.corpus import read_corpus

    items = {item.doc_id: item for item in read_corpus(corpus_path).items}
    pack_dir = _resolve(pack, str(meta.get("pack_dir", "")), "数据包", "--pack")
    market_pack = None
    if pack_dir is not None:
        from assistant.pack import load_pack

        market_pack = load_pack(pack_dir)
    tables = None
    if market_pack is None:
        stored = _stage_json(out_dir, "tables.json")
        tables = TableSet.model_validate(stored) if stored else None
    return CheckInputs(report, items, market_pack, tables, corpus_path, pack_dir)


def save_findings(out_dir: Path, findings: list[Finding]) -> Path:
    """Replace only the ``checks`` list of report.json, atomically; every other field is kept byte-for-byte."""
    path = out_dir / "report.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["checks"] = [f.model_dump(mode="json") for f in findings]
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".report.json.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, path)
    return path
