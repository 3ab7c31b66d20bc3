"""Review UI benchmark: a 12-section report with 40 versions per section in SQLite.

Times the service queries the section page makes and a full AppTest run of the section page.
Target: each under 1 s. Run: ``python bench/bench_ui.py [--sections 12 --versions 40 --repeat 5]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.models import Citation, Report, SectionDraft, SourceRef
from assistant.review import ReviewService, add_user

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"


def build_report(n_sections: int) -> Report:
    sources = [SourceRef(marker=i, doc_id=f"n{i:03d}", title=f"来源标题 {i}", date=dt.date(2024, 7, i % 28 + 1),
                         source="新智元", url=f"https://example.com/{i}", passage="引用段落。" * 20)
               for i in range(1, 31)]
    sections = [SectionDraft(id=f"s{i:02d}", title=f"第{i}章",
                             markdown="\n\n".join(f"第{p}段 7月人工智能板块表现 [{(i + p) % 30 + 1}]。" * 3
                                                  for p in range(12)),
                             citations=[Citation(marker=(i + p) % 30 + 1, doc_id=f"n{(i + p) % 30 + 1:03d}")
                                        for p in range(12)])
                for i in range(n_sections)]
    return Report(month="2024-07", title="基准报告", engine="offline", sections=sections, sources=sources)


def seed(url: str, out_dir: Path, n_sections: int, n_versions: int) -> tuple[ReviewService, int]:
    service = ReviewService.open(url)
    editor = add_user(service.engine, "editor", "editor", PASSWORD)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(build_report(n_sections).model_dump_json(), encoding="utf-8")
    report_id = service.import_report(out_dir, None)
    for section in service.sections(report_id):
        text = section.markdown
        for number in range(1, n_versions):
            text = text.replace("表现", f"表现（修订{number}）", 1) if number % 2 else text + f"\n\n补充 {number} [1]。"
            service.save_edit(section.pk, number, text, editor)
    return service, report_id


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), max(samples)


def section_page_queries(service: ReviewService, report_id: int, pk: int) -> None:
    service.list_reports()
    service.sections(report_id)
    section = service.section(pk)
    service.section_sources(section)
    numbers = service.version_numbers(pk)
    service.diff(pk, numbers[-2], numbers[-1])
    service.versions(pk)
    service.reviews(pk)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sections", type=int, default=12)
    parser.add_argument("--versions", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "ui"))
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        start = time.perf_counter()
        service, report_id = seed(url, Path(tmp) / "out", args.sections, args.versions)
        print(f"seed: {args.sections} sections x {args.versions} versions in {time.perf_counter() - start:.1f} s")
        pk = service.sections(report_id)[-1].pk
        med, worst = timed(lambda: section_page_queries(service, report_id, pk), args.repeat)
        print(f"service queries of the section page: median {med * 1000:.0f} ms, max {worst * 1000:.0f} ms")
        os.environ["RA_DATABASE_URL"] = url
        loaded = service.sections(report_id)
        user = {"id": 1, "name": "editor", "role": "editor", "active": True}

        def render() -> None:
            at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=30)
            at.session_state["user"] = user
            at.session_state["section_pk"] = pk
            at.run()
            at.switch_page("screens/section.py")
            at.run()
            if at.exception or not at.text_area:
                raise RuntimeError(f"section page failed: {[e.value for e in at.exception]}")

        render()  # first run imports pandas/streamlit pages; not what a user waits for on every click
        med, worst = timed(render, args.repeat)
        print(f"AppTest section page (overview run + section run): median {med * 1000:.0f} ms, "
              f"max {worst * 1000:.0f} ms")
        print(f"target < 1000 ms: {'met' if med < 1.0 else 'NOT met'}; sections loaded {len(loaded)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
