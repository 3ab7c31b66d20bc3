#!/usr/bin/env bash
# Lint (ruff), types (mypy) and the test suite (pytest, two xdist workers).
#
#   bash scripts/test.sh                 everything, as CI runs it: installs the project with its test extras (and, as
#                                        root with apt, Debian's chromium for the browser tests) first
#   bash scripts/test.sh --fast          the inner loop: no install once .venv exists, skips the browser, postgres and
#                                        slow tiers
#   bash scripts/test.sh --fast tests/retrieval -x     further arguments go to pytest
#
# PYTEST_WORKERS=N sets the xdist workers (default 2; 0 runs in one process). pytest's exit code is the script's.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then fast=1; else args+=("$arg"); fi
done
if [ "$fast" = 0 ] || [ ! -x .venv/bin/python ]; then
  if [ "$fast" = 0 ] && ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  fi
  bash scripts/install.sh --test
fi
.venv/bin/ruff check .
.venv/bin/mypy
tier=()
if [ "$fast" = 1 ]; then
  tier=(-m "not browser and not postgres and not slow")
fi
workers=(-n "${PYTEST_WORKERS:-2}" --dist loadfile)
if [ "${PYTEST_WORKERS:-2}" = 0 ] || ! .venv/bin/python -c "import xdist" 2>/dev/null; then
  workers=()
fi
exec .venv/bin/python -m pytest "${workers[@]}" --durations=15 "${tier[@]}" "${args[@]}"
