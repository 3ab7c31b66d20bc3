#!/usr/bin/env bash
# Installs the project and drafts the bundled July 2024 sample report into out/2024-07.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/python -m assistant draft --sample --out out/2024-07 "$@"
