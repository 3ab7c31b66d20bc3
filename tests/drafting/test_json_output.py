"""One JSON locator for both model paths: what it accepts, and each caller's own wording of what it refuses."""

from __future__ import annotations

import pytest

from assistant.drafting.digest import MalformedOutput, loads_json
from assistant.engine.output import JsonOutputError, extract_json
from assistant.engine.spec import SectionSpec
from assistant.llm.structured import InvalidStructure, validate_answer

DIGEST = SectionSpec(id="data_policy", title="数据要素", kind="digest", columns=["日期", "具体内容"])


@pytest.mark.parametrize("text", [
    '{"lead": "导语", "groups": []}',
    '```json\n{"lead": "导语", "groups": []}\n```',
    '好的，以下是结果：\n{"lead": "导语", "groups": []}\n以上。',
])
def test_the_object_is_found_in_fences_and_prose(text: str) -> None:
    assert extract_json(text) == {"lead": "导语", "groups": []}


def test_problems_are_named_with_the_decoders_position() -> None:
    with pytest.raises(JsonOutputError) as missing:
        extract_json("没有对象")
    assert missing.value.problem == "missing"
    with pytest.raises(JsonOutputError) as syntax:
        extract_json('{"lead": "导语",}')
    assert (syntax.value.problem, syntax.value.pos) == ("syntax", 14)
    assert syntax.value.msg.startswith("Expecting property name")


def test_the_model_path_words_problems_for_the_retry_prompt() -> None:
    with pytest.raises(InvalidStructure, match=r"^输出中没有 JSON 对象$"):
        validate_answer(DIGEST, "没有对象")
    with pytest.raises(InvalidStructure, match=r"^JSON 无法解析：Expecting property name .*（第 14 个字符）$"):
        validate_answer(DIGEST, '{"lead": "导语",}')
    with pytest.raises(InvalidStructure, match=r"^JSON 不符合格式：groups: Field required"):
        validate_answer(DIGEST, '{"lead": "导语"}')
    assert validate_answer(DIGEST, '```\n{"lead": "导语", "groups": []}\n```') == '{"lead":"导语","groups":[]}'


def test_the_drafting_path_words_problems_for_the_editor() -> None:
    with pytest.raises(MalformedOutput, match=r"^模型输出不是 JSON 对象$"):
        loads_json("没有对象")
    with pytest.raises(MalformedOutput, match=r"^模型输出的 JSON 无法解析: Expecting property name .*（第 14 个字符）$"):
        loads_json('{"lead": "导语",}')
    with pytest.raises(MalformedOutput, match=r"^模型输出的 JSON 缺少 groups 列表$"):
        loads_json('{"lead": "导语", "groups": {"title": "x"}}')
    # Sections without groups (core views, advice) and extra keys pass through untouched.
    assert loads_json('{"theses": [{"facts": "事实[1]"}]}') == {"theses": [{"facts": "事实[1]"}]}
