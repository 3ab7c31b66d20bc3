"""Draft the bundled sample through any OpenAI-compatible endpoint and print what the model did, per section.

Per section: status, answer-check verdict, prompt/completion tokens (the server's usage and our tiktoken count of
the messages sent), latency, finish reasons of every attempt, citations. Totals: the market_review prompt tokens
(target < 3,000) and the whole sample's prompt tokens.

    # a local llama.cpp server (llama-server -m model.gguf -c 8192 --port 8080) or llama-cpp-python's server
    python bench/bench_real_model.py --base-url http://127.0.0.1:8080/v1 --model qwen2.5-0.5b-instruct \
        --context-window 8192 --tokens-per-s 20
    # Ollama (set the context explicitly: Ollama silently truncates prompts longer than its default)
    python bench/bench_real_model.py --base-url http://127.0.0.1:11434/v1 --model qwen2.5:0.5b --context-window 8192
    # the local fake server as a fast, well-behaved model (no network, seconds)
    python bench/bench_real_model.py --fake
    # the table of a run already made (e.g. ../shared/real_llm/recipe.sh's OUT folder)
    python bench/bench_real_model.py --from out/after --sections policy_frontier,funding,core_views,tech_frontier
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from rich.console import Console
from rich.table import Table

from assistant import SAMPLE_DIR
from assistant.drafting import draft_report
from assistant.llm.calllog import CallLog, CallRecord
from assistant.models import Report
from assistant.settings import get_settings
from assistant.tokens import count_tokens

MARKET_TARGET = 3_000


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
    p.add_argument("--model", default="local-model")
    p.add_argument("--api-key", default=os.environ.get("RA_OPENAI_API_KEY", "sk-local"),
                   help="local servers accept any key (default: RA_OPENAI_API_KEY or sk-local)")
    p.add_argument("--context-window", type=int, default=None, help="the server's context in tokens")
    p.add_argument("--tokens-per-s", type=float, default=None, help="generation speed used to size deadlines")
    p.add_argument("--concurrency", type=int, default=1, help="local servers usually run one slot")
    p.add_argument("--fallback-offline", action="store_true", help="draft failing sections offline (marked)")
    p.add_argument("--fake", action="store_true", help="use the local fake server (a fast, well-behaved model)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary one)")
    p.add_argument("--from", dest="done", type=Path, default=None, help="print the table of this output folder")
    p.add_argument("--sections", default="", help="with --from: only these section ids (comma-separated)")
    args = p.parse_args()
    if not args.fake and not args.base_url and not args.done:
        p.error("--base-url is required (or --fake)")
    return args


def _per_section(records: list[CallRecord]) -> dict[str, dict[str, object]]:
    rows: dict[str, dict[str, object]] = defaultdict(lambda: {"calls": 0, "prompt": 0, "counted": 0,
                                                              "completion": 0, "latency": 0.0, "finish": [],
                                                              "tokens": set(), "refused": []})
    for r in records:
        row = rows[r.section]
        row["calls"] = int(row["calls"]) + 1  # type: ignore[call-overload]
        row["prompt"] = int(row["prompt"]) + r.prompt_tokens  # type: ignore[call-overload]
        row["counted"] = int(row["counted"]) + sum(count_tokens(m["content"]) for m in r.prompt)  # type: ignore[call-overload]
        row["completion"] = int(row["completion"]) + r.completion_tokens  # type: ignore[call-overload]
        row["latency"] = float(row["latency"]) + r.latency_s  # type: ignore[arg-type]
        finish = r.finish_reason or ("error" if r.error else "?")
        row["finish"].append(finish)  # type: ignore[union-attr]
        if r.tokens:
            row["tokens"].add(r.tokens)  # type: ignore[union-attr]
        if r.refused:
            row["refused"].append(r.refused)  # type: ignore[union-attr]
    return rows


def _print(console: Console, report: Report, records: list[CallRecord], wall: float) -> None:
    per = _per_section(records)
    table = Table(title=f"{report.engine} · {len(report.sections)} 章节 · {wall:.1f} s")
    for col in ("章节", "状态", "答案检查", "调用", "提示 tokens(服务端/tiktoken)", "输出 tokens", "计数", "耗时 s",
                "finish_reason", "降级", "回退", "引用", "说明"):
        table.add_column(col)
    for s in report.sections:
        row = per.get(s.id, {})
        note = " ".join((s.error or "；".join(sorted({f.kind for f in s.findings if f.severity != "info"}))).split())
        note = note[:70]
        prov = s.provenance
        steps = str(prov.parameters.get("step_downs") or prov.parameters.get("model_step_downs") or "") if prov else ""
        table.add_row(s.id, s.status, s.answer_check or "-", str(row.get("calls", 0)),
                      f"{row.get('prompt', 0)}/{row.get('counted', 0)}", str(row.get("completion", 0)),
                      "/".join(sorted(row.get("tokens", set()))) or "-",  # type: ignore[call-overload]
                      f"{float(row.get('latency', 0.0)):.1f}", ",".join(row.get("finish", [])) or "-",  # type: ignore[arg-type]
                      steps or ",".join(row.get("refused", [])) or "-",  # type: ignore[arg-type]
                      "是" if prov is not None and prov.fallback else "", str(len(s.citations)), note)
    console.print(table)
    drafting = [r for r in records if not r.section.startswith("ingest:")]
    classify = [r for r in records if r.section.startswith("ingest:")]
    market = sum(count_tokens(m["content"]) for r in drafting if r.section == "market_review" for m in r.prompt)
    total = sum(count_tokens(m["content"]) for r in drafting for m in r.prompt)
    cls = sum(count_tokens(m["content"]) for r in classify for m in r.prompt)
    market_calls = max(1, sum(1 for r in drafting if r.section == "market_review"))
    console.print(f"market_review 提示 tokens（tiktoken，每次调用）：{market // market_calls}（目标 < {MARKET_TARGET}）")
    console.print(f"起草提示 tokens 合计（tiktoken）：{total}；分类 {len(classify)} 次调用 {cls}；合计 {total + cls}")
    failed = [s.id for s in report.sections if s.status == "failed"]
    review = [s.id for s in report.sections if s.answer_check == "needs_review"]
    citations = sum(len(s.citations) for s in report.sections)
    console.print(f"失败 {len(failed)} {failed}；待复核 {len(review)} {review}；引用合计 {citations}；"
                  f"合规阻断 {sum(1 for f in report.checks if f.severity == 'blocking' and not f.ok)}")


def main() -> int:
    args = _args()
    console = Console(width=200)
    if args.done is not None:
        from assistant.export import load_report

        report = load_report(args.done)
        wanted = [x for x in args.sections.split(",") if x]
        if wanted:
            report = report.model_copy(update={"sections": [s for s in report.sections if s.id in wanted]})
        _print(console, report, CallLog.read(args.done / "calls.jsonl"), 0.0)
        return 0
    with ExitStack() as stack:
        base_url, model = args.base_url, args.model
        if args.fake:
            from fakes.openai_server import FakeOpenAIServer

            server = stack.enter_context(FakeOpenAIServer())
            base_url, model = server.base_url, "fake-model"
        out = args.out or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench_real_")))
        overrides: dict[str, object] = {
            "engine": "openai", "openai_api_key": args.api_key, "openai_base_url": base_url, "model": model,
            "max_concurrency": args.concurrency, "store_dir": out / "store", "embedding": "hash",
            "fallback_offline": args.fallback_offline, "context_window": args.context_window or
            (32_768 if args.fake else None)}
        if args.tokens_per_s:
            overrides["tokens_per_s"] = args.tokens_per_s
        settings = get_settings(**overrides)
        start = time.perf_counter()
        report = draft_report(SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl", out, settings, force=True)
        wall = time.perf_counter() - start
        _print(console, report, CallLog.read(out / "calls.jsonl"), wall)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
