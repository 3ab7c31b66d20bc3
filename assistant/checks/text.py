"""Pure text helpers for the compliance checks: sentences, citation markers, figures, dates and entities.

Everything here is deterministic so that a finding can be reproduced from the same report text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "DateMention",
    "Figure",
    "Sentence",
    "compact",
    "extract_dates",
    "extract_figures",
    "extract_latin_entities",
    "extract_org_names",
    "split_plain",
    "split_sentences",
]

_MARKER_RE = re.compile(r"\[(\d+(?:\s*[,，、]\s*\d+)*)\](?!\()")
_TERMINATORS = "。！？；!?;"
_SPLIT_RE = re.compile(r"(?<=[。！？；!?;])")
_BULLET_RE = re.compile(r"^\s*(?:[-*+•·]\s+|\d+[.、)]\s*(?=\D)|[（(][一二三四五六七八九十\d]+[）)]\s*)")
_HEADING_RE = re.compile(r"^\s*#{1,6}\s+")
_LAYOUT_RE = re.compile(r"^\{\{\s*(?:table|chart)\s*:\s*[\w.-]+\s*\}\}$")
_BOLD_LEAD_RE = re.compile(r"^\*\*([^*]{2,60}?)\*\*(?=\S)")
_ENUMERATION_RE = re.compile(r"(?:^|(?<=[\s；;。：:，,]))\d{1,2}、")
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")

_MULTIPLIERS = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4}
_NUM_RE = re.compile(
    r"(?<![A-Za-z_\d.\-])(?P<sign>[-+−])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<unit>万亿|千亿|百亿|亿|千万|百万|万)?\s?(?P<pct>%|个百分点)?"
)
_CODE_RE = re.compile(r"\b\d{6}\.(?:SH|SZ|BJ|WI|SI|CSI|HK)\b|\b\d{4}\.HK\b|\b[A-Z]{1,5}\.(?:O|N|OQ)\b")
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?P<y>\d{4})[/\-.](?P<m>\d{1,2})[/\-.](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?!\s*\d)"),
    re.compile(r"(?P<y>\d{4})\s*年(?!\s*\d)"),
    re.compile(r"(?<![\d.])(?P<m>\d{1,2})\s*月(?!\s*\d)"),
)
_LATIN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
_ORG_SUFFIX_RE = re.compile(
    "股份有限公司|有限公司|公司|集团|大学|研究院|研究所|实验室|交易所|银行|委员会|数据局|证监会|工信部"
)
# "国内重点公司", "多家上市公司" describe groups of companies, they do not name one.
_GENERIC_ORG_RE = re.compile("国内|境内|境外|海外|国外|相关|重点|上市|多家|各类|其他|其它|上述|这些|主要|龙头|头部|成分|科技公司")
# Characters that end the run of characters before an organisation suffix: particles and common verbs.
_ORG_BOUNDARY = set("由与和及在据对向将被为是的了从等同并且或其该此于以把让给跟这那称表示宣布发布联合携手旗下、")


@dataclass(frozen=True)
class Sentence:
    """One checkable unit of a section: a prose sentence, a bullet, a heading or a markdown table row."""

    section: str
    text: str  # as shown to the reviewer, markers kept
    plain: str  # markers and markdown emphasis removed
    markers: tuple[int, ...]
    kind: str = "prose"  # prose | heading | table_row | table_header | source_line


@dataclass(frozen=True)
class Figure:
    """A number as written in the text. ``raw`` is the printed mantissa, ``value`` applies 万/亿 and sign."""

    raw: float
    value: float
    decimals: int
    multiplier: float
    percent: bool
    start: int
    end: int
    text: str

    def matches(self, other: float, *, raw: bool = False) -> bool:
        """True when ``other`` rounds to this figure at the precision it was printed with."""
        mine = self.raw if raw else self.value
        scale = 1.0 if raw else self.multiplier
        tolerance = 0.5 * 10 ** (-self.decimals) * scale + 1e-9 * max(1.0, abs(mine))
        return abs(mine - other) <= tolerance


@dataclass(frozen=True)
class DateMention:
    year: int | None
    month: int | None
    day: int | None
    start: int
    end: int
    text: str = field(default="")


def normalise(text: str) -> str:
    """NFKC folds full-width digits, ％ and ，; the minus sign variants become ASCII."""
    return unicodedata.normalize("NFKC", text).replace("−", "-").replace("－", "-")


def compact(text: str) -> str:
    """Lower-cased text without whitespace, for substring tests of names like ``GPT-4o mini``."""
    return re.sub(r"\s+", "", normalise(text)).lower()


def markers_in(text: str) -> tuple[int, ...]:
    found: list[int] = []
    for match in _MARKER_RE.finditer(text):
        found.extend(int(n) for n in re.split(r"\s*[,，、]\s*", match.group(1)))
    return tuple(found)


def strip_markup(text: str) -> str:
    text = _MARKER_RE.sub("", text)
    text = re.sub(r"\*\*|__|`", "", text)
    text = re.sub(r"<[^>]{1,20}>", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _split_line(line: str) -> list[str]:
    parts = [p for p in _SPLIT_RE.split(line) if p.strip()]
    merged: list[str] = []
    for part in parts:
        leading = re.match(r"^\s*((?:\[\d+(?:\s*[,，、]\s*\d+)*\])+)", part)
        if leading and merged:
            # A marker printed after the full stop belongs to the sentence before it.
            merged[-1] += leading.group(1)
            part = part[leading.end():]
        if part.strip(" \t" + _TERMINATORS):
            merged.append(part.strip())
    return merged


def _table_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def split_sentences(section: str, markdown: str) -> list[Sentence]:
    """Sentences of a section: prose split on 。！？；, bullets and headings alone, each table row alone."""
    out: list[Sentence] = []
    in_table = False
    for raw_line in markdown.splitlines():
        line = raw_line.strip()
        if not line:
            in_table = False
            continue
        if line.startswith("|"):
            if _TABLE_SEP_RE.match(line):
                continue
            kind = "table_row" if in_table else "table_header"
            in_table = True
            text = " | ".join(_table_cells(line))
            out.append(Sentence(section, text, strip_markup(text), markers_in(text), kind))
            continue
        in_table = False
        if _LAYOUT_RE.match(line):
            continue  # {{table:T1}} / {{chart:F1}} mark where export places a computed table or chart
        if line.startswith(("资料来源", "来源：", "数据来源")):
            # A table's source line names publishers, not claims: it needs no citation of its own.
            out.append(Sentence(section, line, strip_markup(line), markers_in(line), "source_line"))
            continue
        if _HEADING_RE.match(line):
            text = _HEADING_RE.sub("", line)
            out.append(Sentence(section, text, strip_markup(text), markers_in(text), "heading"))
            continue
        line = _BULLET_RE.sub("", line, count=1)
        lead = _BOLD_LEAD_RE.match(line)
        if lead:
            # "- **7月板块震荡微跌。**正文…": the bold lead is the bullet's title, read like a heading.
            title = lead.group(1)
            out.append(Sentence(section, title, strip_markup(title), markers_in(title), "heading"))
            line = line[lead.end():]
        for part in _split_line(line):
            plain = strip_markup(part)
            if plain:
                out.append(Sentence(section, part, plain, markers_in(part), "prose"))
    return out


def split_plain(text: str) -> list[str]:
    """Sentences of a source body (no markdown), for finding the closest passage."""
    pieces = re.split(r"(?<=[。！？；!?;\n])", text)
    return [p.strip() for p in pieces if len(p.strip()) > 1]


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def extract_dates(text: str) -> list[DateMention]:
    """Dates in any of the forms 2024年7月12日, 2024/7/12, 2024-07-12, 7月12日, 2024年7月, 2024年, 7月."""
    norm = normalise(text)
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            groups = m.groupdict()
            year = int(groups["y"]) if groups.get("y") else None
            month = int(groups["m"]) if groups.get("m") else None
            day = int(groups["d"]) if groups.get("d") else None
            if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
                continue
            found.append(DateMention(year, month, day, m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def extract_figures(text: str, *, mask: list[tuple[int, int]] | None = None) -> list[Figure]:
    """Numbers outside dates, security codes and Latin names (H100, GPT-4o); ``mask`` hides more spans."""
    norm = normalise(text)
    spans = [(d.start, d.end) for d in extract_dates(norm)]
    spans += [(m.start(), m.end()) for m in _CODE_RE.finditer(norm)]
    spans += [(m.start(), m.end()) for m in _ENUMERATION_RE.finditer(norm)]
    spans += list(mask or [])
    masked = _mask(norm, spans)
    figures: list[Figure] = []
    for m in _NUM_RE.finditer(masked):
        digits = m.group("num").replace(",", "")
        raw = float(digits)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        multiplier = _MULTIPLIERS.get(m.group("unit") or "", 1.0)
        if m.group("sign") in {"-", "−"}:
            raw = -raw
        figures.append(Figure(raw, raw * multiplier, decimals, multiplier, bool(m.group("pct")),
                              m.start(), m.end(), m.group(0).strip()))
    return figures


def extract_latin_entities(text: str, stoplist: frozenset[str]) -> list[str]:
    """Latin-script names such as GPT-4o, H100, Llama, FlashAttention-3; generic words are in ``stoplist``."""
    norm = normalise(text)
    masked = _mask(norm, [(m.start(), m.end()) for m in _CODE_RE.finditer(norm)])
    names: list[str] = []
    for m in _LATIN_RE.finditer(masked):
        token = m.group(0).rstrip(".-")
        if len(token) < 2 or token.lower() in stoplist:
            continue
        if token.islower() and not any(c.isdigit() for c in token):
            continue  # plain lower-case words ("token", "mini") are vocabulary, not names
        if token not in names:
            names.append(token)
    return names


def extract_org_names(text: str) -> list[str]:
    """Chinese organisation names ending in a suffix (…公司, …大学, …研究院), cut at the particle before them."""
    norm = normalise(text)
    names: list[str] = []
    for m in _ORG_SUFFIX_RE.finditer(norm):
        start = m.start()
        while start > 0 and m.start() - start < 8 and "\u4e00" <= norm[start - 1] <= "\u9fff" \
                and norm[start - 1] not in _ORG_BOUNDARY:
            start -= 1
        name = norm[start:m.end()]
        if len(name) >= 4 and name not in names and not _GENERIC_ORG_RE.search(name):
            names.append(name)
    return names
