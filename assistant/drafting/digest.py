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

__all__ = ["FUNDING_COLUMNS", "NEWS_COLUMNS", "MalformedOutput", "loads_json", "render_digest"]

NEWS_COLUMNS = ("日期", "具体内容")
FUNDING_COLUMNS = ("融资方", "赛道", "融资日期", "融资轮次", "融资金额", "本轮投资方")
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


def _funding_row(row: dict[str, Any], src: Source) -> list[str]:
    investors = f"{_cell(row.get('investors'))}[{src.number}]"
    return [_cell(row.get("company")), _cell(row.get("track")), src.date.strftime("%Y/%-m/%-d"),
            _cell(row.get("round")), _cell(row.get("amount")), investors]


def _table(title: str, columns: tuple[str, ...], rows: list[list[str]], source_line: str) -> str:
    lines = [f"表：{title}", "", "| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join([*lines, "", source_line])


def render_digest(data: dict[str, Any], packed: PackedContext, spec: SectionSpec,
                  institution: str) -> tuple[str, list[Finding]]:
    """Markdown for a digest section; rows citing unknown sources are dropped and reported."""
    sources = packed.by_number()
    findings: list[Finding] = []
    funding = tuple(spec.columns) == FUNDING_COLUMNS
    columns = FUNDING_COLUMNS if funding else NEWS_COLUMNS
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
            rows.append(_funding_row(row, src) if funding else _news_row(row, src))
        if rows:
            line = f"{rspec.source_line or '资料来源：'}{join_unique(s.source for s in used)}，{institution}整理"
            parts.append(_table(rspec.title, columns, rows, line))
    return "\n\n".join(p for p in parts if p), findings
