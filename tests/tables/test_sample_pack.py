"""The shipped sample pack is exactly what scripts/make_sample_pack.py generates."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from .conftest import SAMPLE_DIR

SCRIPT = SAMPLE_DIR.parents[3] / "scripts" / "make_sample_pack.py"


def test_generator_reproduces_the_shipped_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["make_sample_pack.py", "--out", str(tmp_path)])
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert done.value.code == 0  # the script also checks every published figure itself
    for name in ("pack.yaml", "prices.csv", "constituents.csv", "financials.csv", "funds.csv", "fund_navs.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name
