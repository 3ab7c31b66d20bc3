"""Test-wide guards and shared fixtures.

Guards: the network is unreachable except loopback, so nothing can download at run time.

How the suite stays fast (see tests/README.md):
- Tiers: mark a test ``slow`` (> ~2 s, real servers, whole drafts), ``postgres`` or ``browser``;
  ``bash scripts/test.sh --fast`` skips those three, CI (``.ci/run``) runs everything.
- CI runs under pytest-xdist (``-n 2 --dist loadfile``): every test module runs in one worker process, so a
  module-scoped fixture is built once, but session-scoped ones are built once *per worker*. Tests must therefore
  be parallel-safe: files only under ``tmp_path``/``tmp_path_factory``, free ports (bind port 0), unique
  PostgreSQL schema / Redis queue names, no writes into the checkout (``vectorstore/``, ``out/``).
- Expensive things are shared, never rebuilt for one assertion: ``sample_draft`` (the July sample drafted
  offline once per worker: read it, or copy its folder before changing anything) and the package-level fixtures
  in ``tests/jobs/conftest.py`` (one ingested store) and ``tests/export/conftest.py`` (one rendered DOCX).
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import pytest

# A PostgreSQL review store needs the audit key from outside the database (assistant.review.auditkey); the tests
# share one, as the hosts of one deployment do. Tests of the key's own rules unset it with monkeypatch.
os.environ.setdefault("RA_AUDIT_KEY", "test-audit-key-0123456789abcdef0123456789abcdef")

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host in {"localhost", ""}:
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths


class NetworkBlocked(OSError):
    pass


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise NetworkBlocked(f"network access blocked in tests: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise NetworkBlocked(f"network access blocked in tests: {address!r}")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host not in (None, "localhost", "127.0.0.1", "::1", "0.0.0.0") and not str(host).startswith("127."):
        raise NetworkBlocked(f"DNS lookup blocked in tests: {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    # Libraries that would phone home must believe they are offline.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.delenv("RA_OPENAI_API_KEY", raising=False)
    # What endpoints refused is remembered beside the store (issue 24): tests keep it in memory unless they name a file
    monkeypatch.setenv("RA_CAPABILITY_CACHE", "-")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


@pytest.fixture(scope="session", autouse=True)
def playwright_expect_timeout() -> None:
    """One assertion timeout for every browser test, whatever ran before it in this worker.

    ``expect.set_options`` is process-wide: when a few browser tests raised it for themselves, the others got 30 s
    or Playwright's 5 s depending on test order, and xdist changes that order. A Streamlit rerun on a loaded 2-core
    machine can take several seconds.
    """
    try:
        from playwright.sync_api import expect
    except ImportError:
        return
    expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def sample_draft(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """(Report, out_dir) of the bundled July sample drafted offline with the default embedding, once per worker.

    Read-only: a test that changes files copies the folder first (``sample_draft_copy``).
    """
    from assistant import SAMPLE_DIR
    from assistant.drafting import draft_report
    from assistant.settings import get_settings

    out = tmp_path_factory.mktemp("sample_draft")
    report = draft_report(SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl", out, get_settings(engine="offline"))
    return report, out


@pytest.fixture
def sample_draft_copy(sample_draft: tuple[Any, Path], tmp_path: Path) -> Path:
    """A private copy of the sample draft's folder (store included), to change at will."""
    return Path(shutil.copytree(sample_draft[1], tmp_path / "sample_draft"))


@pytest.hookimpl(trylast=True)  # after the slowest-durations list, just above the closing line
def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Under ``.ci/run`` (which sets RA_CI_STARTED): the whole run's wall time, above pytest's closing line."""
    started = os.environ.get("RA_CI_STARTED")
    if not started:
        return
    try:
        seconds = time.time() - float(started)
    except ValueError:
        return
    terminalreporter.write_sep("=", f"CI wall time (install, lint, types, tests): {seconds:.0f} s "
                                    f"({seconds / 60:.1f} min)")


# Seconds per file from a recent run (``scripts/record_durations.py``); a file not in it is estimated from its tiers.
_DURATIONS = Path(__file__).with_name("durations.json")
_COST = {"browser": 20.0, "slow": 3.0, "postgres": 0.3}


def _file_weights(items: list[pytest.Item]) -> dict[str, float]:
    try:
        known: dict[str, float] = json.loads(_DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    estimate: dict[str, float] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        cost = max((c for name, c in _COST.items() if item.get_closest_marker(name)), default=0.05)
        estimate[path] = estimate.get(path, 0.0) + cost
    return {path: float(known.get(path, cost)) for path, cost in estimate.items()}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test parametrised onto PostgreSQL (a ``postgresql`` fixture param, e.g. ``db_url``) is in the postgres tier.

    Files are then run heaviest first (tests inside a file keep their order). xdist's ``--dist loadfile`` hands out
    files in collection order, so the browser and worker-process files no longer start last and run alone on one
    worker while the other idles: the longest-first rule of thumb for scheduling on a few workers. Every worker
    computes the same order, as xdist requires.
    """
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if any(isinstance(v, str) and v == "postgresql" for v in params.values()):
            item.add_marker(pytest.mark.postgres)
        if item.get_closest_marker("browser") and not item.get_closest_marker("flaky"):
            # A click that lands while Streamlit reruns can be dropped by Streamlit itself; on a loaded machine a
            # browser test gets one more try (pytest-rerunfailures), and the run's summary counts it ("1 rerun")
            # so a test that needed it is seen, not hidden.
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))
    order = _spread(_file_weights(items))
    rank = {path: i for i, path in enumerate(order)}
    items.sort(key=lambda item: rank[item.nodeid.split("::")[0]])


def _spread(weight: dict[str, float], heavy: float = 15.0) -> list[str]:
    """Heavy files spread evenly through the first four fifths of the run, light ones filling the gaps.

    Heavy files (real worker processes, Chromium) started all at once starved each other and made browser
    timings flaky (CI, 2026-12-06); started last they ran alone on one worker. Spread out, at most one or two run
    at a time and the run ends on small files that balance the workers.
    """
    by_cost = sorted(weight, key=lambda p: (-weight[p], p))
    heavies = [p for p in by_cost if weight[p] >= heavy]
    lights = [p for p in by_cost if weight[p] < heavy]
    if not heavies:
        return by_cost
    gap = 0.8 * sum(weight[p] for p in lights) / len(heavies)
    order: list[str] = []
    for path in heavies:
        order.append(path)
        filled = 0.0
        while lights and filled < gap:
            filled += weight[lights[0]]
            order.append(lights.pop(0))
    return order + lights
