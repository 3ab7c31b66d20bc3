"""The JSON answers of digest, core-views and advice sections as pydantic models: one definition for the schema
sent to the server (``llm.structured``) and for the rendering code that reads the answer (``drafting``).

Models write the same thing many ways: a source as 3, 3.0, "3", "[3]" or "n=3"; a number where a text cell was
asked; ``null`` for an empty cell. Those are read, not refused. What cannot be read (an object where a cell was
asked, a source that is no number) fails validation of its own row, so a caller validating row by row reports and
drops that row and keeps the others (``Envelope`` keeps rows unvalidated for that reason).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assistant.engine.spec import SectionSpec

__all__ = [
    "AdviceAnswer", "CoreViewsAnswer", "DigestAnswer", "DirectionCatalysts", "Envelope", "FundingAnswer",
    "FundingGroup", "FundingRow", "GroupEnvelope", "NewsGroup", "NewsRow", "OtherItem", "PolicyAnswer",
    "PolicyGroup", "PolicyRow", "Sourced", "ThesisEvidence", "answer_model", "field_problems", "source_number",
]


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


def field_problems(exc: ValidationError) -> str:
    """The fields the model got wrong, by name (``amount: Input should be a valid string``), for a finding."""
    return "；".join(f"{'.'.join(str(p) for p in e['loc']) or '条目'}: {e['msg']}" for e in exc.errors()[:3])


def _shown(value: object) -> str:
    return repr(value)[:80]


def _source(value: object) -> int:
    number = source_number(value)
    if number is None:
        raise ValueError("不是资料编号（应为整数 n）")
    return number


def _text(value: object) -> object:
    """A text cell: null is empty, a number is its digits; anything else is left for ``str`` to refuse."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _texts(value: object) -> object:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


def _listed(value: object) -> object:
    """Rows or items: null is none, a single object is one (each element is validated later, on its own)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


SourceNumber = Annotated[int, BeforeValidator(_source)]
Text = Annotated[str, BeforeValidator(_text)]


class Sourced(BaseModel):
    """Only a row's ``source`` as written: read first, so a row with a bad cell is still reported under its
    source, and a bad source is quoted as the model wrote it."""

    source: Any = None

    @property
    def number(self) -> int | None:
        return source_number(self.source)


class NewsRow(BaseModel):
    source: SourceNumber = Field(description="资料编号 n（整数）")
    title: Text = ""
    summary: Text = ""


class FundingRow(BaseModel):
    source: SourceNumber = Field(description="资料编号 n（整数）")
    company: Text = ""
    track: Text = ""
    intro: Text = ""
    round: Text = ""
    amount: Text = ""
    investors: Text = ""
    missing: Annotated[list[Text], BeforeValidator(_texts)] = Field(default_factory=list,
                                                                     description="资料中没有写明的栏目")


class PolicyRow(BaseModel):
    source: SourceNumber = Field(description="资料编号 n（整数）")
    level: Text = Field(default="", description="中央或地方")
    issuer: Text = ""
    name: Text = ""
    summary: Text = ""


class OtherItem(BaseModel):
    """An item that is not table material (company news beside policy documents), still cited. With a summary
    it is printed as a dated sentence; without one, by its title (the source's title when empty)."""

    source: SourceNumber = Field(description="资料编号 n（整数）")
    title: Text = ""
    summary: Text = ""


class NewsGroup(BaseModel):
    title: str
    rows: list[NewsRow]
    others: list[OtherItem] = Field(default_factory=list)


class FundingGroup(BaseModel):
    title: str
    rows: list[FundingRow]
    others: list[OtherItem] = Field(default_factory=list)


class PolicyGroup(BaseModel):
    title: str
    rows: list[PolicyRow]
    others: list[OtherItem] = Field(default_factory=list)


class DigestAnswer(BaseModel):
    lead: str
    groups: list[NewsGroup]


class FundingAnswer(BaseModel):
    lead: str
    groups: list[FundingGroup]


class PolicyAnswer(BaseModel):
    lead: str
    groups: list[PolicyGroup]


def _label(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


class GroupEnvelope(BaseModel):
    """A digest group as drafting reads it: the title, and rows/items still to be validated one by one."""

    title: Annotated[str, BeforeValidator(_label)] = ""
    rows: Annotated[list[Any], BeforeValidator(_listed)] = Field(default_factory=list)
    others: Annotated[list[Any], BeforeValidator(_listed)] = Field(default_factory=list)


class Envelope(BaseModel):
    """Any JSON section answer as drafting reads it. ``groups``, when present, must be a list; an element that is
    not an object is no group. A bare ``rows`` list (one table answered without the wrapper) is one untitled
    group. ``theses``/``advice`` entries (core views, advice) stay unvalidated like rows."""

    model_config = ConfigDict(extra="allow")

    lead: str = ""
    groups: list[GroupEnvelope] = Field(default_factory=list)
    rows: list[Any] | None = None
    theses: list[Any] = Field(default_factory=list)  # core views: ThesisEvidence, validated one by one
    advice: list[Any] = Field(default_factory=list)  # advice: DirectionCatalysts, validated one by one
    unreadable: list[str] = Field(default_factory=list)  # what was set aside (a non-text lead, a non-object group)

    @model_validator(mode="before")
    @classmethod
    def _set_aside(cls, data: object) -> object:
        """A lead that is no text and groups that are no objects are set aside and named, so the caller can
        report them instead of losing them silently (the remaining groups keep their order for matching)."""
        if not isinstance(data, dict):
            return data
        data, unreadable = dict(data), []
        lead = data.get("lead")
        if lead is not None and not isinstance(lead, str):
            unreadable.append(f"lead: {_shown(lead)}")
            data["lead"] = ""
        groups = data.get("groups")
        if isinstance(groups, list):
            unreadable += [f"groups[{i}]: {_shown(g)}" for i, g in enumerate(groups) if not isinstance(g, dict)]
            data["groups"] = [g for g in groups if isinstance(g, dict)]
        elif groups is None:
            data["groups"] = []
        data["unreadable"] = unreadable
        return data

    @field_validator("theses", "advice", mode="before")
    @classmethod
    def _entries(cls, value: object) -> object:
        return value if isinstance(value, list) else []  # entries are matched by position: no list, none

    @field_validator("rows", mode="before")
    @classmethod
    def _rows(cls, value: object) -> object:
        return value if isinstance(value, list) else None  # only a list stands in for the groups wrapper

    def digest_groups(self) -> list[GroupEnvelope]:
        if not self.groups and self.rows is not None:
            return [GroupEnvelope(rows=self.rows)]
        return self.groups


class ThesisEvidence(BaseModel):
    facts: Text = Field(default="", description="本月支持事实，每句末尾 [n]")
    view: Text = Field(default="", description="仅当分析师没有给出观点时草拟，否则留空")


class CoreViewsAnswer(BaseModel):
    theses: list[ThesisEvidence]


class DirectionCatalysts(BaseModel):
    catalysts: Text = Field(default="", description="本月属于该方向的事实，每个事实后 [n]")


class AdviceAnswer(BaseModel):
    advice: list[DirectionCatalysts]


def answer_model(spec: SectionSpec) -> type[BaseModel] | None:
    """The pydantic model a section's answer must validate against (None: the section answers in Markdown)."""
    if spec.kind == "core_views":
        return CoreViewsAnswer
    if spec.kind == "advice":
        return AdviceAnswer
    if spec.kind != "digest":
        return None
    if "融资方" in spec.columns:
        return FundingAnswer
    return PolicyAnswer if "文件名称" in spec.columns else DigestAnswer
