"""``run_checks``: every compliance check over one report, as a flat list of findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.checks.config import CheckConfig, load_check_config
from assistant.checks.context import CheckContext
from assistant.checks.judgement import check_answers, check_model_judgement
from assistant.checks.market import (
    build_subjects,
    check_core_views_in_body,
    check_cross_section,
    check_tables,
)
from assistant.checks.outline import check_view_slots
from assistant.checks.policy import (
    check_disclosures,
    check_hedges,
    check_instructions_in_text,
    check_rating,
    check_wording,
)
from assistant.checks.sources import (
    check_citations,
    check_failed_sections,
    check_hygiene,
    check_publishers,
    check_source_kinds,
    check_window,
)
from assistant.checks.support import check_support, check_uncited
from assistant.models import Finding, NewsItem, Report, Table, TableSet

if TYPE_CHECKING:
    from assistant.pack.model import MarketPack

__all__ = ["SEVERITY_ORDER", "blocking", "run_checks"]

SEVERITY_ORDER = {"blocking": 0, "warning": 1, "info": 2}


def _market_data(report: Report, pack: MarketPack | None,
                 tables: TableSet | None) -> tuple[list[Table], dict[str, str]]:
    """Prefer an explicit TableSet, then tables recomputed from the pack, then the report's own tables."""
    if tables is None and pack is not None:
        from assistant.tables import compute_tables  # imported late: the tables stage pulls in pandas work

        tables = compute_tables(pack)
    if tables is not None:
        return list(tables.tables), dict(tables.facts)
    return list(report.tables), {}


def run_checks(report: Report, items: dict[str, NewsItem], *, pack: MarketPack | None = None,
               tables: TableSet | None = None, config: CheckConfig | None = None) -> list[Finding]:
    """Run every check; findings are ordered by section (report order), then severity."""
    cfg = config if config is not None else load_check_config()
    table_list, facts = _market_data(report, pack, tables)
    ctx = CheckContext.build(report, items, cfg, tables=table_list, facts=facts, pack=pack)
    subjects = build_subjects(table_list, facts)
    checks: list[Callable[[], list[Finding]]] = [
        lambda: check_failed_sections(ctx),
        lambda: check_citations(ctx),
        lambda: check_support(ctx),
        lambda: check_uncited(ctx, subjects),
        lambda: check_tables(ctx, subjects),
        lambda: check_window(ctx),
        lambda: check_disclosures(ctx),
        lambda: check_wording(ctx),
        lambda: check_instructions_in_text(ctx),
        lambda: check_hedges(ctx),
        lambda: check_rating(ctx),
        lambda: check_cross_section(ctx, subjects),
        lambda: check_core_views_in_body(ctx, subjects),
        lambda: check_publishers(ctx),
        lambda: check_source_kinds(ctx),
        lambda: check_hygiene(ctx),
        lambda: check_model_judgement(ctx),
        lambda: check_answers(ctx),
        lambda: check_view_slots(ctx),
    ]
    findings = [f for check in checks for f in check()]
    order = {s.id: i for i, s in enumerate(report.sections)}
    return sorted(findings, key=lambda f: (order.get(f.section, len(order)), SEVERITY_ORDER[f.severity]))


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "blocking" and not f.ok]
