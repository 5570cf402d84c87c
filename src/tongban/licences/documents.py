"""Rendering of an electronic licence (电子证照) as a PDF and as an inline QR code.

This module is pure: it takes a :class:`LicenceDocument` (already resolved, masked and
signed by the services layer) and returns bytes or markup. It never touches the database.

Fonts come from :func:`tongban.core.pdffonts.pdf_font_name` (built-in CID font
``STSong-Light`` by default, or the TrueType file named by ``TONGBAN_PDF_FONT``, embedded).

The PDF's own labels are deliberately not translated: a licence is a Chinese legal
document and must print the same whatever the reader's language. Only the QR code's
accessible name, which lives in HTML pages, goes through gettext.

Rendering uses ``invariant=1`` so the same document always produces byte-identical PDFs
(useful for caching, hashing and tests); no current time is printed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import segno
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from tongban.core.pdfdraw import SEAL_RADIUS, SEAL_RED, seal_draw, wrap_text
from tongban.core.pdffonts import pdf_font_name

VALID_STATUS_LABEL = "有效"
QR_ERROR = "m"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 12 * mm
TABLE_LEFT = 28 * mm
TABLE_RIGHT = PAGE_WIDTH - 28 * mm
LABEL_WIDTH = 38 * mm
TABLE_TOP = PAGE_HEIGHT - 72 * mm
TABLE_BOTTOM = 90 * mm  # the seal (top at 83 mm) and QR code (top at 77 mm) sit below
SEAL_CENTRE = (PAGE_WIDTH - 30 * mm - SEAL_RADIUS, 62 * mm)
QR_SIZE = 30 * mm
QR_ORIGIN = (30 * mm, 47 * mm)  # bottom-left corner of the QR square (quiet zone included)
QR_QUIET_MODULES = 2

FRAME_RED = (0.6, 0.12, 0.1)
TEXT_BLACK = (0.1, 0.1, 0.1)
GREY = (0.45, 0.45, 0.45)


@dataclass(frozen=True)
class LicenceDocument:
    """What a licence (电子证照) shows on paper and on screen."""

    identifier: str  # 证照标识
    number: str  # 证照编号 (serial)
    type_name: str  # 证照类型名称, e.g. "营业执照"
    holder_label: str  # "统一社会信用代码" or "公民身份号码"
    holder_code: str  # shown as given (the caller masks personal ID numbers)
    holder_name: str  # 持证主体
    issuer_name: str  # 颁发机构
    issuer_code: str  # 颁发机构代码 (USCC)
    issue_date: date
    valid_from: date
    valid_until: date | None  # None = 长期
    items: tuple[tuple[str, str], ...]  # the type's own data items, (label, value) in order
    status_label: str  # printed as a watermark only when not 有效
    verify_url: str  # absolute URL of the public verification page; the QR encodes it
    signature_algorithm: str  # "SM2-SM3" or "Ed25519"
    key_id: str
    signature_digest: str  # short fingerprint printed in the footer


# --------------------------------------------------------------------------- helpers


def chinese_date(d: date) -> str:
    """Format a date the way Chinese certificates do: 2026年01月05日."""
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def validity_text(doc: LicenceDocument) -> str:
    """有效期限 line: "2026年12月04日 至 2031年12月03日", or "长期" when open-ended."""
    if doc.valid_until is None:
        return "长期"
    return f"{chinese_date(doc.valid_from)} 至 {chinese_date(doc.valid_until)}"


# --------------------------------------------------------------------------- QR code


def _qr_matrix(url: str) -> tuple[bytearray, ...]:
    """Module matrix (no quiet zone) of the QR code encoding ``url``."""
    matrix: tuple[bytearray, ...] = segno.make(url, error=QR_ERROR).matrix
    return matrix


def qr_svg(url: str) -> str:
    """Inline, accessible, scalable SVG of the QR code encoding exactly ``url``."""
    qr = segno.make(url, error=QR_ERROR)
    svg: str = qr.svg_inline(
        scale=1,
        border=4,
        omitsize=True,  # viewBox only; the default size is added below
        dark="#000",
        light="#fff",
        svgclass="licence-qr",
        lineclass=None,
    )
    label = escape(_("查验二维码"))
    return svg.replace(
        "<svg ",
        f'<svg width="160" height="160" role="img" aria-label="{label}" '
        'shape-rendering="crispEdges" ',
        1,
    )


# --------------------------------------------------------------------------- PDF parts


def _table_rows(doc: LicenceDocument) -> list[tuple[str, str]]:
    """Label/value lines of the certificate; the holder is not repeated if an item names it."""
    holder_in_items = any(value == doc.holder_name for _label, value in doc.items)
    holder_rows = [] if holder_in_items else [("持证主体", doc.holder_name)]
    return [
        (doc.holder_label, doc.holder_code),
        *holder_rows,
        *doc.items,
        ("有效期限", validity_text(doc)),
        ("颁发机构", doc.issuer_name),
        ("颁发日期", chinese_date(doc.issue_date)),
    ]


def _layout_rows(
    rows: Sequence[tuple[str, str]], font: str, size: float
) -> list[tuple[list[str], list[str]]]:
    label_width = LABEL_WIDTH - 3 * mm
    value_width = TABLE_RIGHT - TABLE_LEFT - LABEL_WIDTH
    return [
        (wrap_text(label, font, size, label_width), wrap_text(value, font, size, value_width))
        for label, value in rows
    ]


def _rows_height(laid_out: Sequence[tuple[list[str], list[str]]], size: float) -> float:
    leading = size * 1.5
    row_gap = size * 0.9
    return sum(max(len(lbl), len(val)) * leading + row_gap for lbl, val in laid_out)


def _fit_rows(
    rows: Sequence[tuple[str, str]], font: str
) -> tuple[float, list[tuple[list[str], list[str]]]]:
    """Pick the largest font size at which the whole table fits its box."""
    available = TABLE_TOP - TABLE_BOTTOM
    for size in (12.0, 11.0, 10.0, 9.0, 8.0, 7.0, 6.0):
        laid_out = _layout_rows(rows, font, size)
        if _rows_height(laid_out, size) <= available:
            return size, laid_out
    return size, laid_out  # smallest size; the overflow is clipped by the frame below


def _draw_frame(c: Canvas) -> None:
    c.setStrokeColorRGB(*FRAME_RED)
    c.setLineWidth(2.2)
    c.rect(MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN)
    c.setLineWidth(0.6)
    inset = MARGIN + 2.2 * mm
    c.rect(inset, inset, PAGE_WIDTH - 2 * inset, PAGE_HEIGHT - 2 * inset)


def _draw_heading(c: Canvas, doc: LicenceDocument, font: str) -> None:
    centre = PAGE_WIDTH / 2
    c.setFillColorRGB(*TEXT_BLACK)
    title_size = 30.0
    char_space = 8.0 if len(doc.type_name) <= 6 else 0.0
    while pdfmetrics.stringWidth(doc.type_name, font, title_size) > TABLE_RIGHT - TABLE_LEFT:
        title_size -= 2
    c.setFont(font, title_size)
    c.drawCentredString(centre, PAGE_HEIGHT - 42 * mm, doc.type_name, charSpace=char_space)
    c.setFont(font, 10.5)
    c.drawCentredString(centre, PAGE_HEIGHT - 52 * mm, f"证照编号：{doc.number}")
    c.setFont(font, 7.5)
    c.setFillColorRGB(*GREY)
    y = PAGE_HEIGHT - 57.5 * mm
    for line in wrap_text(f"证照标识：{doc.identifier}", font, 7.5, TABLE_RIGHT - TABLE_LEFT):
        c.drawCentredString(centre, y, line)
        y -= 10
    c.setStrokeColorRGB(*FRAME_RED)
    c.setLineWidth(0.5)
    c.line(TABLE_LEFT, TABLE_TOP + 6 * mm, TABLE_RIGHT, TABLE_TOP + 6 * mm)


def _draw_table(c: Canvas, doc: LicenceDocument, font: str) -> None:
    size, laid_out = _fit_rows(_table_rows(doc), font)
    leading = size * 1.5
    row_gap = size * 0.9
    value_x = TABLE_LEFT + LABEL_WIDTH
    c.saveState()
    clip = c.beginPath()
    clip.rect(TABLE_LEFT, TABLE_BOTTOM, TABLE_RIGHT - TABLE_LEFT, TABLE_TOP - TABLE_BOTTOM + size)
    c.clipPath(clip, stroke=0, fill=0)
    c.setFont(font, size)
    y = TABLE_TOP
    for label_lines, value_lines in laid_out:
        c.setFillColorRGB(*FRAME_RED)
        for i, line in enumerate(label_lines):
            c.drawString(TABLE_LEFT, y - i * leading, line)
        c.setFillColorRGB(*TEXT_BLACK)
        for i, line in enumerate(value_lines):
            c.drawString(value_x, y - i * leading, line)
        y -= max(len(label_lines), len(value_lines)) * leading + row_gap
    c.restoreState()


def _draw_seal(c: Canvas, doc: LicenceDocument, font: str) -> None:
    cx, cy = SEAL_CENTRE
    seal_draw(
        c, text=doc.issuer_name, font=font, cx=cx, cy=cy, line_width=2.0, star=(6.5 * mm, 2.6 * mm)
    )
    c.setFillColorRGB(*TEXT_BLACK)
    c.setFont(font, 11)
    c.drawCentredString(cx, cy - SEAL_RADIUS - 7 * mm, chinese_date(doc.issue_date))


def _draw_qr(c: Canvas, url: str, font: str) -> None:
    """Draw the QR code as vector squares (one rectangle per horizontal run of dark modules)."""
    matrix = _qr_matrix(url)
    count = len(matrix) + 2 * QR_QUIET_MODULES
    module = QR_SIZE / count
    x0, y0 = QR_ORIGIN
    c.saveState()
    c.setFillColorRGB(1, 1, 1)
    c.rect(x0, y0, QR_SIZE, QR_SIZE, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        y = y0 + QR_SIZE - (row_index + QR_QUIET_MODULES + 1) * module
        col = 0
        while col < len(row):
            if not row[col]:
                col += 1
                continue
            start = col
            while col < len(row) and row[col]:
                col += 1
            x = x0 + (start + QR_QUIET_MODULES) * module
            c.rect(x, y, (col - start) * module, module, stroke=0, fill=1)
    c.restoreState()
    c.setFillColorRGB(*TEXT_BLACK)
    c.setFont(font, 9)
    c.drawCentredString(x0 + QR_SIZE / 2, y0 - 5 * mm, "扫码查验真伪")


def _draw_footer(c: Canvas, doc: LicenceDocument, font: str) -> None:
    statement = (
        f"本证照由{doc.issuer_name}以电子签名（{doc.signature_algorithm}，密钥 {doc.key_id}）"
        "签发，与纸质证照具有同等法律效力。"
    )
    width = PAGE_WIDTH - 2 * (MARGIN + 10 * mm)
    lines = wrap_text(statement, font, 8.5, width)
    y = 28 * mm + (len(lines) - 1) * 11
    c.setFillColorRGB(*TEXT_BLACK)
    c.setFont(font, 8.5)
    for line in lines:
        c.drawCentredString(PAGE_WIDTH / 2, y, line)
        y -= 11
    c.setFillColorRGB(*GREY)
    c.setFont(font, 7)
    for line in wrap_text(f"签名摘要：{doc.signature_digest}", font, 7, width):
        c.drawCentredString(PAGE_WIDTH / 2, y - 1, line)
        y -= 9


def _draw_watermark(c: Canvas, label: str, font: str) -> None:
    """Large diagonal semi-transparent red status (e.g. 已吊销) over the whole page."""
    c.saveState()
    c.setFillColorRGB(*SEAL_RED)
    c.setFillAlpha(0.22)
    c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    c.rotate(35)
    size = 110.0
    while size > 30 and pdfmetrics.stringWidth(label, font, size) > PAGE_HEIGHT * 0.8:
        size -= 10
    c.setFont(font, size)
    c.drawCentredString(0, -size / 3, label)
    c.restoreState()


# --------------------------------------------------------------------------- public API


def licence_pdf(doc: LicenceDocument) -> bytes:
    """Render ``doc`` as a one-page A4 portrait PDF; byte-identical for identical input."""
    font = pdf_font_name()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=1)
    c.setPageCompression(1)
    c.setTitle(f"{doc.type_name} {doc.number}")
    c.setAuthor(doc.issuer_name)
    c.setSubject(doc.identifier)
    c.setCreator("Tongban 通办")
    _draw_frame(c)
    _draw_heading(c, doc, font)
    _draw_table(c, doc, font)
    _draw_qr(c, doc.verify_url, font)
    _draw_seal(c, doc, font)
    _draw_footer(c, doc, font)
    if doc.status_label != VALID_STATUS_LABEL:
        _draw_watermark(c, doc.status_label, font)
    c.showPage()
    c.save()
    return buffer.getvalue()
