"""The report template (``prompts/templates/<id>.yaml``): which sections, in which order, drafted how.

The section list is configuration, not code: an analyst can reorder, retitle or re-query sections by editing
the YAML. Paths inside the template are relative to the ``prompts/`` folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant import PROJECT_DIR
from assistant.errors import PromptError

__all__ = [
    "PROMPTS_DIR",
    "ReportTemplate",
    "RetrievalSpec",
    "SectionKind",
    "SectionSpec",
    "load_template",
]

PROMPTS_DIR = PROJECT_DIR / "prompts"

SectionKind = Literal["core_views", "market", "digest", "writeup", "advice", "static", "disclosures"]


class RetrievalSpec(BaseModel):
    """One retrieval: the queries, the category filter and the date window (report month unless background)."""

    title: str = ""  # a digest group's table title, e.g. "数据要素最新新闻及政策"
    queries: list[str]
    categories: list[str] | None = None
    background: bool = False
    k: int = 8
    max_items: int = 8
    source_line: str = ""  # "资料来源：…" prefix for a digest table; the institution is appended


class SectionSpec(BaseModel):
    id: str
    title: str
    chapter: str = ""  # the numbered chapter heading this section opens, e.g. "二、人工智能产业政策动态"
    kind: SectionKind
    prompt: str = ""  # prompt file for the model engine, relative to prompts/
    offline: str = ""  # data-to-text file for the offline engine (market sections)
    retrieval: list[RetrievalSpec] = Field(default_factory=list)
    tables: list[str] = Field(default_factory=list)
    required_tables: list[str] = Field(default_factory=list)
    charts: list[str] = Field(default_factory=list)
    budget_tokens: int = 1200
    depends_on: list[str] = Field(default_factory=list)
    label: str = ""  # short label used when core_views summarises this section
    lead: str = ""  # offline lead sentence template (strict renderer variables)
    themes: list[str] = Field(default_factory=list)  # investment_advice: configured focus directions
    items: list[str] = Field(default_factory=list)  # static sections: the configured bullet items
    columns: list[str] = Field(default_factory=list)  # digest table columns


class ReportTemplate(BaseModel):
    id: str
    version: int = 1
    title: str = ""
    sections: list[SectionSpec]
    content_hash: str = ""

    def section(self, section_id: str) -> SectionSpec:
        for spec in self.sections:
            if spec.id == section_id:
                return spec
        raise PromptError(f"模板 {self.id} 中没有章节 {section_id}")

    def ids(self) -> list[str]:
        return [s.id for s in self.sections]


def _check_graph(template: ReportTemplate, path: Path) -> None:
    ids = template.ids()
    if len(set(ids)) != len(ids):
        raise PromptError(f"模板 {path} 中章节 id 重复: {ids}")
    for spec in template.sections:
        unknown = [d for d in spec.depends_on if d not in ids]
        if unknown:
            raise PromptError(f"模板 {path} 章节 {spec.id} 的 depends_on 引用了不存在的章节: {unknown}")
        if spec.id in spec.depends_on:
            raise PromptError(f"模板 {path} 章节 {spec.id} 依赖自身")


def load_template(name: str = "monthly_ai", prompts_dir: Path = PROMPTS_DIR) -> ReportTemplate:
    """Load ``prompts/templates/<name>.yaml`` (or a path) and validate it."""
    path = Path(name) if name.endswith((".yaml", ".yml")) else prompts_dir / "templates" / f"{name}.yaml"
    if not path.is_file():
        raise PromptError(f"报告模板不存在: {path}")
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
        template = ReportTemplate.model_validate({**data, "content_hash": hashlib.sha256(raw).hexdigest()})
    except (yaml.YAMLError, UnicodeDecodeError, TypeError) as exc:
        raise PromptError(f"报告模板 {path} 无法解析: {exc}") from exc
    except ValidationError as exc:
        raise PromptError(f"报告模板 {path} 字段无效: {exc}") from exc
    _check_graph(template, path)
    return template
