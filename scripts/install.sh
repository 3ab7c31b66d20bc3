#!/usr/bin/env bash
# Creates .venv (if missing) and installs the project. Idempotent.
#   bash scripts/install.sh           what drafting, the CLI and the UI need (quickstart)
#   bash scripts/install.sh --test    plus the test and lint extras ([dev]: pytest, xdist, playwright, ruff, mypy, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras=""
if [ "${1:-}" = "--test" ]; then
  extras="[dev]"
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".${extras}"
