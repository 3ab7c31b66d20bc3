"""The raw-file builders of ``scripts/make_raw_corpus.py`` (pages, PDFs, Word notes, feeds) for the tests."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_raw_corpus.py"


@lru_cache(maxsize=1)
def maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_raw_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
