"""The bundled July 2024 sample corpus and query set: sound, faithful to the seed, and the validator catches breakage."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "assistant" / "data" / "sample"
CORPUS = SAMPLE / "corpus.jsonl"
QUERIES = SAMPLE / "queries.yaml"
SEED = ROOT / "docs" / "seed-2024-07.txt"
LLAMA = "2024-07-23-meta-llama-3-1-wallstreetcn"
LLAMA_DUP = "2024-07-23-meta-llama-3-1-rewrite-zhitong"
DISCLAIMER = "请务必阅读正文最后的中国银河证券股份有限公司免责声明。"  # page furniture the seed splits paragraphs with


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_sample_corpus", ROOT / "scripts" / "check_sample_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


chk = _load_checker()


def _records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _queries() -> list[dict[str, Any]]:
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _july_news(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if not chk.is_distractor(r) and "injection" not in r["id"]]


def _write(tmp_path: Path, records: list[dict[str, Any]], queries: list[dict[str, Any]] | None = None,
           raw_lines: dict[int, str] | None = None) -> tuple[Path, Path]:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    for index, text in (raw_lines or {}).items():
        lines.insert(index, text)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    qpath = tmp_path / "queries.yaml"
    qpath.write_text(yaml.safe_dump(_queries() if queries is None else queries, allow_unicode=True), encoding="utf-8")
    return corpus, qpath


# ---------------------------------------------------------------- the bundled files
def test_bundled_sample_passes_every_check() -> None:
    assert chk.check_sample(CORPUS, QUERIES) == []


def test_main_reports_ok_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert chk.main([str(CORPUS), str(QUERIES)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 109 items (54 July news, 54 distractors, 1 injection)")


def test_every_seed_section_is_covered_with_its_categories() -> None:
    got = Counter(r.get("category") for r in _july_news(_records()))
    # None = left for the rule classifier: 碳板块, 三星 2nm, 芯盟科技, 元鼎智能.
    assert got == {"data_policy": 9, "data_exchange": 2, "llm_domestic": 6, "llm_foreign": 5, "compute": 3,
                   "tech_frontier": 3, "policy": 7, "product": 6, "funding": 9, None: 4}
    assert sum(1 for r in _records() if "category" not in r) == 10


def test_numbers_in_july_news_come_from_the_seed() -> None:
    # A number the seed does not print would be an invented fact the draft could repeat.
    seed = _compact(SEED.read_text(encoding="utf-8"))
    for rec in _july_news(_records()):
        for number in re.findall(r"\d+(?:[.,/]\d+)*", _compact(rec["body"])):
            assert number in seed, f"{rec['id']}: {number} not in the seed"


def test_write_ups_and_products_are_verbatim_seed_paragraphs() -> None:
    seed = _compact(SEED.read_text(encoding="utf-8")).replace(DISCLAIMER, "")
    items = [r for r in _july_news(_records()) if r.get("category") in {"tech_frontier", "product"}]
    assert len(items) == 9
    for rec in items:
        assert len(rec["body"]) > 350, f"{rec['id']}: the full write-up, not a summary"
        for para in rec["body"].split("\n\n"):
            assert _compact(para) in seed, f"{rec['id']}: paragraph not in the seed: {para[:40]}"


def test_funding_items_state_every_table_12_field() -> None:
    funding = [r for r in _july_news(_records()) if "-funding-" in r["id"]]
    assert len(funding) == 11
    labels = ("融资方：", "赛道：", "简介：", "融资日期：", "融资轮次：", "融资金额：", "本轮投资方：")
    for rec in funding:
        assert all(label in rec["body"] for label in labels), rec["id"]
    baichuan = next(r for r in funding if "baichuan" in r["id"])
    assert "融资日期：2024/7/25" in baichuan["body"] and "融资金额：50 亿人民币" in baichuan["body"]


def test_injection_item_is_unique_and_phrases_appear_nowhere_else() -> None:
    records = _records()
    hits = [r for r in records if "保证收益" in r["body"] or "稳赚" in r["body"] or "稳赚" in r["title"]]
    assert [r["id"] for r in hits] == ["2024-07-16-ai-stock-tips-injection-forum"]
    assert chk.INJECTION_TEXT in hits[0]["body"] and hits[0]["category"] == "other"


def test_exactly_one_near_duplicate_pair() -> None:
    assert chk.near_duplicate_pairs(_records()) == [(LLAMA, LLAMA_DUP)]


def test_queries_cover_both_languages_and_the_july_window() -> None:
    queries = _queries()
    assert len(queries) >= 45
    english = [q for q in queries if not re.search(r"[\u4e00-\u9fff]", q["query"])]
    assert len(english) >= 8
    assert all((q["from"], q["to"]) == ("2024-07-01", "2024-07-31") for q in queries)
    llama = [q for q in queries if LLAMA in q["relevant"]]
    assert llama and all(LLAMA_DUP in q["relevant"] for q in llama)


def test_real_corpus_reader_reads_every_item_and_flags_the_sample() -> None:
    corpus_mod = pytest.importorskip("assistant.corpus")
    result = corpus_mod.read_corpus(CORPUS)
    assert result.skipped == []
    items = {i.doc_id: i for i in result.items}
    assert len(items) == 109
    assert "instruction_like" in items["2024-07-16-ai-stock-tips-injection-forum"].flags
    assert items[LLAMA_DUP].duplicate_of == LLAMA and items[LLAMA].duplicate_of is None
    # The July items left without a category must still land in their seed sections.
    assert {d: items[d].category for d in items if items[d].category_method == "rules" and d.startswith("2024-07")} == {
        "2024-07-10-samsung-2nm-ai-chip-pfn-thepaper": "compute",
        "2024-07-11-xinmeng-funding-itjuzi": "funding",
        "2024-07-17-yuanding-funding-36kr": "funding",
        "2024-07-18-sdex-carbon-board-xinhuanet": "data_exchange",
    }


# ---------------------------------------------------------------- the validator catches breakage
def _problems_after(tmp_path: Path, mutate: Any, queries: list[dict[str, Any]] | None = None,
                    raw_lines: dict[int, str] | None = None) -> list[str]:
    records = _records()
    mutate(records)
    corpus, qpath = _write(tmp_path, records, queries, raw_lines)
    return chk.check_sample(corpus, qpath)


def _by_id(records: list[dict[str, Any]], fragment: str) -> dict[str, Any]:
    return next(r for r in records if fragment in r["id"])


def test_bad_json_line_is_named_by_line(tmp_path: Path) -> None:
    problems = _problems_after(tmp_path, lambda rs: None, raw_lines={4: '{"id": "broken",'})
    assert problems == ["文件 corpus.jsonl, 第 5 行: not valid JSON (Expecting property name enclosed in double quotes)"]


def test_shape_errors_name_line_and_field(tmp_path: Path) -> None:
    def mutate(rs: list[dict[str, Any]]) -> None:
        rs[0]["category"] = "sports"
        rs[1]["date"] = "2024-07-32"
        del rs[2]["source"]
        rs[3]["id"] = rs[4]["id"]

    problems = "\n".join(_problems_after(tmp_path, mutate))
    assert "第 1 行, 字段 category: 'sports' is not one of" in problems
    assert "第 2 行, 字段 date: '2024-07-32' is not a YYYY-MM-DD date" in problems
    assert "第 3 行, 字段 source: required" in problems
    assert "duplicate id" in problems


def test_forbidden_phrase_outside_the_injection_item(tmp_path: Path) -> None:
    def mutate(rs: list[dict[str, Any]]) -> None:
        _by_id(rs, "baichuan-funding")["body"] += "投资该公司稳赚。"

    problems = _problems_after(tmp_path, mutate)
    assert len(problems) == 1 and "'稳赚' may only appear in the injection item" in problems[0]


def test_missing_or_doubled_injection_item(tmp_path: Path) -> None:
    def drop(rs: list[dict[str, Any]]) -> None:
        rs[:] = [r for r in rs if "injection" not in r["id"]]

    def double(rs: list[dict[str, Any]]) -> None:
        rs.append({**_by_id(rs, "injection"), "id": "2024-07-17-second-injection-forum", "date": "2024-07-17"})

    assert "0 items with 'injection' in the id, want exactly 1" in "\n".join(_problems_after(tmp_path, drop))
    assert "2 items with 'injection' in the id, want exactly 1" in "\n".join(_problems_after(tmp_path, double))


def test_a_lost_key_fact_is_reported(tmp_path: Path) -> None:
    def mutate(rs: list[dict[str, Any]]) -> None:
        item = _by_id(rs, "fiscal-tax-digitalization-market")
        item["body"] = item["body"].replace("702亿元", "700亿元")
        item["title"] = item["title"].replace("702亿元", "700亿元")

    problems = _problems_after(tmp_path, mutate)
    assert len(problems) == 1 and "key fact '702亿元' is missing" in problems[0]


def test_too_few_distractors(tmp_path: Path) -> None:
    def mutate(rs: list[dict[str, Any]]) -> None:
        rs[:] = [r for r in rs if not chk.is_distractor(r) or "paris" in r["id"]]

    problems = "\n".join(_problems_after(tmp_path, mutate))
    assert "2 distractors, need at least 40" in problems


def test_query_answers_must_exist_in_window_and_pair_near_duplicates(tmp_path: Path) -> None:
    queries = _queries()
    queries[0]["relevant"] = ["2023-07-17-flashattention2-release-jiqizhixin"]
    queries[1]["relevant"] = ["2024-07-12-no-such-item-xinzhiyuan"]
    llama_query = next(q for q in queries if LLAMA in q["relevant"])
    llama_query["relevant"] = [LLAMA]
    problems = "\n".join(_problems_after(tmp_path, lambda rs: None, queries=queries))
    assert "第 1 条查询, 字段 relevant: '2023-07-17-flashattention2-release-jiqizhixin' dated 2023-07-17 lies outside" \
        in problems
    assert "第 2 条查询, 字段 relevant: unknown doc id '2024-07-12-no-such-item-xinzhiyuan'" in problems
    assert "list both near-duplicates" in problems


def test_uncovered_july_item_is_reported(tmp_path: Path) -> None:
    queries = [q for q in _queries() if "2024-07-28-diting-seismic-wave-model-pconline" not in q["relevant"]]
    problems = _problems_after(tmp_path, lambda rs: None, queries=queries)
    assert problems == ["文件 queries.yaml: July item '2024-07-28-diting-seismic-wave-model-pconline' is not "
                        "relevant to any query"]
