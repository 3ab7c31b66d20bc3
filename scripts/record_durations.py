"""Write ``tests/durations.json`` (seconds per test file) from a pytest log run with ``--durations=0``.

    bash scripts/test.sh --durations=0 | tee /tmp/t.log; .venv/bin/python scripts/record_durations.py /tmp/t.log

``tests/conftest.py`` orders files heaviest first with it, so xdist starts the long files first; a file missing
from it is estimated from its tier markers. Refresh it when a file's cost changes a lot.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LINE = re.compile(r"^(\d+(?:\.\d+)?)s (?:call|setup|teardown)\s+(tests/[^:]+)::")


def main() -> None:
    totals: dict[str, float] = {}
    for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines():
        m = LINE.match(line)
        if m:
            totals[m.group(2)] = totals.get(m.group(2), 0.0) + float(m.group(1))
    out = Path(__file__).resolve().parents[1] / "tests" / "durations.json"
    out.write_text(json.dumps({k: round(v, 1) for k, v in sorted(totals.items())}, indent=0) + "\n",
                   encoding="utf-8")
    print(f"{out}: {len(totals)} files, {sum(totals.values()):.0f} s")


if __name__ == "__main__":
    main()
