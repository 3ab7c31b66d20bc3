"""Jobs benchmark: sample drafts (offline engine) through 1, 2 and 4 real worker processes on PostgreSQL.

Prints, per worker count: throughput (drafts per minute, from submitting the batch to the last job done), queue
latency of the batch (enqueue -> start, p50/p95: mostly waiting behind the backlog) and an idle worker's pickup
latency (one small job submitted to idle workers, p50 of 3); then the 任务 page's render time (AppTest run,
median of 5) with 200 queued jobs.
Every draft is a distinct user's (the one-draft-per-user limit would otherwise serialise them), into its own
folder; the news store is ingested once and shared (``--own-store`` ingests per job, as a real first run does).

Run: ``python bench/bench_jobs.py [--drafts 20] [--workers 1,2,4] [--sections ids] [--own-store]``.
Needs PostgreSQL at 127.0.0.1:5432 (user postgres, database test; a fresh schema is made and dropped).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.orm import Session

from assistant.jobs import JobService, JobView, sample_inputs
from assistant.review.db import User
from assistant.review.users import hash_password, user_view
from assistant.review.views import UserView
from assistant.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def _schema_url(schema: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"


def _users(service: JobService, n: int) -> list[UserView]:
    secret = hash_password("bench-password-1")
    with Session(service.engine) as session, session.begin():
        rows = [User(name=f"analyst{i:03d}", role="analyst", password_hash=secret, active=True) for i in range(n)]
        rows.append(User(name="admin", role="admin", password_hash=secret, active=True))
        session.add_all(rows)
        session.flush()
        return [user_view(r) for r in rows]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


PICKUPS = 3


def _wait_started(logs: list[Path], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not all("已启动" in log.read_text(encoding="utf-8", errors="replace") for log in logs):
        if time.monotonic() > deadline:
            raise TimeoutError("workers did not start")
        time.sleep(0.2)
    time.sleep(1)  # the consumer thread starts listening right after the banner


def _wait_done(service: JobService, ids: list[str]) -> list[JobView]:
    while True:
        jobs = [service.job(i) for i in ids]
        if all(j.finished for j in jobs):
            return jobs
        time.sleep(0.2)


def run_round(workers: int, args: argparse.Namespace, env: dict[str, str], store: Path | None) -> str:
    schema = f"ra_bench_jobs_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = _schema_url(schema)
    service = JobService.open(url, settings=get_settings())
    users = _users(service, args.drafts + PICKUPS)
    logs = [Path(tempfile.mkstemp(prefix="bench-worker-", suffix=".log")[1]) for _ in range(workers)]
    procs = [subprocess.Popen([sys.executable, "-m", "assistant", "worker", "--db", url], env=env,
                              stdout=log.open("wb"), stderr=subprocess.STDOUT) for log in logs]
    try:
        _wait_started(logs)  # the latency measured is the queue's, not Python's start-up
        pack, corpus = sample_inputs()
        pickup = []
        for user in users[args.drafts:args.drafts + PICKUPS]:  # an idle worker picking up one small job
            job_id = service.submit_draft(user, pack=pack, corpus=corpus, sections=["market_review"],
                                          store_dir=store)
            job = _wait_done(service, [job_id])[0]
            pickup.append(((job.started_at or job.created_at) - job.created_at).total_seconds())
        start = time.monotonic()
        ids = [service.submit_draft(u, pack=pack, corpus=corpus, sections=args.sections, store_dir=store)
               for u in users[:args.drafts]]
        jobs = _wait_done(service, ids)
        elapsed = time.monotonic() - start
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        service.queue.close()
        service.engine.dispose()
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    failed = [j.id for j in jobs if j.state != "done"]
    latency = [((j.started_at or j.created_at) - j.created_at).total_seconds() for j in jobs]
    run_s = [((j.finished_at or j.created_at) - (j.started_at or j.created_at)).total_seconds() for j in jobs]
    return (f"{workers} worker(s): {len(ids)} drafts in {elapsed:6.1f} s = {len(ids) / elapsed * 60:5.2f} drafts/min; "
            f"queue latency p50 {_percentile(latency, .5):6.1f} s, p95 {_percentile(latency, .95):6.1f} s, "
            f"idle pickup p50 {statistics.median(pickup):4.2f} s; run time per draft p50 {statistics.median(run_s):5.1f} s"
            + (f"; NOT DONE: {failed}" if failed else ""))


def page_render(n_jobs: int) -> str:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'review.db'}"
        os.environ["RA_DATABASE_URL"] = url
        service = JobService.open(url, settings=get_settings(jobs_dir=Path(tmp) / "jobs"))
        users = _users(service, 20)
        pack, corpus = sample_inputs()
        for i in range(n_jobs):
            service.submit_draft(users[i % 20], pack=pack, corpus=corpus)
        admin = users[-1]
        samples = []
        at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=60)
        at.session_state["user"] = admin.model_dump()
        at.run()
        at.switch_page("screens/jobs.py")
        for _ in range(6):
            begin = time.perf_counter()
            at.run()
            samples.append(time.perf_counter() - begin)
        assert not at.exception, [e.value for e in at.exception]
        service.queue.close()
    first, rest = samples[0], samples[1:]
    return (f"任务 page with {n_jobs} queued jobs: first render {first:.3f} s, median {statistics.median(rest):.3f} s, "
            f"max {max(rest):.3f} s (target < 1 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drafts", type=int, default=20)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--sections", default=None, help="comma-separated section ids (default: all 12)")
    parser.add_argument("--own-store", action="store_true", help="each job ingests the corpus into its own store")
    parser.add_argument("--page-jobs", type=int, default=200)
    args = parser.parse_args()
    args.sections = args.sections.split(",") if args.sections else None
    tmp = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), RA_ENGINE="offline", RA_EMBEDDING="hash",
               RA_JOBS_DIR=str(tmp / "jobs"), RA_MAX_CONCURRENCY="1")
    store = None
    if not args.own_store:
        from assistant.store import ingest

        store = tmp / "store"
        ingest(sample_inputs()[1], get_settings(store_dir=store, embedding="hash"))
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; drafts: "
          f"{','.join(args.sections) if args.sections else 'all 12 sections'}; offline engine, hash embedding")
    for count in (int(w) for w in args.workers.split(",")):
        print(run_round(count, args, env, store), flush=True)
    print(page_render(args.page_jobs), flush=True)


if __name__ == "__main__":
    main()
