"""Three-way merge of section texts: non-overlapping edits both kept, overlapping ones surfaced, nothing dropped."""

from __future__ import annotations

import pytest

from assistant.review.merging import Conflict, char_spans, merge_texts, resolve, split_sentences

BASE = ("7月人工智能指数上涨5.2%[1]。国产算力加速[2]。\n\n"
        "投资建议：维持行业“推荐”评级。关注算力、模型与应用三条主线。")


def test_sentences_join_back_exactly() -> None:
    text = BASE + "\n末尾没有句号"
    assert "".join(split_sentences(text)) == text


def test_non_overlapping_edits_are_both_applied() -> None:
    mine = BASE.replace("国产算力加速[2]。", "国产算力加速，昇腾出货提升[2]。")
    theirs = BASE.replace("关注算力、模型与应用三条主线。", "关注算力、模型与应用三条主线，重点看国产替代。")
    result = merge_texts(BASE, mine, theirs)
    assert result.clean
    assert "昇腾出货提升" in result.text and "重点看国产替代" in result.text
    assert "维持行业“推荐”评级" in result.text


def test_overlapping_edits_are_a_conflict_with_both_sides() -> None:
    mine = BASE.replace("上涨5.2%", "上涨5.3%")
    theirs = BASE.replace("上涨5.2%", "大涨5.2%")
    result = merge_texts(BASE, mine, theirs)
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict == Conflict("7月人工智能指数上涨5.2%[1]。", "7月人工智能指数上涨5.3%[1]。",
                                "7月人工智能指数大涨5.2%[1]。")
    with pytest.raises(ValueError, match="conflicts"):
        _ = result.text
    assert resolve(result, ["mine"]) == mine
    assert resolve(result, ["theirs"]) == theirs
    both = resolve(result, ["both"])
    assert "上涨5.3%" in both and "大涨5.2%" in both and both.endswith("三条主线。")


def test_identical_edits_merge_to_that_text() -> None:
    same = BASE.replace("5.2%", "5.4%")
    assert merge_texts(BASE, same, same).text == same
    assert merge_texts(BASE, BASE, BASE).text == BASE
    assert merge_texts(BASE, same, BASE).text == same  # only one side changed


def test_character_spans_mark_changed_chinese_characters() -> None:
    spans = char_spans("指数上涨5.2%", "指数大涨5.2%")
    assert [(s.tag, s.text) for s in spans] == [("equal", "指数"), ("delete", "上"), ("insert", "大"),
                                                ("equal", "涨5.2%")]
