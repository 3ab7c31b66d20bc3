"""What every check reads: the report split into sentences, the cited items, the tables and the config."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.checks.config import CheckConfig
from assistant.checks.text import Sentence, split_sentences
from assistant.errors import CheckError
from assistant.models import Finding, NewsItem, Report, SourceRef, Table

if TYPE_CHECKING:
    from assistant.pack.model import MarketPack

__all__ = ["CheckContext", "finding", "month_window"]


def month_window(month: str) -> tuple[dt.date, dt.date]:
    """First and last calendar day of ``YYYY-MM``."""
    try:
        year, mon = (int(p) for p in month.split("-"))
        last = calendar.monthrange(year, mon)[1]
        return dt.date(year, mon, 1), dt.date(year, mon, last)
    except ValueError as exc:
        raise CheckError(f"report.json 字段 month 不是 YYYY-MM: {month!r}") from exc


@dataclass
class CheckContext:
    report: Report
    items: dict[str, NewsItem]
    config: CheckConfig
    tables: list[Table] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    pack: MarketPack | None = None
    sentences: dict[str, list[Sentence]] = field(default_factory=dict)
    sources: dict[int, SourceRef] = field(default_factory=dict)
    window: tuple[dt.date, dt.date] = (dt.date.min, dt.date.max)

    @classmethod
    def build(cls, report: Report, items: dict[str, NewsItem], config: CheckConfig, *,
              tables: list[Table], facts: dict[str, str], pack: MarketPack | None) -> CheckContext:
        sentences = {s.id: split_sentences(s.id, s.markdown) for s in report.sections}
        sources = {ref.marker: ref for ref in report.sources}
        return cls(report, items, config, tables, facts, pack, sentences, sources, month_window(report.month))

    def all_sentences(self) -> list[Sentence]:
        return [s for section in self.sentences.values() for s in section]

    def cited_items(self, sentence: Sentence) -> list[NewsItem]:
        found: list[NewsItem] = []
        for marker in sentence.markers:
            ref = self.sources.get(marker)
            item = self.items.get(ref.doc_id) if ref else None
            if item is not None and item not in found:
                found.append(item)
        return found

    def company_names(self) -> list[str]:
        """Security names of the computed tables and the pack's watchlists (as printed in the tables)."""
        names: list[str] = []
        for table in self.tables:
            for row in table.rows:
                if len(row) > 1 and row[1] and not row[1].replace(".", "").isdigit() and row[1] not in names:
                    names.append(row[1])
        return names


def finding(sentence: Sentence | None, kind: str, severity: str, detail: str, *, section: str = "",
            evidence: str = "", marker: int | None = None) -> Finding:
    return Finding(
        section=sentence.section if sentence else section,
        kind=kind,
        severity=severity,  # type: ignore[arg-type]
        detail=detail,
        sentence=sentence.text if sentence else "",
        evidence=evidence,
        marker=marker,
    )
