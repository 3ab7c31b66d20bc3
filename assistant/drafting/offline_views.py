"""The offline engine's part of 核心观点 and 投资建议: evidence sentences and catalysts, never an opinion.

Evidence sentences come from ``extract`` (whole items, coherent extracts), cited with ``news.cite``. It answers the
same JSON a model does (``{"theses": [{"facts", "view"}]}``, ``{"advice": [{"catalysts"}]}``);
``views.render_core_views`` / ``render_advice`` assemble the Markdown, so the analyst's words are printed as written
and an empty ``view`` becomes the analyst's visible slot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from assistant.drafting.extract import extract, needs_antecedent
from assistant.drafting.news import cite, foreign, marked_title
from assistant.drafting.text import instruction_like
from assistant.drafting.thesis_names import mentioned
from assistant.engine.request import GenerationRequest, ThesisBrief

__all__ = ["advice_json", "core_views_json"]


def _about(sentences: list[str], names: Sequence[str], used: set[str]) -> list[str]:
    """The sentences that speak of the thesis's names (with the antecedent a kept one needs), none already used."""
    keep = [(not names or bool(mentioned(x, names))) and _key(x) not in used for x in sentences]
    for i in range(len(sentences) - 1, 0, -1):
        if keep[i] and needs_antecedent(sentences[i]) and _key(sentences[i - 1]) not in used:
            keep[i - 1] = True
    return [x for i, x in enumerate(sentences)
            if keep[i] and not (needs_antecedent(x) and (i == 0 or not keep[i - 1]))]


def _evidence(request: GenerationRequest, thesis: ThesisBrief, used: set[str]) -> str:
    """The thesis's supporting facts: the best sentences of its top sources that speak of its names, each cited
    and none printed under another thesis. Never an opinion."""
    by_number = request.packed.by_number()
    query = thesis.query or thesis.headline
    keywords = [*thesis.names, *(w for w in re.split(r"\s+", query) if len(w) >= 2)]
    out = []
    for rank, n in enumerate(thesis.sources):
        source = by_number.get(n)
        if source is None or source.background or instruction_like(source.title):
            continue
        if source.translated_summary:  # a model's translation: its summary is the evidence
            out.append(cite(source.translated_summary.strip(), n))
            continue
        if foreign(source):
            # an untranslated foreign item never stands in Chinese prose: its marked title is the evidence
            out.append(cite(f"据英文报道：{marked_title(source)}" if foreign(source) == "（英文）"
                            else f"据外文报道：{marked_title(source)}", n))
            continue
        # coherent extracts (antecedents, quotes and speakers kept): the same rules as the news sections
        limit = 1 if rank or request.editing.concise else 2
        max_chars = 260 if rank else 360
        picked = extract(source.passage, title=source.title, limit=limit, keywords=keywords,
                         prefer=request.editing.prefer, max_chars=max_chars)
        chosen = _about(picked, thesis.names, used)
        if len(chosen) < len(picked):  # some spoke of something else or backed another thesis: look further
            wider = extract(source.passage, title=source.title, limit=limit + 3, keywords=keywords,
                            prefer=request.editing.prefer, max_chars=max_chars + 300)
            chosen = _fit(_about(wider, thesis.names, used), limit, max_chars)
        used.update(_key(x) for x in chosen)
        out += [cite(x, n) for x in chosen]
    return "".join(out)


def _key(sentence: str) -> str:
    return re.sub(r"\s", "", sentence).rstrip("。！？；")


def _fit(sentences: list[str], limit: int, max_chars: int) -> list[str]:
    """At most ``limit`` sentences (an antecedent travels with its sentence) within about ``max_chars``."""
    out: list[str] = []
    for x in sentences:
        if out and (sum(len(y) for y in out) + len(x) > max_chars
                    or (len(out) >= limit and not needs_antecedent(x))):
            break
        out.append(x)
    return out


def core_views_json(request: GenerationRequest) -> str:
    # the offline engine never writes an opinion: "view" stays empty, so the analyst's slot is printed
    used: set[str] = set()
    theses = [{"facts": "" if t.market else _evidence(request, t, used), "view": ""} for t in request.theses]
    return json.dumps({"theses": theses}, ensure_ascii=False)


def advice_json(request: GenerationRequest) -> str:
    by_number = request.packed.by_number()
    rows = []
    prefer = [p.lower() for p in request.editing.prefer if p]
    for theme in request.advice:
        titles = [f"{marked_title(by_number[n])}[{n}]" for n in theme.sources
                  if n in by_number and not by_number[n].background and not instruction_like(by_number[n].title)]
        if prefer:  # an editor's "突出X": the catalysts that speak of X first; the analyst's directions keep their order
            titles.sort(key=lambda c: not any(x in c.lower() for x in prefer))
        if request.editing.concise:  # shorter by fewer catalysts; the rating sentence and directions are kept
            titles = titles[:1]
        rows.append({"catalysts": "；".join(titles)})
    return json.dumps({"advice": rows}, ensure_ascii=False)
