"""Fixtures: the bundled July 2024 sample pack, loaded once through the real loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.models import TableSet
from assistant.pack import load_pack
from assistant.pack.model import MarketPack
from assistant.tables import compute_tables

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "assistant" / "data" / "sample" / "pack"


@pytest.fixture(scope="session")
def sample_pack() -> MarketPack:
    return load_pack(SAMPLE_DIR)


@pytest.fixture(scope="session")
def sample_tables(sample_pack: MarketPack) -> TableSet:
    return compute_tables(sample_pack)

