"""Stock names and codes of the outline -> the pack's securities (constituents, watchlists, prices)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.outline.model import StockRef
from assistant.pack.model import MarketPack

__all__ = ["SecurityIndex", "market_of", "normalise_name"]

_A_SHARE = re.compile(r"^\d{6}\.(SH|SZ|BJ)$")
_HK = re.compile(r"^\d{4,5}\.HK$")
_US = re.compile(r"^[A-Z][A-Z0-9.\-]*\.(O|N|A|OQ|NQ|US)$")


def market_of(code: str) -> str:
    """The listing market implied by a Wind-style code suffix."""
    code = code.upper()
    if _A_SHARE.match(code):
        return "A股"
    if _HK.match(code):
        return "港股"
    if _US.match(code):
        return "美股"
    return "其他"


def normalise_name(name: str) -> str:
    # Terminals and analysts write 深桑达A / 深桑达 A / 深桑达Ａ for the same security.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).upper()


@dataclass
class SecurityIndex:
    """Every security the pack names, by code and by normalised name (indices excluded)."""

    by_code: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_name: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, pack: MarketPack) -> SecurityIndex:
        index = cls()
        cfg = pack.config
        indices = {cfg.theme_index.code, cfg.sector_index.code, *(b.code for b in cfg.benchmarks)}
        pairs: list[tuple[str, str]] = []
        for frame in (pack.constituents, pack.prices):
            if {"code", "name"} <= set(frame.columns):
                pairs += list(dict.fromkeys(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True)))
        for code, name in pairs:
            if code in indices or code in index.by_code:
                continue
            index.by_code[code.upper()] = (code, name)
            index.by_name.setdefault(normalise_name(name), []).append((code, name))
        return index

    def resolve(self, text: str) -> StockRef | str:
        """A StockRef, or the reason (Chinese) the name or code does not resolve."""
        key = text.strip()
        if key.upper() in self.by_code:
            code, name = self.by_code[key.upper()]
            return StockRef(code=code, name=name, market=market_of(code))  # type: ignore[arg-type]
        found = self.by_name.get(normalise_name(key), [])
        if len(found) == 1:
            code, name = found[0]
            return StockRef(code=code, name=name, market=market_of(code))  # type: ignore[arg-type]
        if len(found) > 1:
            return f"名称 {key} 对应多个代码（{'、'.join(c for c, _ in found)}），请写代码"
        return f"数据包中找不到证券 {key}（成分股、关注名单与行情文件均无此名称或代码）；如确需列入，请写成 {{code: …, name: …}}"

    def explicit(self, code: str, name: str) -> StockRef | str:
        """A stock the analyst names with its code: checked against the pack when listed there."""
        listed = self.by_code.get(code.strip().upper())
        if listed is not None:
            if normalise_name(listed[1]) != normalise_name(name):
                return f"代码 {code} 在数据包中的名称是 {listed[1]}，与所写名称 {name} 不一致"
            return StockRef(code=listed[0], name=listed[1], market=market_of(listed[0]))  # type: ignore[arg-type]
        market = market_of(code)
        if market == "其他":
            return f"无法识别的证券代码 {code}（应形如 688041.SH、0700.HK、NVDA.O）"
        return StockRef(code=code.strip().upper(), name=name.strip(), market=market, in_pack=False)  # type: ignore[arg-type]
