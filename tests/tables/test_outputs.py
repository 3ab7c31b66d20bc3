"""File adapters: CSV/JSON tables and PNG charts with Chinese glyphs from the bundled font."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from assistant.models import TableSet
from assistant.pack.model import MarketPack
from assistant.tables import render_charts, write_table_files
from assistant.tables.charts import cjk_font_path, index_paths

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_table_files_are_excel_friendly_csv_and_json(sample_tables: TableSet, tmp_path: Path) -> None:
    written = write_table_files(sample_tables, tmp_path)
    t1 = tmp_path / "tables" / "T1_top_movers.csv"
    assert t1 in written
    assert t1.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens Chinese correctly
    with t1.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1] == ["688256.SH", "寒武纪-U", "264.06", "32.91%", "33.21%"]
    data = json.loads((tmp_path / "tables.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in data] == [t.id for t in sample_tables.tables]
    assert data[0]["source"] == "资料来源：Wind，中国银河证券研究院"


def test_index_paths_are_rebased_to_the_previous_month_end(sample_pack: MarketPack) -> None:
    paths = index_paths(sample_pack)
    assert list(paths.columns) == ["人工智能指数", "上证综指", "沪深300", "创业板指", "计算机行业指数"]
    assert paths.iloc[-1].round(2).tolist() == [100.52, 99.03, 99.43, 100.28, 99.70]


def test_charts_are_png_files_rendered_with_the_packaged_cjk_font(sample_pack: MarketPack,
                                                                   sample_tables: TableSet,
                                                                   tmp_path: Path) -> None:
    assert "mplfonts" in cjk_font_path().parts
    charts = render_charts(sample_pack, sample_tables, tmp_path)
    assert [(c.id, c.path) for c in charts] == [("F1", "charts/F1_index_performance.png"),
                                                ("F2", "charts/F2_constituent_returns.png")]
    assert charts[0].title == "7 月人工智能指数表现"
    for chart in charts:
        data = (tmp_path / chart.path).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 10_000
