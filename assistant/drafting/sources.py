"""Inputs of the prompt step: the variables every prompt may use, and briefs of already drafted sections."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from assistant.drafting.citations import MARKER
from assistant.drafting.context import PackedContext, Source, format_sources
from assistant.drafting.inputs import SectionInputs
from assistant.engine.request import DepBrief
from assistant.models import SectionDraft, TableSet

__all__ = ["briefs_for", "lead_paragraph", "prompt_values"]

_NOT_PROSE = re.compile(r"^(#|\||表：|图：|资料来源|!\[)")


def lead_paragraph(markdown: str) -> str:
    """The first prose paragraph of a draft (headings, tables and source lines skipped; bullets unwrapped)."""
    for block in re.split(r"\n\s*\n", markdown):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not _NOT_PROSE.match(ln.strip())]
        if lines:
            return " ".join(ln.lstrip("-* ").strip() for ln in lines)
    return ""


def _renumber_into(text: str, draft: SectionDraft, packed: PackedContext, out: list[Source]) -> str:
    by_marker = {c.marker: c.doc_id for c in draft.citations}
    by_doc = {s.doc_id: s for s in packed.sources}
    numbers = {s.doc_id: s.number for s in out}

    def _sub(match: re.Match[str]) -> str:
        doc = by_marker.get(int(match.group(1)))
        if doc is None or doc not in by_doc:
            return ""
        if doc not in numbers:
            numbers[doc] = len(out) + 1
            out.append(by_doc[doc].model_copy(update={"number": numbers[doc]}))
        return f"[{numbers[doc]}]"

    return MARKER.sub(_sub, text)


def briefs_for(inputs: SectionInputs, base: PackedContext | None = None) -> tuple[PackedContext, list[DepBrief]]:
    """Leads of the sections this one depends on, their markers renumbered into this section's sources.

    ``base`` holds the section's own retrieved sources (numbered first); a brief citing one of them reuses its number.
    """
    sources: list[Source] = list(base.sources) if base is not None else []
    briefs = []
    for dep_id in inputs.spec.depends_on:
        dep = inputs.deps.get(dep_id)
        # Only answers that passed the answer check feed a summary: a hole must not become a thesis.
        # Drafts persisted before the check existed (None) and fixed sections are trusted as before.
        if dep is None or dep[0].status == "failed" or dep[0].answer_check not in (None, "passed"):
            continue
        draft, packed = dep
        lead = _renumber_into(lead_paragraph(draft.markdown), draft, packed, sources)
        label = inputs.template.section(dep_id).label or draft.title
        briefs.append(DepBrief(section=dep_id, label=label, lead=lead))
    return PackedContext(sources=sources, dropped=list(base.dropped) if base is not None else [],
                         tokens=base.tokens if base is not None else 0), briefs


# The cells market prose may cite, per table: (column, rows kept, sort by that column descending?). Whole tables
# cost ~16k tokens and a model cites a handful of cells; the tables themselves are attached by code.
MARKET_CELLS: dict[str, tuple[str, int, bool]] = {
    "T1": ("月涨跌幅", 5, False), "T2": ("月涨跌幅", 5, False), "T3": ("近1月回报(%)", 3, True),
    "T4": ("月涨跌幅(%)", 5, True), "T5": ("月涨跌幅(%)", 5, True),
}


def _number(cell: str) -> float:
    try:
        return float(cell.rstrip("%"))
    except ValueError:
        return float("-inf")


def _facts_listing(tables: TableSet, refs: list[str]) -> str:
    """The placeholders market prose may use: every printable fact, and the few cells per table it can cite."""
    # a blank fact cannot be printed, and a sign is for the code's 跑赢/跑输, not for the text
    lines = [f"{{fact:{k}}} = {v}" for k, v in sorted(tables.facts.items()) if v and not k.endswith(".sign")]
    for ref in refs:
        table = tables.table(ref)
        if table is None or table.id not in MARKET_CELLS or len(table.columns) < 2:
            continue
        column, keep, by_value = MARKET_CELLS[table.id]
        if column not in table.columns:
            continue
        at = table.columns.index(column)
        rows = [r for r in table.rows if len(r) > at and r[at]]
        if by_value:
            rows = sorted(rows, key=lambda r: _number(r[at]), reverse=True)
        lines += [f"{{{table.id}.{row[1]}.{column}}} = {row[at]}" for row in rows[:keep]]
    return "\n".join(lines)


DIGEST_PASSAGE_TOKENS = 160  # a digest row summarises an item in 2-4 sentences: its lead is what it needs
# core views and advice take one or two facts per source (each thesis, each direction): the first sentences do
SUMMARY_PASSAGE_TOKENS = 90


def _lead_of(passage: str, limit: int, count: Callable[[str], int]) -> str:
    out: list[str] = []
    used = 0
    for sentence in re.split(r"(?<=[。！？!?])", passage):
        cost = count(sentence)
        if out and used + cost > limit:
            break
        out.append(sentence)
        used += cost
    return "".join(out).strip()


def _prompt_sources(inputs: SectionInputs, packed: PackedContext) -> list[Source]:
    """Digest rows and summaries (core views, advice: they restate briefs) get each source's lead sentences; the
    stored passage (what checks compare with) stays whole."""
    if inputs.spec.kind not in ("digest", "core_views", "advice"):
        return packed.sources
    limit = DIGEST_PASSAGE_TOKENS if inputs.spec.kind == "digest" else SUMMARY_PASSAGE_TOKENS
    return [s.model_copy(update={"passage": _lead_of(s.passage, limit, inputs.count)}) for s in packed.sources]


def editing_block(instruction: str, current_markdown: str | None) -> str:
    """The editor's request, only when there is one: an empty "修改要求：无" block is what small models echo."""
    if not instruction and not current_markdown:
        return ""
    parts = [f"编辑的修改要求：{instruction or '（未写明）'}"]
    if current_markdown:
        parts.append(f"当前版本（供参考）：\n{current_markdown}")
    return "\n".join(parts) + "\n"


def _tables_listing(tables: TableSet, refs: list[str]) -> str:
    out = []
    for ref in refs:
        table = tables.table(ref)
        if table is not None:
            # the rows a sentence may name are in the placeholder listing; here only what each table is
            out.append(f"{table.id}（{table.title}，{len(table.rows)} 行）")
    return "\n".join(out) or "无"


def prompt_values(inputs: SectionInputs, packed: PackedContext, briefs: list[DepBrief]) -> dict[str, str]:
    spec, editing = inputs.spec, inputs.editing
    return {
        **inputs.values,
        "section_title": spec.title,
        "budget_tokens": str(spec.budget_tokens),
        "sources": format_sources(_prompt_sources(inputs, packed)),
        "instruction": editing.instruction or "无",
        "current_markdown": editing.current_markdown or "无",
        "editing": editing_block(editing.instruction, editing.current_markdown),
        "briefs": "\n".join(f"【{b.label}】{b.lead}" for b in briefs) or "无",
        "themes": "\n".join(f"{i}. {t}" for i, t in enumerate(spec.themes, start=1)) or "无",
        "placeholders": _facts_listing(inputs.tables, spec.tables) if spec.kind == "market" else "无",
        "tables": _tables_listing(inputs.tables, spec.tables),
        "groups": json.dumps([r.title for r in spec.retrieval], ensure_ascii=False),
    }
