"""Draft quality against a gold report (the seed): what an analyst would check first, as numbers.

Pure functions over a ``Report``: headline facts kept, extracts that start mid-context or end cut, funding cells
right, items in their proper table, opinions not the analyst's, overseas names under A-share advice. The gold
(a YAML file, see ``tests/drafting/data/quality_2024_07.yaml``) is hand-derived from the seed and never read by
drafting code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.errors import AssistantError
from assistant.models import Report, SectionDraft

__all__ = ["FUNDING_CELLS", "FactGold", "GoldError", "ItemGold", "QualityGold", "QualityScore", "cut_extract",
           "evaluate_quality", "load_gold", "mid_context_start"]

FUNDING_CELLS = ("赛道", "简介", "融资日期", "融资轮次", "融资金额", "本轮投资方")
_MARKER = re.compile(r"\[\d+\]")
_TABLE_TITLE = re.compile(r"^(?:\*\*)?表\s*\d*\s*[：:]\s*(.+?)(?:\*\*)?\s*$")
# Openers that need something said before them: pronouns, "the paper", connectives, a speaker's "we"/"I".
_MID_CONTEXT = re.compile(
    r"^(?:这些|这一|这种|这个|这项|这|该|此|其|他们|他|她|它|论文|文章|我们|我|除此之外|除了|此外|另外|同时|但是|但|"
    r"而且|而|因此|所以|对此|然而|不过|与此同时|为此|随后|之后|其中|相比之下)")
_FIRST_PERSON = re.compile(r"(?<![自本忘])(?:我们|我(?!国|省|市|区|县|院|校|司|行|部))")
_BAD_END = re.compile(r"[；;，,、：:]$")
_MODEL_DRAFTED = re.compile(r"模型起草|待分析师确认|待分析师补充")


class FactGold(BaseModel):
    id: str
    sections: list[str]
    anchor: str
    terms: list[str | list[str]]


class ItemGold(BaseModel):
    anchor: str
    sections: list[str]
    table: str | None = None


class QualityGold(BaseModel):
    month: str
    facts: list[FactGold]
    items: list[ItemGold]
    funding: list[dict[str, str]]


class QualityScore(BaseModel):
    facts_kept: int = 0
    facts_total: int = 0
    facts_missing: list[str] = Field(default_factory=list)
    mid_context: list[str] = Field(default_factory=list)
    cut_rows: list[str] = Field(default_factory=list)
    funding_right: int = 0
    funding_total: int = 0
    funding_wrong: list[str] = Field(default_factory=list)
    items_placed: int = 0
    items_total: int = 0
    items_missing: list[str] = Field(default_factory=list)
    unowned_views: list[str] = Field(default_factory=list)
    overseas_in_advice: list[str] = Field(default_factory=list)

    def figures(self) -> dict[str, str]:
        """One printable line per metric (used by the bench and by failing test messages)."""
        return {
            "headline facts kept": f"{self.facts_kept}/{self.facts_total}",
            "mid-context starts": str(len(self.mid_context)),
            "rows cut inside quotes or at ；": str(len(self.cut_rows)),
            "funding cells right": f"{self.funding_right}/{self.funding_total}",
            "seed items in their proper table": f"{self.items_placed}/{self.items_total}",
            "我们认为 not the analyst's / not marked": str(len(self.unowned_views)),
            "overseas names under A-share advice": str(len(self.overseas_in_advice)),
        }


class GoldError(AssistantError):
    """The gold file is malformed."""


def load_gold(path: Path) -> QualityGold:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return QualityGold.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise GoldError(f"{path}: 质量评估标准文件无法读取: {exc}") from exc


def _norm(text: str) -> str:
    return re.sub(r"[\s*]+", "", _MARKER.sub("", text)).lower()


def _units(markdown: str) -> list[str]:
    """Table rows, write-up blocks (a #### heading and its paragraphs) and other paragraphs, as printed."""
    units: list[str] = []
    block: list[str] = []
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and not re.fullmatch(r"\|[\s\-|:]*\|?", stripped):
            units.append(stripped)
        elif stripped.startswith("#"):
            if block:
                units.append("\n".join(block))
            block = [stripped]
        elif stripped and block:
            block.append(stripped)
        elif stripped:
            units.append(stripped)
    if block:
        units.append("\n".join(block))
    return units


def _has(unit: str, term: str | list[str]) -> bool:
    alternatives = term if isinstance(term, list) else [term]
    text = _norm(unit)
    return any(_norm(a) in text for a in alternatives)


def _facts(report: Report, gold: QualityGold, score: QualityScore) -> None:
    for fact in gold.facts:
        units = [u for sid in fact.sections if (s := report.section(sid)) is not None for u in _units(s.markdown)]
        anchored = [u for u in units if _norm(fact.anchor) in _norm(u)]
        if any(all(_has(u, t) for t in fact.terms) for u in anchored):
            score.facts_kept += 1
        else:
            score.facts_missing.append(f"{fact.id}（{fact.anchor}）")
    score.facts_total = len(gold.facts)


def _row_extracts(section: SectionDraft) -> list[str]:
    """Digest rows' text without the bold headline they open with: what the engine extracted."""
    out = []
    for unit in _units(section.markdown):
        if unit.startswith("|"):
            cells = [c.strip() for c in unit.strip("|").split("|")]
            text = re.sub(r"^\*\*[^*]+\*\*[：:]\s*", "", cells[-1] if cells else "")
            if text and section.id != "funding":
                out.append(text)
    return out


def _writeups(section: SectionDraft) -> list[list[str]]:
    """Each write-up's paragraphs (a #### heading's block without the heading)."""
    return [[p for p in u.split("\n")[1:] if p.strip()] for u in _units(section.markdown) if u.startswith("####")]


def _first_sentence(text: str) -> str:
    plain = _MARKER.sub("", text).strip()
    return re.split(r"(?<=[。！？!?])", plain, maxsplit=1)[0]


def mid_context_start(extract: str) -> bool:
    """True when the extract opens on a reference it does not resolve or on a quote without its speaker."""
    first = _first_sentence(extract)
    if _MID_CONTEXT.match(first):
        return True
    # the tail of a quotation: a closing mark before any opening one, or a speaker's "we" with no 表示/称 before it
    close, open_ = first.find("”"), first.find("“")
    if close != -1 and (open_ == -1 or close < open_):
        return True
    we = _FIRST_PERSON.search(first)
    if we is None:
        return False
    before = first[:we.start()]
    return "“" not in before and not re.search(r"(表示|称|说|指出|认为|介绍|宣布)", before)


def cut_extract(extract: str) -> bool:
    """True when the extract ends inside a quotation or on a clause separator (；，、：)."""
    plain = _MARKER.sub("", extract).strip()
    if plain.count("“") != plain.count("”") or plain.count("《") != plain.count("》"):
        return True
    return bool(_BAD_END.search(plain))


def _coherence(report: Report, score: QualityScore, sections: Iterable[str]) -> None:
    for sid in sections:
        section = report.section(sid)
        if section is None:
            continue
        rows, writeups = _row_extracts(section), _writeups(section)
        for text in rows + [w[0] for w in writeups if w]:
            if mid_context_start(text):
                score.mid_context.append(f"{sid}: {_first_sentence(text)[:60]}")
        for text in rows + [p for w in writeups for p in w]:
            if cut_extract(text):
                score.cut_rows.append(f"{sid}: …{_MARKER.sub('', text).strip()[-40:]}")


def _funding_table(markdown: str) -> tuple[list[str], list[list[str]]]:
    rows = [ln.strip() for ln in markdown.splitlines() if ln.strip().startswith("|")]
    if not rows:
        return [], []
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    body = [[c.strip() for c in r.strip("|").split("|")] for r in rows[1:] if not re.fullmatch(r"\|[\s\-|:]*", r)]
    return header, body


def _funding(report: Report, gold: QualityGold, score: QualityScore) -> None:
    section = report.section("funding")
    header, body = _funding_table(section.markdown) if section is not None else ([], [])
    by_company = {_norm(r[0]): dict(zip(header, r, strict=False)) for r in body if r}
    for row in gold.funding:
        drafted = by_company.get(_norm(row["融资方"]), {})
        # a month's truth may leave a cell out (its item does not state it): only stated cells are scored
        for cell in (c for c in FUNDING_CELLS if c in row):
            score.funding_total += 1
            want, got = _norm(row.get(cell, "")).rstrip("。"), _norm(drafted.get(cell, "")).rstrip("。")
            if want and got == want:
                score.funding_right += 1
            else:
                score.funding_wrong.append(f"{row['融资方']}.{cell}: {drafted.get(cell, '（缺）')[:30]!r}")


def _table_blocks(markdown: str) -> dict[str, str]:
    """Table title -> the text from that title to the next table title or heading."""
    blocks: dict[str, str] = {}
    current: str | None = None
    for line in markdown.splitlines():
        match = _TABLE_TITLE.match(line.strip())
        if match:
            current = match.group(1).strip()
            blocks[current] = ""
        elif line.startswith("#"):
            current = None
        elif current is not None:
            blocks[current] += line + "\n"
    return blocks


def _items(report: Report, gold: QualityGold, score: QualityScore) -> None:
    titles = {s.marker: s.title for s in report.sources}
    for item in gold.items:
        placed = False
        for sid in item.sections:
            section = report.section(sid)
            if section is None:
                continue
            text = section.markdown
            if item.table is not None:
                text = next((b for t, b in _table_blocks(section.markdown).items() if _norm(item.table) in _norm(t)),
                            "")
            markers = {int(m) for m in re.findall(r"\[(\d+)\]", text)}
            if any(_norm(item.anchor) in _norm(titles.get(m, "")) for m in markers):
                placed = True
                break
        if placed:
            score.items_placed += 1
        else:
            where = item.sections[0] + (f"/{item.table}" if item.table else "")
            score.items_missing.append(f"{item.anchor} → {where}")
    score.items_total = len(gold.items)


def _views(report: Report, analyst_views: Sequence[str], score: QualityScore) -> None:
    owned = [_norm(v) for v in analyst_views if v.strip()]
    for section in report.sections:
        for line in section.markdown.splitlines():
            if _MODEL_DRAFTED.search(line):
                continue
            for sentence in re.split(r"(?<=[。！？])", line):
                if "我们认为" in sentence and not any(_norm(sentence) in v or v in _norm(sentence) for v in owned):
                    score.unowned_views.append(f"{section.id}: {sentence.strip()[:60]}")


def _overseas(report: Report, overseas_names: Sequence[str], score: QualityScore) -> None:
    section = report.section("investment_advice")
    if section is None:
        return
    # the recommended names, not the catalysts: "英伟达联合 Mistral AI 发布…" is news, not a stock pick
    lists = re.findall(r"(?:相关标的|建议关注)：([^。]*)", section.markdown)
    text = "、".join(lists) if lists else section.markdown
    score.overseas_in_advice = [n for n in dict.fromkeys(overseas_names) if n and n in text]


def evaluate_quality(report: Report, gold: QualityGold, *, overseas_names: Sequence[str] = (),
                     analyst_views: Sequence[str] = ()) -> QualityScore:
    """Score a drafted report against the gold; every failure is listed by name, not only counted."""
    score = QualityScore()
    _facts(report, gold, score)
    news = [s.id for s in report.sections if s.id not in ("core_views", "market_review", "investment_advice",
                                                            "risk_warnings", "disclosures")]
    _coherence(report, score, news)
    _funding(report, gold, score)
    _items(report, gold, score)
    _views(report, analyst_views, score)
    _overseas(report, overseas_names, score)
    return score
