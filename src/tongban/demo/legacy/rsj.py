"""人社 social insurance export (参保人员信息): a CSV (UTF-8 with BOM) and the same rows as
an Excel workbook, as the department's system exports them every month."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

HEADERS = [
    "个人编号",
    "姓名",
    "性别",
    "身份证号",
    "人员类别",
    "参保险种",
    "参保状态",
    "参保单位",
    "单位统一社会信用代码",
    "缴费基数",
    "首次参保年月",
    "最近缴费月份",
    "联系电话",
    "联系地址",
]
SHEET_TITLE = "参保人员信息"
# Fixed timestamps so that a seed gives byte-identical workbooks.
FIXED_MOMENT = datetime.datetime(2026, 6, 30, 18, 0, 0)


@dataclass
class InsuredRow:
    number: str  # 个人编号
    name: str
    sex: str  # 男 / 女
    id_number: str  # '' when missing
    category: str  # 在职 / 灵活就业 / 退休
    insurance: str
    status: str  # 正常参保 / 暂停参保 / 终止参保 / 领取待遇
    employer: str
    employer_code: str
    base: str  # '' or '5230.00'
    first_month: str  # 'YYYY/MM'
    last_month: str  # 'YYYY/MM'
    phone: str
    address: str

    def values(self) -> list[str]:
        return [
            self.number,
            self.name,
            self.sex,
            self.id_number,
            self.category,
            self.insurance,
            self.status,
            self.employer,
            self.employer_code,
            self.base,
            self.first_month,
            self.last_month,
            self.phone,
            self.address,
        ]


def month(day: datetime.date) -> str:
    return f"{day:%Y/%m}"


def write_csv(path: Path, rows: list[InsuredRow]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in sorted(rows, key=lambda r: r.number):
        writer.writerow(row.values())
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def write_xlsx(path: Path, rows: list[InsuredRow]) -> None:
    """The same rows as the CSV; 缴费基数 is a number, everything else text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    base_column = HEADERS.index("缴费基数")
    for row in sorted(rows, key=lambda r: r.number):
        values: list[object] = list(row.values())
        values[base_column] = float(row.base) if row.base else None
        sheet.append(values)
    for cell in sheet.iter_cols(min_col=base_column + 1, max_col=base_column + 1, min_row=2):
        for c in cell:
            c.number_format = "0.00"
    sheet.freeze_panes = "A2"
    for letter, width in zip(
        "ABCDEFGHIJKLMN", [16, 10, 6, 21, 10, 24, 10, 32, 22, 10, 12, 12, 14, 48], strict=True
    ):
        sheet.column_dimensions[letter].width = width
    workbook.properties.creator = "社会保险信息系统"
    workbook.properties.created = FIXED_MOMENT
    workbook.properties.modified = FIXED_MOMENT
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_normalise_zip(buffer.getvalue()))


def _normalise_zip(content: bytes) -> bytes:
    """Rewrite the workbook's zip with fixed entry times and a fixed modified stamp."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    stamp = FIXED_MOMENT.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = payload.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    start = text.find(f"<{tag}")
                    if start >= 0:
                        open_end = text.index(">", start) + 1
                        close = text.index(f"</{tag}>", open_end)
                        text = text[:open_end] + stamp + text[close:]
                payload = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_MOMENT.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, payload)
    return out.getvalue()
