"""A real ``draft`` process that SIGKILLs itself at the k-th file rename into the output folder.

Every persisted artefact (stage files, the unit manifests, tables, charts, report files) is written to a temporary
file and renamed with ``os.replace``; those renames are the stage boundaries. ``--kill-at K --when before`` dies
just before the K-th rename (its temporary file left behind), ``--when after`` just after it. Each rename's
path relative to the output folder is appended to ``--log`` first, so a test can pick boundaries by name.

Usage: python kill_driver.py PACK CORPUS OUT LOG [--kill-at K] [--when before|after]
"""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("pack", "corpus", "out", "log"):
        parser.add_argument(name, type=Path)
    parser.add_argument("--kill-at", type=int, default=0)
    parser.add_argument("--when", choices=["before", "after"], default="after")
    args = parser.parse_args()
    out = args.out.resolve()
    real_replace = os.replace
    count = 0

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        nonlocal count
        target = Path(dst).resolve()
        if not target.is_relative_to(out):
            real_replace(src, dst)
            return
        count += 1
        with args.log.open("a", encoding="utf-8") as fh:
            fh.write(f"{count}\t{target.relative_to(out)}\n")
        if count == args.kill_at and args.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        real_replace(src, dst)
        if count == args.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    os.replace = replace  # type: ignore[assignment]

    from assistant.drafting import draft_report
    from assistant.settings import get_settings

    settings = get_settings(engine="offline", embedding="hash", max_concurrency=1)
    draft_report(args.pack, args.corpus, args.out, settings)


if __name__ == "__main__":
    main()
