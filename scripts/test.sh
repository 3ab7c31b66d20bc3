#!/usr/bin/env bash
# Lint (ruff), types (mypy) and the test suite (pytest, four xdist workers).
#
#   bash scripts/test.sh                 everything, as CI runs it: installs the project with its test extras (and, as
#                                        root with apt, Debian's chromium for the browser tests) first
#   bash scripts/test.sh --fast          the inner loop: no install once .venv exists, skips the browser, postgres and
#                                        slow tiers
#   bash scripts/test.sh --fast tests/retrieval -x     further arguments go to pytest
#
# PYTEST_WORKERS=N sets the xdist workers (default 4; 0 runs in one process). ruff runs first; mypy runs beside the
# tests and prints after them. The exit code is pytest's, else mypy's.
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
# mypy (~25 s cold, as on CI's clean clone) runs beside the tests: they leave a core idle while they wait on
# browsers, servers and worker processes.
types_log=$(mktemp)
.venv/bin/mypy >"$types_log" 2>&1 &
types_pid=$!
tier=()
if [ "$fast" = 1 ]; then
  tier=(-m "not browser and not postgres and not slow")
fi
# Four xdist workers on two cores: a test waiting on a subprocess or a browser leaves its core to another.
workers=(-n "${PYTEST_WORKERS:-4}" --dist loadfile)
if [ "${PYTEST_WORKERS:-4}" = 0 ] || ! .venv/bin/python -c "import xdist" 2>/dev/null; then
  workers=()
fi
tests_rc=0
.venv/bin/python -m pytest "${workers[@]}" --durations=15 "${tier[@]}" "${args[@]}" || tests_rc=$?
types_rc=0
wait "$types_pid" || types_rc=$?
echo "mypy:"
cat "$types_log"
rm -f "$types_log"
if [ "$tests_rc" != 0 ]; then exit "$tests_rc"; fi
exit "$types_rc"
