"""The offline engine's part of 核心观点 and 投资建议: evidence sentences and catalysts, never an opinion.

Evidence sentences come from ``extract`` (whole items, coherent extracts), cited with ``news.cite``. It answers the
same JSON a model does (``{"theses": [{"facts", "view"}]}``, ``{"advice": [{"catalysts"}]}``);
``views.render_core_views`` / ``render_advice`` assemble the Markdown, so the analyst's words are printed as written
and an empty ``view`` becomes the analyst's visible slot.
"""

from __future__ import annotations

import json
import re

from assistant.drafting.extract import extract
from assistant.drafting.news import cite
from assistant.drafting.text import instruction_like
from assistant.engine.request import GenerationRequest

__all__ = ["advice_json", "core_views_json"]


def _evidence(request: GenerationRequest, numbers: tuple[int, ...], query: str) -> str:
    """The thesis's supporting facts: the best sentences of its top sources, each cited. Never an opinion."""
    by_number = request.packed.by_number()
    keywords = [w for w in re.split(r"\s+", query) if len(w) >= 2]
    out = []
    for rank, n in enumerate(numbers):
        source = by_number.get(n)
        if source is None or source.background or instruction_like(source.title):
            continue
        # coherent extracts (antecedents, quotes and speakers kept): the same rules as the news sections
        limit = 1 if rank or request.editing.concise else 2
        picked = extract(source.passage, title=source.title, limit=limit, keywords=keywords,
                         prefer=request.editing.prefer, max_chars=260 if rank else 360)
        out += [cite(x, n) for x in picked]
    return "".join(out)


def core_views_json(request: GenerationRequest) -> str:
    # the offline engine never writes an opinion: "view" stays empty, so the analyst's slot is printed
    theses = [{"facts": "" if t.market else _evidence(request, t.sources, t.query or t.headline), "view": ""}
              for t in request.theses]
    return json.dumps({"theses": theses}, ensure_ascii=False)


def advice_json(request: GenerationRequest) -> str:
    by_number = request.packed.by_number()
    rows = []
    prefer = [p.lower() for p in request.editing.prefer if p]
    for theme in request.advice:
        titles = [f"{by_number[n].title.rstrip('。')}[{n}]" for n in theme.sources
                  if n in by_number and not by_number[n].background and not instruction_like(by_number[n].title)]
        if prefer:  # an editor's "突出X": the catalysts that speak of X first; the analyst's directions keep their order
            titles.sort(key=lambda c: not any(x in c.lower() for x in prefer))
        if request.editing.concise:  # shorter by fewer catalysts; the rating sentence and directions are kept
            titles = titles[:1]
        rows.append({"catalysts": "；".join(titles)})
    return json.dumps({"advice": rows}, ensure_ascii=False)
