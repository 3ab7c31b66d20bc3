"""Charts F1 (index performance over the month) and F2 (constituents' monthly returns) as PNG files.

Chinese glyphs come from a CJK font shipped by the ``mplfonts`` package, registered by file path, so the
output never depends on the fonts of the machine and nothing is downloaded.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from assistant.atomic import atomic_write_bytes
from assistant.errors import ConfigError
from assistant.models import Chart, TableSet
from assistant.pack.model import MarketPack
from assistant.tables.context import build_context
from assistant.tables.fmt import short_name
from assistant.tables.market import constituent_returns, source_line

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["cjk_font_path", "index_paths", "render_charts"]

FONT_FILES = ("NotoSansCJKsc-Regular.otf", "SourceHanSerifSC-Regular.otf", "SimHei.ttf")


def cjk_font_path() -> Path:
    """Path of a CJK font inside the installed ``mplfonts`` package."""
    folder = resources.files("mplfonts") / "fonts"
    for name in FONT_FILES:
        candidate = Path(str(folder / name))
        if candidate.is_file():
            return candidate
    raise ConfigError(f"mplfonts 未提供中文字体（查找 {', '.join(FONT_FILES)}）")


@cache
def _font_family() -> str:
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def index_paths(pack: MarketPack) -> pd.DataFrame:
    """Daily closes of the theme index, benchmarks and sector index in the month, rebased to 100 at the
    previous month's last close (columns = index names, in legend order)."""
    ctx = build_context(pack)
    refs = [pack.config.theme_index, *pack.config.benchmarks, pack.config.sector_index]
    codes = [r.code for r in refs]
    prices = pack.prices[pack.prices["code"].isin(codes) & (pack.prices["date"] <= ctx.end_date)]
    table = prices.pivot(index="date", columns="code", values="close").sort_index().ffill()
    base = table[table.index <= ctx.prev_end].tail(1)
    if base.empty:
        return pd.DataFrame()
    # The curves start at the base day itself, so every line visibly begins at 100.
    rebased = table[table.index >= base.index[0]] / base.iloc[0] * 100
    present = [r for r in refs if r.code in rebased.columns]
    return rebased[[r.code for r in present]].set_axis([r.name for r in present], axis=1)


def _save(fig: Figure, path: Path) -> None:
    """Render in memory, then write-and-rename: a kill mid-render never leaves a truncated PNG in place."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    atomic_write_bytes(path, buffer.getvalue())


def _draw_index(pack: MarketPack, path: Path, title: str) -> None:
    from matplotlib.figure import Figure

    data = index_paths(pack)
    fig = Figure(figsize=(8, 4.2))
    ax = fig.add_subplot()
    for i, column in enumerate(data.columns):
        ax.plot(data.index, data[column], label=column, linewidth=2.2 if i == 0 else 1.3)
    ax.axhline(100, color="grey", linewidth=0.8, linestyle="--")
    ax.set_title(title)
    ax.set_ylabel("上月末 = 100")
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    from matplotlib.dates import DateFormatter

    ax.xaxis.set_major_formatter(DateFormatter("%m-%d"))
    fig.autofmt_xdate()
    _save(fig, path)


def _draw_returns(pack: MarketPack, path: Path, title: str) -> None:
    from matplotlib.figure import Figure

    members = constituent_returns(pack).dropna(subset=["ret"]).sort_values("ret", ascending=False)
    values = members["ret"].to_numpy() * 100
    fig = Figure(figsize=(12, 4.8))
    ax = fig.add_subplot()
    colors = ["#c0392b" if v >= 0 else "#27ae60" for v in values]  # A-share convention: red up, green down
    ax.bar(range(len(values)), values, color=colors)
    ax.set_xticks(range(len(values)), members["name"].tolist(), rotation=90, fontsize=6)
    ax.set_xlim(-0.6, len(values) - 0.4)
    ax.set_ylabel("月涨跌幅（%）")
    ax.set_title(title)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.grid(axis="y", alpha=0.3)
    _save(fig, path)


def render_charts(pack: MarketPack, tableset: TableSet, out_dir: Path) -> list[Chart]:
    """Write ``charts/F1_index_performance.png`` and ``charts/F2_constituent_returns.png`` under out_dir."""
    from matplotlib import rc_context

    month = int(tableset.month.split("-")[1])
    theme = short_name(pack.config.theme_index.name)
    specs = [
        ("F1", "index_performance", f"{month} 月{theme}指数表现", _draw_index),
        ("F2", "constituent_returns", f"{month} 月{theme}板块市场表现", _draw_returns),
    ]
    charts = []
    with rc_context({"font.family": [_font_family()], "axes.unicode_minus": False}):
        for chart_id, key, title, draw in specs:
            rel = f"charts/{chart_id}_{key}.png"
            draw(pack, Path(out_dir) / rel, title)
            charts.append(Chart(id=chart_id, key=key, title=title, path=rel, source=source_line(pack)))
    return charts
