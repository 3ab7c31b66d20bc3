"""``load_pack``: read and validate a market data pack folder. Reads only; never writes anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from assistant.errors import PackError
from assistant.pack.config import ConfigFile, read_config
from assistant.pack.coverage import check_coverage, check_funds_listed, listed_codes, trading_days
from assistant.pack.model import MarketPack
from assistant.pack.plausible import (
    check_daily_moves,
    check_financial_units,
    check_monthly_returns,
    check_nav_moves,
    check_nonempty,
    check_values,
)
from assistant.pack.readers import ROW, TABLE_FILE_NAMES, RawTable, read_table
from assistant.pack.validate import normalise_fund_code, parse_table

__all__ = ["TABLES", "content_hash", "load_pack"]

TABLES: tuple[str, ...] = tuple(TABLE_FILE_NAMES)


def content_hash(files: dict[str, bytes]) -> str:
    """sha256 over (file name, bytes) sorted by name; length-prefixed so that no two packs can collide."""
    digest = hashlib.sha256()
    for name in sorted(files):
        encoded = name.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(len(files[name]).to_bytes(8, "big") + files[name])
    return digest.hexdigest()


def _normalise_config(cfg: ConfigFile) -> ConfigFile:
    if cfg.config.funds is None:
        return cfg
    funds = [normalise_fund_code(code) for code in cfg.config.funds]
    return ConfigFile(cfg.config.model_copy(update={"funds": funds}), cfg.path, cfg.node, cfg.data)


def _cross_check(cfg: ConfigFile, raws: dict[str, RawTable], frames: dict[str, pd.DataFrame]) -> None:
    prices_file = str(raws["prices"].path)
    days = trading_days(frames["prices"], cfg.config.month, prices_file, raws["prices"].headers["date"])
    check_monthly_returns(raws["prices"], frames["prices"], days, cfg.config.max_monthly_return)
    listings = listed_codes(cfg, frames["constituents"], str(raws["constituents"].path),
                            raws["constituents"].headers["code"])
    check_coverage(listings, frames["prices"], days, prices_file)
    check_funds_listed(cfg, set(frames["funds"]["fund_code"]), str(raws["funds"].path))
    # day by day last: a missing price or listing is the clearer message when both apply
    config = cfg.config
    indices = {config.theme_index.code, config.sector_index.code, *(b.code for b in config.benchmarks)}
    boards = dict(zip(frames["constituents"]["code"], frames["constituents"]["board"], strict=True))
    exempt = set(config.plausibility_exempt)
    check_daily_moves(raws["prices"], frames["prices"], boards, indices, exempt)
    check_nav_moves(raws["fund_navs"], frames["fund_navs"], exempt)
    check_financial_units(raws["financials"], frames["financials"])


def load_pack(path: Path) -> MarketPack:
    """Load ``path`` (a folder with pack.yaml and the five tables) into a validated MarketPack.

    Raises PackError naming file, row and column at the first problem; nothing is returned half-checked.
    """
    root = Path(path)
    if not root.is_dir():
        raise PackError("数据包目录不存在", file=str(root))
    cfg = _normalise_config(read_config(root))
    raws = {name: read_table(root, name) for name in TABLES}
    frames = {name: parse_table(raw) for name, raw in raws.items()}
    for name, raw in raws.items():
        check_nonempty(raw, frames[name])
        check_values(raw, frames[name])
    _cross_check(cfg, raws, frames)
    hashed = {cfg.path.name: cfg.data} | {raw.path.name: raw.data for raw in raws.values()}
    return MarketPack(
        config=cfg.config,
        prices=frames["prices"].drop(columns=[ROW]),
        constituents=frames["constituents"].drop(columns=[ROW]),
        financials=frames["financials"].drop(columns=[ROW]),
        funds=frames["funds"].drop(columns=[ROW]),
        fund_navs=frames["fund_navs"].drop(columns=[ROW]),
        root=root,
        content_hash=content_hash(hashed),
        files={name: raw.path.name for name, raw in raws.items()},
    )
