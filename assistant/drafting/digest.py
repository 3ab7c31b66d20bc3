"""Digest sections: the engine returns JSON rows, code renders the dated Markdown tables (like seed tables 6-12).

Dates, publishers and the citation of each row come from the source's metadata, not from the model. The answer is
read into the typed models of ``engine.answers`` row by row: a row the model got wrong is a finding, the others
are still printed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.drafting.context import PackedContext, Source
from assistant.drafting.template import SectionSpec
from assistant.drafting.text import join_unique
from assistant.engine.answers import (
    Envelope,
    FundingRow,
    GroupEnvelope,
    NewsRow,
    OtherItem,
    PolicyRow,
    Sourced,
    field_problems,
    source_number,
)
from assistant.engine.output import JsonOutputError, extract_json
from assistant.errors import DraftingError
from assistant.models import Finding

__all__ = ["FUNDING_COLUMNS", "LEGACY_FUNDING_COLUMNS", "NEWS_COLUMNS", "POLICY_COLUMNS", "MalformedOutput",
           "envelope", "loads_json", "match_groups", "read_answer", "render_digest", "source_number",
           "unprinted_findings"]

NEWS_COLUMNS = ("日期", "具体内容")
FUNDING_COLUMNS = ("融资方", "赛道", "简介", "融资日期", "融资轮次", "融资金额", "本轮投资方")  # seed table 12
LEGACY_FUNDING_COLUMNS = ("融资方", "赛道", "融资日期", "融资轮次", "融资金额", "本轮投资方")  # templates before 简介
POLICY_COLUMNS = ("中央/地方", "发布机构", "时间", "文件名称", "主要内容")  # seed table 11
FUZZY_MIN = 0.6


class MalformedOutput(DraftingError):
    """The model's answer is not the JSON the section asked for."""


Row = NewsRow | FundingRow | PolicyRow
_R = TypeVar("_R", bound=BaseModel)


def loads_json(text: str) -> dict[str, Any]:
    """The answer's JSON object, refused (``MalformedOutput``) when it is none or its ``groups`` is no list."""
    try:
        data = extract_json(text)
    except JsonOutputError as exc:
        if exc.problem == "missing":
            raise MalformedOutput("模型输出不是 JSON 对象") from exc
        raise MalformedOutput(f"模型输出的 JSON 无法解析: {exc.msg}（第 {exc.pos} 个字符）") from exc
    envelope(data)
    return data


def envelope(data: Mapping[str, Any]) -> Envelope:
    """The decoded answer as drafting reads it; rows stay unvalidated so each is checked (and reported) alone."""
    try:
        return Envelope.model_validate(data)
    except ValidationError as exc:
        raise MalformedOutput("模型输出的 JSON 缺少 groups 列表") from exc


def read_answer(text: str) -> Envelope:
    return envelope(loads_json(text))


def _cell(value: str) -> str:
    text = value.replace("|", "｜").replace("\r", " ").replace("\n", " ").strip()
    return text or "-"


def _shown(raw: object) -> str:
    return json.dumps(raw, ensure_ascii=False)[:200]


def _validated(raw: object, model: type[_R], sources: dict[int, Source], section: str,
               findings: list[Finding]) -> tuple[_R, Source] | None:
    """One row or item of the answer, typed, with its source; what cannot be read is a finding and is skipped."""
    try:
        written = Sourced.model_validate(raw).source
    except ValidationError:
        written = None  # not an object: it has no source either
    number = source_number(written)
    if number is None or number not in sources:
        findings.append(Finding(section=section, kind="invented_citation", severity="warning", marker=number,
                                sentence=_shown(raw), detail=f"条目的来源编号 {written!r} 不是本节资料中的编号，已删除该行"))
        return None
    try:
        row = model.model_validate(raw)
    except ValidationError as exc:
        findings.append(Finding(section=section, kind="malformed_row", severity="warning", marker=number,
                                sentence=_shown(raw),
                                detail=f"资料 [{number}] 的条目有字段无法读取（{field_problems(exc)}），已删除该行"))
        return None
    return row, sources[number]


def _news_row(row: NewsRow, src: Source) -> list[str]:
    summary = row.summary.strip()
    if not re.search(r"\[\d+\]", summary):
        summary += f"[{src.number}]"
    title = (row.title or src.title).strip().rstrip("。")
    return [f"{src.date.month}.{src.date.day}", f"**{_cell(title)}**：{_cell(summary)}"]


