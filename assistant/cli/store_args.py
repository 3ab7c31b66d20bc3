"""The ``--store`` / ``--embedding`` options that ``ingest`` and ``search`` share, and the settings they imply."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from assistant.settings import Settings, get_settings

__all__ = ["add_store_arguments", "store_settings"]


def add_store_arguments(parser: argparse.ArgumentParser, *, embedding_help: str) -> None:
    parser.add_argument("--store", type=Path, default=None, help="向量库目录（默认 settings.store_dir）")
    parser.add_argument("--embedding", default=None, help=embedding_help)


def store_settings(args: argparse.Namespace) -> Settings:
    # jieba attaches its own stderr handler and announces its dictionary load; the CLI owns the terminal.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    overrides: dict[str, object] = {}
    if args.store is not None:
        overrides["store_dir"] = args.store
    if args.embedding:
        overrides["embedding"] = args.embedding
    return get_settings(**overrides)
