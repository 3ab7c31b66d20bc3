"""Pure helpers of the UI: upload unpacking and table downloads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from ra_ui import extract_zip
from review_factories import make_report
from tables_data import table_csv, tables_xlsx

from assistant.errors import InputError


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_extract_zip_finds_the_pack_folder(tmp_path: Path) -> None:
    pack = extract_zip(_zip({"july/pack.yaml": "month: 2024-07\n", "july/prices.csv": "date\n"}), tmp_path)
    assert pack == tmp_path / "july" and (pack / "prices.csv").is_file()


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "a/../../evil"])
def test_extract_zip_refuses_path_traversal(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="不安全"):
        extract_zip(_zip({name: "x", "pack.yaml": "m"}), tmp_path / "t")
    assert not (tmp_path / "evil.txt").exists()


def test_extract_zip_refuses_non_zip(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="zip"):
        extract_zip(b"not a zip", tmp_path)


def test_table_downloads_round_trip() -> None:
    table = make_report().tables[0]
    csv = table_csv(table).decode("utf-8-sig").splitlines()
    assert csv[0] == "代码,名称,月涨跌幅" and csv[1] == "688256.SH,寒武纪-U,12.34%"
    book = openpyxl.load_workbook(io.BytesIO(tables_xlsx([table, table])))
    assert book.sheetnames == ["T1 top_movers", "T1 top_movers_2"]
    rows = list(book["T1 top_movers"].iter_rows(values_only=True))
    assert rows[0][0] == table.title and rows[2] == ("代码", "名称", "月涨跌幅") and rows[3][2] == "12.34%"
    assert rows[-1][0] == table.source
