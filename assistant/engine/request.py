"""What the model stage receives and returns: one request/response pair shared by both engines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from assistant.engine.packed import PackedContext
from assistant.engine.spec import SectionSpec
from assistant.models import TableSet

__all__ = ["AdviceBrief", "DepBrief", "Editing", "Engine", "Generation", "GenerationRequest", "ThesisBrief",
           "parse_instruction"]


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


def parse_instruction(instruction: str, current_markdown: str | None = None) -> Editing:
    """更简洁 -> fewer sentences; 突出X -> prefer sentences mentioning X. Anything else is kept for the model."""
    prefer = tuple(m.strip() for m in _PREFER.findall(instruction) if m.strip())
    return Editing(instruction=instruction, concise=bool(_CONCISE.search(instruction)), prefer=prefer,
                   current_markdown=current_markdown)

