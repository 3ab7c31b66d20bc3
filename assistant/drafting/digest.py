"""Digest sections: the engine returns JSON rows, code renders the dated Markdown tables (like seed tables 6-12).

Dates, publishers and the citation of each row come from the source's metadata, not from the model.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from assistant.drafting.context import PackedContext, Source
from assistant.drafting.template import SectionSpec
from assistant.drafting.text import join_unique
from assistant.errors import DraftingError
from assistant.models import Finding

__all__ = ["FUNDING_COLUMNS", "NEWS_COLUMNS", "MalformedOutput", "loads_json", "match_groups", "render_digest",
           "source_number"]

NEWS_COLUMNS = ("日期", "具体内容")
FUNDING_COLUMNS = ("融资方", "赛道", "融资日期", "融资轮次", "融资金额", "本轮投资方")
FUZZY_MIN = 0.6
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


class MalformedOutput(DraftingError):
    """The model's answer is not the JSON the section asked for."""


def loads_json(text: str) -> dict[str, Any]:
    body = _FENCE.sub("", text).strip()
    start, end = body.find("{"), body.rfind("}")
    if start == -1 or end <= start:
        raise MalformedOutput("模型输出不是 JSON 对象")
    try:
        data = json.loads(body[start:end + 1])
    except json.JSONDecodeError as exc:
        raise MalformedOutput(f"模型输出的 JSON 无法解析: {exc.msg}（第 {exc.pos} 个字符）") from exc
    if not isinstance(data, dict) or not isinstance(data.get("groups", []), list):
        raise MalformedOutput("模型输出的 JSON 缺少 groups 列表")
    return data


def _cell(value: object) -> str:
    text = str(value or "").replace("|", "｜").replace("\r", " ").replace("\n", " ").strip()
    return text or "-"


def source_number(value: object) -> int | None:
    """A row's ``source`` as models write it: 3, 3.0, "3", "[3]", "n=3" -> 3; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(?:n\s*=?\s*)?\[?\s*(\d{1,3})\s*\]?\s*", value)):
        return int(m.group(1))
    return None


def _row_source(row: object, sources: dict[int, Source], section: str, findings: list[Finding]) -> Source | None:
    raw = row.get("source") if isinstance(row, dict) else None
    number = source_number(raw)
    if number is not None and number in sources:
        return sources[number]
    findings.append(Finding(section=section, kind="invented_citation", severity="warning", marker=number,
                            sentence=json.dumps(row, ensure_ascii=False)[:200],
                            detail=f"条目的来源编号 {raw!r} 不是本节资料中的编号，已删除该行"))
    return None


def _news_row(row: dict[str, Any], src: Source) -> list[str]:
    summary = str(row.get("summary") or "").strip()
    if not re.search(r"\[\d+\]", summary):
        summary += f"[{src.number}]"
    title = str(row.get("title") or src.title).strip().rstrip("。")
    return [f"{src.date.month}.{src.date.day}", f"**{_cell(title)}**：{_cell(summary)}"]


def _funding_row(row: dict[str, Any], src: Source) -> list[str]:
    investors = f"{_cell(row.get('investors'))}[{src.number}]"
    return [_cell(row.get("company")), _cell(row.get("track")), src.date.strftime("%Y/%-m/%-d"),
            _cell(row.get("round")), _cell(row.get("amount")), investors]


def _table(title: str, columns: tuple[str, ...], rows: list[list[str]], source_line: str) -> str:
    lines = [f"表：{title}", "", "| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join([*lines, "", source_line])


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


def _groups(data: dict[str, Any]) -> list[dict[str, Any]]:
    groups = [g for g in data.get("groups") or [] if isinstance(g, dict)]
    if not groups and isinstance(data.get("rows"), list):  # one table answered without the groups wrapper
        groups = [{"title": "", "rows": data["rows"]}]
    return groups


def _place_rows(data: dict[str, Any], spec: SectionSpec, sources: dict[int, Source],
                findings: list[Finding]) -> dict[str, list[tuple[dict[str, Any], Source]]]:
    titles = [r.title for r in spec.retrieval]
    groups = _groups(data)
    placed = match_groups(titles, [str(g.get("title") or "") for g in groups])
    out: dict[str, list[tuple[dict[str, Any], Source]]] = {t: [] for t in titles}
    seen: set[int] = set()
    for i, group in enumerate(groups):
        target, how = placed.get(i, ("", ""))
        if how in ("fuzzy", "position"):
            findings.append(Finding(section=spec.id, kind="digest_group_remapped", severity="info",
                                    sentence=str(group.get("title") or "")[:100],
                                    detail=f"模型的表名「{group.get('title') or '（空）'}」按{'标题相似' if how == 'fuzzy' else '位置'}"
                                           f"对应到「{target}」"))
        for row in group.get("rows") or []:
            src = _row_source(row, sources, spec.id, findings)
            if src is None:
                continue
            if src.number in seen:
                findings.append(Finding(section=spec.id, kind="duplicate_row", severity="warning", marker=src.number,
                                        sentence=json.dumps(row, ensure_ascii=False)[:200],
                                        detail=f"资料 [{src.number}] 已有一行，重复的条目已删除"))
                continue
            # A group the template does not know: its rows still belong where their source was retrieved.
            home = target or (src.group if src.group in out else "")
            if not home:
                findings.append(Finding(section=spec.id, kind="unplaced_row", severity="blocking",
                                        marker=src.number, sentence=json.dumps(row, ensure_ascii=False)[:200],
                                        detail=f"条目所在的表「{group.get('title') or '（空）'}」无法对应到本节的任何表，"
                                               "该行未写入"))
                continue
            seen.add(src.number)
            out[home].append((row if isinstance(row, dict) else {}, src))
    return out


def render_digest(data: dict[str, Any], packed: PackedContext, spec: SectionSpec,
                  institution: str) -> tuple[str, list[Finding]]:
    """Markdown for a digest section. Groups are matched by exact title, fuzzy title or position; rows by their
    source number (int or numeric string). Whatever cannot be placed is reported, never silently dropped."""
    sources = packed.by_number()
    findings: list[Finding] = []
    funding = tuple(spec.columns) == FUNDING_COLUMNS
    columns = FUNDING_COLUMNS if funding else NEWS_COLUMNS
    lead = data.get("lead")
    parts = [lead.strip() if isinstance(lead, str) else ""]
    placed = _place_rows(data, spec, sources, findings)
    for rspec in spec.retrieval:
        rows, used = [], []
        for row, src in placed[rspec.title]:
            used.append(src)
            rows.append(_funding_row(row, src) if funding else _news_row(row, src))
        if rows:
            line = f"{rspec.source_line or '资料来源：'}{join_unique(s.source for s in used)}，{institution}整理"
            parts.append(_table(rspec.title, columns, rows, line))
    return "\n\n".join(p for p in parts if p), findings
