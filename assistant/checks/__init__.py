"""Compliance checks: citations, support, tables, window, disclosures, wording, consistency, sources, hygiene.

``run_checks(report, items, pack=None, tables=None, config=None) -> list[Finding]`` is the stage's interface;
each check is a pure function over a :class:`CheckContext`.
"""

from __future__ import annotations

from assistant.checks.config import CheckConfig, load_check_config
from assistant.checks.runner import SEVERITY_ORDER, blocking, run_checks

__all__ = ["SEVERITY_ORDER", "CheckConfig", "blocking", "load_check_config", "run_checks"]
