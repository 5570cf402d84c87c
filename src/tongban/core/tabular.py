"""Tabular downloads (CSV and XLSX) shared by open data and analytics.

Both writers are pure and deterministic: the same header and rows always give the same
bytes, so generated files can be cached, hashed and compared in tests.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with a BOM (so spreadsheet programs detect the encoding of Chinese
    text) and CRLF line ends (RFC 4180); ``None`` is written as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "data"
) -> bytes:
    """A one-sheet workbook; written in openpyxl's write-only mode so that large tables
    stream instead of building every cell object in memory."""
    import openpyxl  # deferred: only file downloads need it, not every process start

    book = openpyxl.Workbook(write_only=True)
    worksheet = book.create_sheet(sheet)
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return _deterministic_zip(out.getvalue())


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook always gives the same bytes (and size): openpyxl stamps the
    document properties and the zip entries with the time of saving."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            body = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                body = _STAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", body)
            info = zipfile.ZipInfo(entry.filename, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, body)
    return out.getvalue()
