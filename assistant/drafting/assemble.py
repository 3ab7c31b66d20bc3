"""Section drafts -> one Report: report-global ``[n]`` numbering in reading order and the sources list (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.drafting.citations import MARKER
from assistant.drafting.context import PackedContext, Source
from assistant.models import Citation, SectionDraft, SourceRef

__all__ = ["globalise", "source_ref"]


def source_ref(marker: int, source: Source) -> SourceRef:
    return SourceRef(marker=marker, doc_id=source.doc_id, title=source.title, date=source.date,
                     source=source.source, url=source.url, passage=source.passage, background=source.background)


def _globalise_one(draft: SectionDraft, packed: PackedContext, numbers: dict[str, int],
                   refs: list[SourceRef]) -> SectionDraft:
    local = {c.marker: c.doc_id for c in draft.citations}
    by_doc = {s.doc_id: s for s in packed.sources}

    def _sub(match: re.Match[str]) -> str:
        doc = local.get(int(match.group(1)))
        if doc is None:
            return ""  # parse keeps only markers of this section's sources; anything else cannot be cited
        if doc not in numbers:
            src = by_doc.get(doc)
            if src is None:
                return ""
            numbers[doc] = max(numbers.values(), default=0) + 1
            refs.append(source_ref(numbers[doc], src))
        return f"[{numbers[doc]}]"

    text = MARKER.sub(_sub, draft.markdown)
    used = dict.fromkeys(int(m) for m in MARKER.findall(text))
    by_number = {v: k for k, v in numbers.items()}
    citations = [Citation(marker=n, doc_id=by_number[n]) for n in used]
    return draft.model_copy(update={"markdown": text, "citations": citations})


def globalise(drafts: Sequence[SectionDraft], packed: dict[str, PackedContext],
              existing: Sequence[SourceRef] = ()) -> tuple[list[SectionDraft], list[SourceRef]]:
    """Renumber every section's local markers into one report-wide sequence.

    The same document keeps one number everywhere; numbers follow first appearance in report order. ``existing``
    seeds the numbering (used when one section is regenerated into an already assembled report).
    """
    numbers = {r.doc_id: r.marker for r in existing}
    refs = list(existing)
    out = [_globalise_one(d, packed.get(d.id, PackedContext()), numbers, refs) for d in drafts]
    return out, sorted(refs, key=lambda r: r.marker)
