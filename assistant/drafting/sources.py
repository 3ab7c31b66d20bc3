"""Inputs of the prompt step: the variables every prompt may use, and briefs of already drafted sections."""

from __future__ import annotations

import json
import re

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
        if dep is None or dep[0].status == "failed":
            continue
        draft, packed = dep
        lead = _renumber_into(lead_paragraph(draft.markdown), draft, packed, sources)
        label = inputs.template.section(dep_id).label or draft.title
        briefs.append(DepBrief(section=dep_id, label=label, lead=lead))
    return PackedContext(sources=sources, dropped=list(base.dropped) if base is not None else [],
                         tokens=base.tokens if base is not None else 0), briefs


def _facts_listing(tables: TableSet, refs: list[str]) -> str:
    # a blank fact cannot be printed, and a sign is for the code's 跑赢/跑输, not for the text
    lines = [f"{{fact:{k}}} = {v}" for k, v in sorted(tables.facts.items()) if v and not k.endswith(".sign")]
    for ref in refs:
        table = tables.table(ref)
        if table is None:
            continue
        for row in table.rows:
            lines += [f"{{{table.id}.{row[0]}.{col}}} = {cell}"
                      for col, cell in zip(table.columns[2:], row[2:], strict=False) if cell]
    return "\n".join(lines)


def _tables_listing(tables: TableSet, refs: list[str]) -> str:
    out = []
    for ref in refs:
        table = tables.table(ref)
        if table is not None:
            names = "、".join(r[1] if len(r) > 1 else r[0] for r in table.rows)
            out.append(f"{table.id}（{table.title}）：{names}")
    return "\n".join(out) or "无"


def prompt_values(inputs: SectionInputs, packed: PackedContext, briefs: list[DepBrief]) -> dict[str, str]:
    spec, editing = inputs.spec, inputs.editing
    return {
        **inputs.values,
        "section_title": spec.title,
        "budget_tokens": str(spec.budget_tokens),
        "sources": format_sources(packed.sources),
        "instruction": editing.instruction or "无",
        "current_markdown": editing.current_markdown or "无",
        "briefs": "\n".join(f"【{b.label}】{b.lead}" for b in briefs) or "无",
        "themes": "\n".join(f"{i}. {t}" for i, t in enumerate(spec.themes, start=1)) or "无",
        "placeholders": _facts_listing(inputs.tables, spec.tables) if spec.kind == "market" else "无",
        "tables": _tables_listing(inputs.tables, spec.tables),
        "groups": json.dumps([r.title for r in spec.retrieval], ensure_ascii=False),
    }
