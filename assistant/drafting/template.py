"""The report template (``prompts/templates/<id>.yaml``): which sections, in which order, drafted how.

The section list is configuration, not code: an analyst can reorder, retitle or re-query sections by editing
the YAML. Paths inside the template are relative to the ``prompts/`` folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from assistant.engine.spec import RetrievalSpec, SectionKind, SectionSpec
from assistant.errors import PromptError
from assistant.prompts import PROMPTS_DIR

__all__ = [
    "PROMPTS_DIR",
    "ReportTemplate",
    "RetrievalSpec",
    "SectionKind",
    "SectionSpec",
    "load_template",
]

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
