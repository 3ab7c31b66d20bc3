"""The bundled July 2024 sample pack loads cleanly and reproduces the seed report's figures end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from assistant.cli import main
from assistant.cli.tables import SAMPLE_PACK
from assistant.pack import load_pack


def test_sample_pack_loads_with_the_seed_constituents() -> None:
    pack = load_pack(SAMPLE_PACK)
    assert pack.config.month == "2024-07"
    # Seed: "含成分股 71 支 … 主板 14 支，创业板 30 支，科创板 8 支，中小板 19 支"
    assert len(pack.constituents) == 71
    assert pack.constituents["board"].value_counts().to_dict() == {"主板": 14, "创业板": 30, "科创板": 8,
                                                                   "中小板": 19}
    theme = pack.prices[(pack.prices["code"] == "884201.WI") & (pack.prices["date"] == pd.Timestamp("2024-07-31"))]
    assert theme["close"].tolist() == [5257.12]
    assert pack.config.funds is not None and set(pack.config.funds) <= set(pack.funds["fund_code"])
    assert "001986" in set(pack.fund_navs["fund_code"])


def test_tables_command_on_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["tables", "--sample", "--out", str(out)]) == 0
    tables = {t["id"]: t for t in json.loads((out / "tables.json").read_text(encoding="utf-8"))}
    theme_row = next(r for r in tables["IDX"]["rows"] if r[0] == "884201.WI")
    assert theme_row[2:4] == ["5257.12", "0.52%"]  # seed: 收盘价为 5257.12，月涨跌幅为 0.52%
    assert {p.name for p in (out / "charts").iterdir()} >= {"F1_index_performance.png"}
    assert len(list((out / "tables").glob("*.csv"))) == len(tables)
