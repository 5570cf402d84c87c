"""CSV and XLSX downloads: encoding, line ends, empty cells and stable bytes."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl

from tongban.core.tabular import csv_bytes, xlsx_bytes

HEADER = ["市州", "办件量", "好评率"]
ROWS: list[list[Any]] = [
    ["武汉市", 1200, 0.98],
    ['黄石市, 含"大冶"', None, 0.5],
    ["十堰市", 0, None],
]


def test_csv_is_utf8_with_bom_and_crlf() -> None:
    data = csv_bytes(HEADER, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\r\n") == [
        "市州,办件量,好评率",
        "武汉市,1200,0.98",
        '"黄石市, 含""大冶""",,0.5',
        "十堰市,0,",
        "",
    ]


def test_csv_of_no_rows_is_the_header_alone() -> None:
    assert csv_bytes(HEADER, []) == "\ufeff市州,办件量,好评率\r\n".encode()


def test_csv_accepts_a_generator() -> None:
    assert csv_bytes(HEADER, (row for row in ROWS)) == csv_bytes(HEADER, ROWS)


def test_xlsx_reads_back_with_header_and_values() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADER, ROWS, sheet="市州")))
    assert book.sheetnames == ["市州"]
    values = list(book["市州"].iter_rows(values_only=True))
    assert values == [
        tuple(HEADER),
        ("武汉市", 1200, 0.98),
        ('黄石市, 含"大冶"', None, 0.5),
        ("十堰市", 0, None),
    ]


def test_xlsx_sheet_defaults_to_data() -> None:
    assert openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADER, []))).sheetnames == ["data"]


def test_xlsx_bytes_are_deterministic() -> None:
    first = xlsx_bytes(HEADER, ROWS)
    assert xlsx_bytes(HEADER, ROWS) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml")
    assert b"2000-01-01T00:00:00Z" in core
