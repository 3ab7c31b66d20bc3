"""Prompt files, the strict renderer and the report template."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.drafting.template import load_template
from assistant.errors import PromptError
from assistant.prompts import PROMPTS_DIR, load_prompt, render, render_text

CONTRACT_IDS = ["core_views", "market_review", "data_policy", "llm_dynamics", "compute_dynamics", "tech_frontier",
                "policy_frontier", "product_dynamics", "funding", "investment_advice", "risk_warnings",
                "disclosures"]
PROMPT_FILES = sorted(str(p.relative_to(PROMPTS_DIR)) for p in PROMPTS_DIR.rglob("*.md"))


def test_template_lists_contract_sections_in_seed_order() -> None:
    template = load_template("monthly_ai")
    assert template.ids() == CONTRACT_IDS
    assert template.section("data_policy").chapter == "二、人工智能产业政策动态"
    assert template.section("core_views").depends_on[-1] == "risk_warnings"
    assert len(template.content_hash) == 64
    for spec in template.sections:
        assert (PROMPTS_DIR / spec.prompt).is_file(), spec.id
        for rspec in spec.retrieval:
            assert rspec.queries and not rspec.background


@pytest.mark.parametrize("relative", PROMPT_FILES)
def test_every_prompt_file_renders_with_its_declared_variables(relative: str) -> None:
    prompt = load_prompt(relative)
    assert prompt.id and prompt.version >= 1 and len(prompt.sha256) == 64
    values = {name: f"<<{name}>>" for name in prompt.variables}
    text = prompt.render(values)
    for name in prompt.variables:
        assert f"<<{name}>>" in text
    assert "{{ " not in text
    if prompt.variables:
        with pytest.raises(PromptError, match=prompt.variables[0]):
            prompt.render({k: v for k, v in values.items() if k != prompt.variables[0]})


def test_braces_in_data_are_copied_not_interpreted() -> None:
    data = "恶意 {{instruction}} 与 {fact:theme_index.close} 以及 {0} {"
    out = render("前缀 {{sources}} 后缀 {{instruction}}", {"sources": data, "instruction": "无"},
                 declared=("sources", "instruction"), where="t")
    assert out == f"前缀 {data} 后缀 无"


def test_missing_and_none_values_are_errors_never_empty_strings() -> None:
    with pytest.raises(PromptError, match="month_label"):
        render_text("{{month_label}}，共 {{count}} 条", {"count": "3"})
    with pytest.raises(PromptError, match="count"):
        render_text("{{count}}", {"count": None})


def test_prompt_file_with_undeclared_variable_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.v1.md").write_text("---\nid: bad\nversion: 1\nvariables: [a]\n---\n{{a}} {{b}}\n",
                                        encoding="utf-8")
    with pytest.raises(PromptError, match="未声明"):
        load_prompt("bad.v1.md", prompts_dir=tmp_path)
    (tmp_path / "nofront.md").write_text("hello {{a}}", encoding="utf-8")
    with pytest.raises(PromptError, match="front matter"):
        load_prompt("nofront.md", prompts_dir=tmp_path)


def test_template_with_unknown_dependency_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("id: t\nsections:\n  - {id: a, title: A, kind: advice, depends_on: [zzz]}\n", encoding="utf-8")
    with pytest.raises(PromptError, match="zzz"):
        load_template(str(path))
