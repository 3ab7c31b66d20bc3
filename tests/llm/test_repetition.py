"""The streamed loop detector (pure): loops are found within a few hundred characters, real answers are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.llm.repetition import RepetitionGuard

# the target report beside the project (../shared), also from a worktree one level deeper
SEEDS = [p / "shared" / "seeds" / "000_c2331d6579c8d121.txt" for p in Path(__file__).resolve().parents[2:5]]


def _first_loop(text: str, chunk: int = 16) -> tuple[int, str] | None:
    guard = RepetitionGuard()
    for i in range(0, len(text), chunk):
        if found := guard.feed(text[i:i + chunk]):
            return i, found
    return None


def test_a_repeated_phrase_a_repeated_heading_and_blank_output_are_loops() -> None:
    start = "本月进展较多[1]。\n\n"
    phrase = _first_loop(start + "模型能力持续提升，推理成本继续下降，应用加速落地。[1]" * 40)
    assert phrase is not None and phrase[0] - len(start) < 700
    # what the 0.5B model did on the real server: the prompt's heading template, section after section
    heading = _first_loop("开头\n" + "### （五）前沿技术动态\n\n#### 1. 主题标题\n内容说明。\n" * 8)
    assert heading is not None and heading[0] < 400 and "重复" in heading[1]
    assert _first_loop("{" + " " * 1000) is not None


def test_pretty_printed_json_rows_with_repeated_values_are_no_loop() -> None:
    rows = [{"source": i, "company": f"公司{chr(0x4E00 + i * 7)}{chr(0x4E00 + i * 13)}", "track": "人工智能",
             "round": "未披露", "amount": "未披露", "investors": "未披露",
             "intro": f"{chr(0x4E00 + i * 17)}{chr(0x4E00 + i * 19)}领域的初创企业，主营{chr(0x4E00 + i * 23)}产品",
             "missing": ["round", "amount", "investors"]} for i in range(1, 15)]
    answer = json.dumps({"lead": "本月融资活跃[1]。", "groups": [{"title": "投融资", "rows": rows}]},
                        ensure_ascii=False, indent=2)
    assert _first_loop(answer) is None
    same = json.dumps({"groups": [{"rows": [{"source": 1, "company": "公司甲", "track": "人工智能"}] * 30}]},
                      ensure_ascii=False, indent=2)
    assert _first_loop(same) is not None  # the same row over and over is one


def test_the_seed_report_itself_is_no_loop() -> None:
    seed = next((p for p in SEEDS if p.is_file()), None)
    if seed is None:
        pytest.skip("the seed report (../shared/seeds) is not beside this checkout")
    # its page footer repeats on every page: a layout line, left out as a model would not write it
    text = "\n".join(ln for ln in seed.read_text(encoding="utf-8").splitlines() if "免责声明" not in ln)
    assert _first_loop(text) is None