def _funding_row(row: FundingRow, src: Source, columns: tuple[str, ...]) -> list[str]:
    def cell(value: str) -> str:  # a funding cell nobody could read says so (never "-"): rows.PENDING
        return _cell(value) if value.strip() else "【待补】"

    investors = f"{cell(row.investors)}[{src.number}]"
    cells = {"融资方": cell(row.company), "赛道": cell(row.track), "简介": cell(row.intro),
             "融资日期": src.date.strftime("%Y/%-m/%-d"), "融资轮次": cell(row.round),
             "融资金额": cell(row.amount), "本轮投资方": investors}
    return [cells[c] for c in columns]


def _policy_row(row: PolicyRow, src: Source) -> list[str]:
    summary = row.summary.strip()
    if not re.search(r"\[\d+\]", summary):
        summary += f"[{src.number}]"
    return [_cell(row.level), _cell(row.issuer), src.date.strftime("%Y/%-m/%-d"), _cell(row.name), _cell(summary)]


def _missing_cells(row: FundingRow, src: Source, section: str) -> list[Finding]:
    """A funding cell the item does not fill is printed blank and named, never guessed or cut."""
    missing = [m for m in row.missing if m]
    if not missing:
        return []
    return [Finding(section=section, kind="funding_cell_missing", severity="warning", marker=src.number,
                    sentence=src.title, detail=f"{src.title}：资料未写明{'、'.join(missing)}，单元格留空待补")]


def _others(group: GroupEnvelope | None, sources: dict[int, Source], section: str, findings: list[Finding]) -> str:
    """Items the table's cap left out, or that are not table material: named, cited, never dropped silently."""
    lines: list[tuple[dt.date, str]] = []
    names: list[str] = []
    for raw in group.others if group else []:
        checked = _validated(raw, OtherItem, sources, section, findings)
        if checked is None:
            continue
        other, src = checked
        summary = other.summary.strip()
        if summary:
            dated = re.match(r"^\s*(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日", summary)
            lines.append((src.date, summary if dated else f"{src.date.month} 月 {src.date.day} 日，{summary}"))
        else:
            title = other.title or src.title  # the offline rows mark a foreign title: keep it
            names.append(f"{title.rstrip('。')}[{src.number}]")
    out = []
    if lines:
        out.append("其他相关动态：\n\n" + "\n\n".join(t for _, t in sorted(lines, key=lambda x: x[0])))
    if names:
        out.append("其他动态：" + "；".join(names) + "。")
    return "\n\n".join(out)


