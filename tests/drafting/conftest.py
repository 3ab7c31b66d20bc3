"""Shared, expensive fixtures of the drafting tests: the generated months, each drafted offline once per session."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from assistant.drafting import draft_report
from assistant.evaluation.months import MonthTruth, load_truth
from assistant.models import Report
from assistant.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


def load_make_months() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_months", ROOT / "scripts" / "make_months.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class DraftedMonth:
    name: str
    root: Path
    out: Path
    report: Report
    truth: MonthTruth

    @property
    def markdown(self) -> str:
        return (self.out / "report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def months_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("months")
    load_make_months().build_months(root)
    return root


@pytest.fixture(scope="session")
def drafted_months(months_dir: Path) -> dict[str, DraftedMonth]:
    out: dict[str, DraftedMonth] = {}
    for truth_file in sorted(months_dir.glob("*/truth.yaml")):
        root = truth_file.parent
        target = root / "draft"
        report = draft_report(root / "pack", root / "corpus.jsonl", target, get_settings(engine="offline"))
        out[root.name] = DraftedMonth(root.name, root, target, report, load_truth(truth_file))
    return out
