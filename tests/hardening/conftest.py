"""Hardening tests reuse the review store fixtures (SQLite and PostgreSQL) and the export report builder."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent.parent
for folder in (_TESTS / "review",):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from tests.export.conftest import chart_dir, out_dir  # noqa: E402,F401
from tests.review.conftest import db_url, pg_run_prefix, seeded  # noqa: E402,F401