def _table(title: str, columns: tuple[str, ...], rows: list[list[str]], source_line: str) -> str:
    lines = [f"表：{title}", "", "| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join([*lines, "", source_line])


def unprinted_findings(packed: PackedContext, markdown: str, section: str) -> list[Finding]:
    """One finding per in-window item the section retrieved but does not print: nothing is dropped silently."""
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", markdown)}
    findings = [Finding(section=section, kind="not_printed", severity="warning", marker=s.number, sentence=s.title,
                        detail=f"检索到的本月条目未写入本节：{s.title}（{s.date.isoformat()}，{s.source}）")
                for s in packed.sources if not s.background and s.number not in cited]
    present = {s.doc_id for s in packed.sources}
    seen: set[str] = set()
    for d in packed.dropped:
        if d.reason == "budget" and not d.background and d.doc_id not in present and d.doc_id not in seen:
            seen.add(d.doc_id)
            when = f"（{d.date.isoformat()}）" if d.date else ""
            findings.append(Finding(section=section, kind="not_printed", severity="warning", sentence=d.title,
                                    detail=f"检索到的本月条目因上下文预算未纳入本节：{d.title or d.doc_id}{when}"))
    return findings


def _similar(a: str, b: str) -> float:
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return max(0.75, difflib.SequenceMatcher(None, a, b).ratio())
    return difflib.SequenceMatcher(None, a, b).ratio()


def match_groups(titles: list[str], model_titles: list[str]) -> dict[int, tuple[str, str]]:
    """Model group index -> (template title, how): exact, then fuzzy title, then position when counts agree."""
    placed: dict[int, tuple[str, str]] = {}
    free = list(titles)
    for i, title in enumerate(model_titles):
        if title in free:
            placed[i] = (title, "exact")
            free.remove(title)
    for i, title in enumerate(model_titles):
        if i in placed or not free:
            continue
        best = max(free, key=lambda t: _similar(title, t))
        if _similar(title, best) >= FUZZY_MIN:
            placed[i] = (best, "fuzzy")
            free.remove(best)
    if len(model_titles) == len(titles):
        for i in range(len(model_titles)):
            if i not in placed and titles[i] in free:
                placed[i] = (titles[i], "position")
                free.remove(titles[i])
    return placed


def _place_rows(answer: Envelope, spec: SectionSpec, model: type[Row], sources: dict[int, Source],
                findings: list[Finding], homeless: list[Source]) -> tuple[dict[str, list[tuple[Row, Source]]],
                                                                       dict[str, GroupEnvelope]]:
    """Rows per template table, and the model's group placed on each table (its "others" line is printed there).
    A row no table can take is appended to ``homeless``."""
    titles = [r.title for r in spec.retrieval]
    groups = answer.digest_groups()
    placed = match_groups(titles, [g.title for g in groups])
    out: dict[str, list[tuple[Row, Source]]] = {t: [] for t in titles}
    matched: dict[str, GroupEnvelope] = {}
    seen: set[int] = set()
    for i, group in enumerate(groups):
        target, how = placed.get(i, ("", ""))
        if target:
            matched[target] = group
        if how in ("fuzzy", "position"):
            findings.append(Finding(section=spec.id, kind="digest_group_remapped", severity="info",
                                    sentence=group.title[:100],
                                    detail=f"模型的表名「{group.title or '（空）'}」按{'标题相似' if how == 'fuzzy' else '位置'}"
                                           f"对应到「{target}」"))
        for raw in group.rows:
            checked = _validated(raw, model, sources, spec.id, findings)
            if checked is None:
                continue
            row, src = checked
            if src.number in seen:
                findings.append(Finding(section=spec.id, kind="duplicate_row", severity="warning", marker=src.number,
                                        sentence=_shown(raw), detail=f"资料 [{src.number}] 已有一行，重复的条目已删除"))
                continue
            # A group the template does not know: its rows still belong where their source was retrieved.
            home = target or (src.group if src.group in out else "")
            if not home:
                # not lost: the item is named on the section's "其他相关动态" line (see render_digest)
                findings.append(Finding(section=spec.id, kind="unplaced_row", severity="warning",
                                        marker=src.number, sentence=_shown(raw),
                                        detail=f"条目所在的表「{group.title or '（空）'}」无法对应到本节的任何表，"
                                               "已列入其他相关动态"))
                homeless.append(src)
                seen.add(src.number)
                continue
            seen.add(src.number)
            out[home].append((row, src))
    return out, matched


def render_digest(answer: Envelope | Mapping[str, Any], packed: PackedContext, spec: SectionSpec,
                  institution: str) -> tuple[str, list[Finding]]:
    """Markdown for a digest section. Groups are matched by exact title, fuzzy title or position; rows by their
    source number (int or numeric string), each row validated alone against the section's row model. Whatever
    cannot be read or placed is reported, never silently dropped."""
    answer = answer if isinstance(answer, Envelope) else envelope(answer)
    sources = packed.by_number()
    findings: list[Finding] = []
    columns = tuple(spec.columns)
    funding = columns in (FUNDING_COLUMNS, LEGACY_FUNDING_COLUMNS)
    policy = columns == POLICY_COLUMNS
    if not (funding or policy):
        columns = NEWS_COLUMNS
    model: type[Row] = FundingRow if funding else PolicyRow if policy else NewsRow
    parts = [answer.lead.strip()]
    findings += [Finding(section=spec.id, kind="malformed_row", severity="warning", sentence=what,
                         detail=f"模型回答中无法读取的部分已忽略（{what}）") for what in answer.unreadable]
    homeless: list[Source] = []
    placed, matched = _place_rows(answer, spec, model, sources, findings, homeless)
    for rspec in spec.retrieval:
        rows, used = [], []
        for row, src in placed[rspec.title]:
            used.append(src)
            if isinstance(row, FundingRow):
                rows.append(_funding_row(row, src, columns))
                findings += _missing_cells(row, src, spec.id)
            elif isinstance(row, PolicyRow):
                rows.append(_policy_row(row, src))
            else:
                rows.append(_news_row(row, src))
        if rows:
            line = f"{rspec.source_line or '资料来源：'}{join_unique(s.source for s in used)}，{institution}整理"
            parts.append(_table(rspec.title, columns, rows, line))
        parts.append(_others(matched.get(rspec.title), sources, spec.id, findings))
    if homeless:
        parts.append("其他相关动态：" + "；".join(f"{s.title.strip().rstrip('。')}[{s.number}]"
                                            for s in sorted(homeless, key=lambda s: s.date)) + "。")
    markdown = "\n\n".join(p for p in parts if p)
    return markdown, findings + unprinted_findings(packed, markdown, spec.id)
