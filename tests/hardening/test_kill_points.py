"""SIGKILL at stage boundaries, real processes: the re-run's report equals an uninterrupted run's.

``kill_driver.py`` runs ``draft_report`` on the sample and kills itself at a named rename into the output folder
(see its docstring). The boundaries are the ones the red-team hit: a section's draft written but not yet its
unit manifest (formerly: draft without retrieval record, citations stripped on resume), a chart mid-render
(formerly: a truncated PNG), and the report files half replaced.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import SAMPLE_DIR

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).with_name("kill_driver.py")
ROOT = Path(__file__).resolve().parents[2]
KILL_POINTS = [
    ("after", "stages/drafts/llm_dynamics.json"),
    ("before", "charts/F2_constituent_returns.png"),
    ("before", "report.json"),
]


def _run(out: Path, log: Path, kill_at: int = 0, when: str = "after") -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RA_OPENAI_API_KEY": "", "OPENAI_API_KEY": "",
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    cmd = [sys.executable, str(DRIVER), str(SAMPLE_DIR / "pack"), str(SAMPLE_DIR / "corpus.jsonl"), str(out),
           str(log), "--kill-at", str(kill_at), "--when", when]
    return subprocess.run(cmd, env=env, capture_output=True, timeout=600, check=False).returncode


def _renames(log: Path) -> list[str]:
    return [line.split("\t", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()]


def _result(out: Path) -> dict[str, object]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    report.pop("created_at", None)
    files = {str(p.relative_to(out)): p.read_bytes() for folder in ("tables", "charts")
             for p in sorted((out / folder).iterdir())}
    return {"md": (out / "report.md").read_text(encoding="utf-8"), "json": report, "files": files,
            "sources": (out / "stages" / "sources.json").read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], list[str]]:
    root = tmp_path_factory.mktemp("baseline")
    assert _run(root / "out", root / "renames.log") == 0
    return _result(root / "out"), _renames(root / "renames.log")


@pytest.mark.parametrize(("when", "name"), KILL_POINTS, ids=[f"{w}:{n}" for w, n in KILL_POINTS])
def test_rerun_after_sigkill_equals_an_uninterrupted_run(
    baseline: tuple[dict[str, object], list[str]], when: str, name: str, tmp_path: Path,
) -> None:
    expected, renames = baseline
    kill_at = renames.index(name) + 1
    out = tmp_path / "out"
    assert _run(out, tmp_path / "killed.log", kill_at, when) == -9  # really killed
    if when == "before":
        assert list(out.rglob(".*.tmp"))  # the killed run left its temporary file
    assert _run(out, tmp_path / "rerun.log") == 0
    result = _result(out)
    assert result["md"] == expected["md"]
    assert result["json"] == expected["json"]
    assert result["files"] == expected["files"]
    assert result["sources"] == expected["sources"]
    assert not list(out.rglob(".*.tmp"))  # temporary files cleaned
