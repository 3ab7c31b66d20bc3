"""Regenerate instructions on the offline engine: what it honours (更简洁 by length, 突出X by ranking) and what it
refuses with a message instead of pretending."""

from __future__ import annotations

from fakes.jobs import make_job

from assistant.drafting.offline import OfflineEngine
from assistant.drafting.runner import draft_sections, run_section
from assistant.engine.request import parse_instruction


def test_parse_instruction_lists_what_the_offline_engine_cannot_do() -> None:
    assert parse_instruction("请写得更简洁一点").unsupported == ()
    assert parse_instruction("请突出“算力”，更简洁").unsupported == ()
    assert parse_instruction("重点关注英伟达").prefer == ("英伟达",)
    assert parse_instruction("把语气改得更谨慎").unsupported == ("把语气改得更谨慎",)
    assert parse_instruction("更简洁，并删除第二段").unsupported == ("并删除第二段",)


def test_offline_engine_refuses_free_instructions_and_keeps_the_rating_when_concise() -> None:
    job = make_job(OfflineEngine())
    outcomes = draft_sections(job, job.template.sections, {})
    spec = job.template.section("investment_advice")
    deps = {d: outcomes[d] for d in spec.depends_on if d in outcomes}
    base = outcomes["investment_advice"].draft.markdown
    concise = run_section(job, spec, deps, editing=parse_instruction("更简洁")).draft
    assert concise.status != "failed" and len(concise.markdown) < len(base)
    rating = next(s for s in base.split("。") if "评级" in s)
    assert rating in concise.markdown  # shorter, but the rating sentence stays

    refused = run_section(job, spec, deps, editing=parse_instruction("把语气改得更谨慎")).draft
    assert refused.status == "failed" and "离线引擎无法执行指令" in (refused.error or "")
    market = run_section(job, job.template.section("market_review"), {}, editing=parse_instruction("更简洁")).draft
    assert market.status == "failed" and "请直接编辑正文" in (market.error or "")
