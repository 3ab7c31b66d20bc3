"""What the model stage receives and returns: one request/response pair shared by both engines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from assistant.engine.packed import PackedContext
from assistant.engine.spec import SectionSpec
from assistant.models import TableSet

__all__ = ["OFFLINE_HONOURS", "AdviceBrief", "DepBrief", "Editing", "Engine", "Generation", "GenerationRequest",
           "ThesisBrief", "offline_refusal", "parse_instruction"]


@dataclass(frozen=True)
class DepBrief:
    """A drafted section as input to a summarising section: its label and lead, markers in the caller's numbering."""

    section: str
    label: str
    lead: str


@dataclass(frozen=True)
class ThesisBrief:
    """One core view to draft: the analyst's (from views.yaml) or proposed from the month's events.

    ``sources`` are its evidence, numbered as in the request's packed sources. ``view`` is the analyst's text,
    printed verbatim by code; a model may only propose a view where it is empty, and that one is marked.
    """

    headline: str
    view: str = ""
    query: str = ""
    sources: tuple[int, ...] = ()
    market: bool = False  # supported by the month's computed market figures instead of news
    stocks: tuple[str, ...] = ()
    proposed: bool = False
    # the names its evidence must speak of (drafting/thesis_names.py), and those of the view no item supports
    names: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdviceBrief:
    """One investment direction: the analyst's theme and stocks, or a theme of the month awaiting the analyst."""

    theme: str
    sources: tuple[int, ...] = ()  # the theme's catalysts of the month
    stocks: tuple[str, ...] = ()
    proposed: bool = False


@dataclass(frozen=True)
class Editing:
    """An editor's regenerate instruction, reduced to what the offline engine can apply."""

    instruction: str = ""
    concise: bool = False
    prefer: tuple[str, ...] = ()
    current_markdown: str | None = None
    # Parts of the instruction the offline engine cannot apply (it refuses them; a model engine reads them).
    unsupported: tuple[str, ...] = ()


@dataclass
class GenerationRequest:
    section: SectionSpec
    messages: list[tuple[str, str]]  # (role, content) for a chat model
    packed: PackedContext
    tables: TableSet
    values: dict[str, str]  # month_label, institution, rating ... (also the prompt's variables)
    briefs: list[DepBrief] = field(default_factory=list)
    editing: Editing = field(default_factory=Editing)
    theses: list[ThesisBrief] = field(default_factory=list)  # core_views only
    advice: list[AdviceBrief] = field(default_factory=list)  # investment_advice only
    answer_retry: int = 0  # 1 on the corrective re-ask after a failed answer check (logged with each call)
    deadline: float | None = None  # time.monotonic() by which all of the section's model calls have ended


@dataclass
class Generation:
    text: str
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    attempts: int = 1
    parameters: dict[str, float | int | str | None] = field(default_factory=dict)


class Engine(Protocol):
    name: str

    def generate(self, request: GenerationRequest) -> Generation: ...


_CONCISE = re.compile(r"(更?简洁|精简|缩短|简短|压缩|shorter|concise)", re.IGNORECASE)
_PREFER = re.compile(r"(?:突出|强调|重点(?:关注|写)?|侧重|聚焦)\s*[「“\"']?([^，,。；;「」“”\"'\s]+)")


OFFLINE_HONOURS = "离线引擎只能执行“更简洁”（按篇幅缩短）和“突出 X”（把提到 X 的内容排在前面）"
_CLAUSE_SPLIT = re.compile(r"[，,。；;！!？?\n]+")
# Politeness and degree words that carry no instruction of their own ("请更简洁一些" is just 更简洁).
_FILLER = re.compile(r"(请|帮我|麻烦|把|将|本节|这一?节|章节|内容|正文|文字|写得|写|改得|改|再|更|稍微|一些|一点|点|些|"
                     r"并且|并|同时|以及|和|与|及|吧|呢|一下|的|地|得|了|\s)")


def _unsupported(instruction: str) -> tuple[str, ...]:
    """Clauses that are neither 更简洁-like nor 突出X-like (after dropping filler words)."""
    out: list[str] = []
    for clause in _CLAUSE_SPLIT.split(instruction):
        rest = _FILLER.sub("", _PREFER.sub("", _CONCISE.sub("", clause)))
        if rest.strip("“”\"'「」()（）:： "):
            out.append(clause.strip())
    return tuple(out)


def parse_instruction(instruction: str, current_markdown: str | None = None) -> Editing:
    """更简洁 -> fewer sentences; 突出X -> rank items mentioning X first. Anything else is listed in
    ``unsupported``: the offline engine refuses it, a model engine reads the instruction itself."""
    prefer = tuple(m.strip() for m in _PREFER.findall(instruction) if m.strip())
    return Editing(instruction=instruction, concise=bool(_CONCISE.search(instruction)), prefer=prefer,
                   current_markdown=current_markdown, unsupported=_unsupported(instruction))


def offline_refusal(editing: Editing, section_kind: str | None) -> str | None:
    """Why the offline engine cannot honour ``editing`` on a section of ``section_kind``; None if it can.

    The offline engine raises this message; job submission shows it at once instead of queueing a job that must
    fail."""
    if editing.unsupported:
        listed = "、".join(f"“{u}”" for u in editing.unsupported)
        return f"离线引擎无法执行指令 {listed}。{OFFLINE_HONOURS}；其他指令请配置模型引擎（openai）。"
    if section_kind == "market" and (editing.concise or editing.prefer):
        return "市场行情回顾由行情数据逐句生成，离线引擎不能按指令缩短或调整侧重；请直接编辑正文。"
    return None
