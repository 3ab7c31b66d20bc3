"""Digest sections: the engine returns JSON rows, code renders the dated Markdown tables (like seed tables 6-12).

Dates, publishers and the citation of each row come from the source's metadata, not from the model.
"""

from __future__ import annotations

import json
import re
from typing import Any

from assistant.drafting.context import PackedContext, Source
from assistant.drafting.template import SectionSpec
from assistant.drafting.text import join_unique
from assistant.errors import DraftingError
from assistant.models import Finding

__all__ = ["FUNDING_COLUMNS", "LEGACY_FUNDING_COLUMNS", "NEWS_COLUMNS", "POLICY_COLUMNS", "MalformedOutput",
           "loads_json", "render_digest", "unprinted_findings"]

NEWS_COLUMNS = ("日期", "具体内容")
FUNDING_COLUMNS = ("融资方", "赛道", "简介", "融资日期", "融资轮次", "融资金额", "本轮投资方")  # seed table 12
LEGACY_FUNDING_COLUMNS = ("融资方", "赛道", "融资日期", "融资轮次", "融资金额", "本轮投资方")  # templates before 简介
POLICY_COLUMNS = ("中央/地方", "发布机构", "时间", "文件名称", "主要内容")  # seed table 11
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


def _row_source(row: object, sources: dict[int, Source], section: str, findings: list[Finding]) -> Source | None:
    number = row.get("source") if isinstance(row, dict) else None
    if isinstance(number, int) and number in sources:
        return sources[number]
    findings.append(Finding(section=section, kind="invented_citation", severity="warning",
                            marker=number if isinstance(number, int) else None,
                            sentence=json.dumps(row, ensure_ascii=False)[:200],
                            detail="条目引用了不存在的来源，已删除该行"))
    return None


def _news_row(row: dict[str, Any], src: Source) -> list[str]:
    summary = str(row.get("summary") or "").strip()
    if not re.search(r"\[\d+\]", summary):
        summary += f"[{src.number}]"
    title = str(row.get("title") or src.title).strip().rstrip("。")
    return [f"{src.date.month}.{src.date.day}", f"**{_cell(title)}**：{_cell(summary)}"]


def _funding_row(row: dict[str, Any], src: Source, columns: tuple[str, ...]) -> list[str]:
    investors = f"{_cell(row.get('investors'))}[{src.number}]"
    cells = {"融资方": _cell(row.get("company")), "赛道": _cell(row.get("track")), "简介": _cell(row.get("intro")),
             "融资日期": src.date.strftime("%Y/%-m/%-d"), "融资轮次": _cell(row.get("round")),
             "融资金额": _cell(row.get("amount")), "本轮投资方": investors}
    return [cells[c] for c in columns]


def _policy_row(row: dict[str, Any], src: Source) -> list[str]:
    summary = str(row.get("summary") or "").strip()
    if not re.search(r"\[\d+\]", summary):
        summary += f"[{src.number}]"
    return [_cell(row.get("level")), _cell(row.get("issuer")), src.date.strftime("%Y/%-m/%-d"),
            _cell(row.get("name")), _cell(summary)]


def _missing_cells(row: dict[str, Any], src: Source, section: str) -> list[Finding]:
    """A funding cell the item does not fill is printed blank and named, never guessed or cut."""
    missing = [str(m) for m in row.get("missing") or [] if m]
    if not missing:
        return []
    return [Finding(section=section, kind="funding_cell_missing", severity="warning", marker=src.number,
                    sentence=src.title, detail=f"{src.title}：资料未写明{'、'.join(missing)}，单元格留空待补")]


def _others(group: dict[str, Any], sources: dict[int, Source]) -> str:
    """Items the table's cap left out, or that are not table material: named, cited, never dropped silently."""
    lines: list[tuple[Any, str]] = []
    names: list[str] = []
    for other in group.get("others") or []:
        number = other.get("source") if isinstance(other, dict) else None
        src = sources.get(number) if isinstance(number, int) else None
        if src is None:
            continue
        summary = str(other.get("summary") or "").strip()
        if summary:
            dated = re.match(r"^\s*(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日", summary)
            lines.append((src.date, summary if dated else f"{src.date.month} 月 {src.date.day} 日，{summary}"))
        else:
            names.append(f"{src.title.rstrip('。')}[{src.number}]")
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


def render_digest(data: dict[str, Any], packed: PackedContext, spec: SectionSpec,
                  institution: str) -> tuple[str, list[Finding]]:
    """Markdown for a digest section; rows citing unknown sources are dropped and reported."""
    sources = packed.by_number()
    findings: list[Finding] = []
    columns = tuple(spec.columns)
    funding = columns in (FUNDING_COLUMNS, LEGACY_FUNDING_COLUMNS)
    policy = columns == POLICY_COLUMNS
    if not (funding or policy):
        columns = NEWS_COLUMNS
    parts = [str(data.get("lead") or "").strip()]
    groups = {str(g.get("title", "")): g for g in data.get("groups", []) if isinstance(g, dict)}
    for rspec in spec.retrieval:
        group = groups.get(rspec.title, {"rows": []})
        rows, used = [], []
        for row in group.get("rows") or []:
            src = _row_source(row, sources, spec.id, findings)
            if src is None:
                continue
            used.append(src)
            if funding:
                rows.append(_funding_row(row, src, columns))
                findings += _missing_cells(row, src, spec.id)
            else:
                rows.append(_policy_row(row, src) if policy else _news_row(row, src))
        if rows:
            line = f"{rspec.source_line or '资料来源：'}{join_unique(s.source for s in used)}，{institution}整理"
            parts.append(_table(rspec.title, columns, rows, line))
        parts.append(_others(group, sources))
    markdown = "\n\n".join(p for p in parts if p)
    return markdown, findings + unprinted_findings(packed, markdown, spec.id)
