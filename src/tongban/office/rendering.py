"""Rendering of an official document (公文) laid out per GB/T 9704-2012 (党政机关公文格式),
as an A4 PDF and as an HTML fragment.

This module is pure: it takes a :class:`RenderedDocument` (built from the models by
``tongban.office.selectors.rendering``) and returns bytes or markup; it never touches the
database. The PDF's own words (附件, 抄送, 印发 ...) are deliberately not translated: a 公文
is a Chinese legal document and prints the same whatever the reader's language.

Layout (GB/T 9704-2012):

- page A4, margins top 37 mm, left 28 mm, right 26 mm: the type area (版心) is
  156 mm x 225 mm, 22 lines of 28 characters of 3号 (16 pt) type;
- 版头: 份号, 密级和保密期限, 紧急程度 at the top left; the issuing-authority mark
  (发文机关标志) in red, centred, its top edge 35 mm below the type area's top; the document
  number (发文字号) centred two lines below it; a red rule the width of the type area 4 mm
  below the number. An upward document (上行文, 7.2.3 and 7.2.4) sets the number one
  character in from the left and, on the same line one character in from the right,
  "签发人：" and the signer's name (nothing after the colon until it is signed; the
  name in the document's one font, as no 楷体 is at hand);
- 主体: the title (2号, 22 pt) centred two lines below the rule; the main recipients
  (主送机关) flush left on the line after a blank one, ending with a full-width colon; the
  body, each paragraph indented two characters; the attachment note (附件说明); the
  issuer's name (发文机关署名) and the date (成文日期, right-indented four characters), with
  the red seal (印章) pressing on both;
- 版记 at the bottom of the last page: 抄送 and 印发机关/印发日期 between a thick rule, a
  thin rule and a thick rule on the type area's bottom edge;
- page numbers "— 1 —" 7 mm below the type area, odd pages right, even pages left.

Rendering uses ``invariant=1`` so the same document gives byte-identical PDFs.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from tongban.core.pdfdraw import SEAL_RADIUS, SEAL_RED, seal_draw, wrap_text
from tongban.core.pdffonts import pdf_font_name

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 37 * mm
MARGIN_LEFT = 28 * mm
MARGIN_RIGHT = 26 * mm
AREA_WIDTH = 156 * mm  # 版心宽
AREA_HEIGHT = 225 * mm  # 版心高
AREA_LEFT = MARGIN_LEFT
AREA_RIGHT = PAGE_WIDTH - MARGIN_RIGHT
AREA_TOP = PAGE_HEIGHT - MARGIN_TOP
AREA_BOTTOM = AREA_TOP - AREA_HEIGHT
AREA_CENTRE = AREA_LEFT + AREA_WIDTH / 2

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH = AREA_HEIGHT / LINES_PER_PAGE
BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
PAGE_NUMBER_SIZE = 14.0  # 4号
CHAR_PITCH = AREA_WIDTH / CHARS_PER_LINE  # 28 characters on a 156 mm line
# Lines are wrapped at 28 full-width characters of 16 pt and drawn 0.2 pt tighter per
# character so that exactly 28 of them fill the 156 mm line.
BODY_WRAP_WIDTH = CHARS_PER_LINE * BODY_SIZE + 0.01
BODY_CHAR_SPACE = CHAR_PITCH - BODY_SIZE

MARK_TOP_OFFSET = 35 * mm  # 发文机关标志 top edge below the type area's top edge
MARK_MAX_WIDTH = 15 * mm  # per character
MARK_MAX_HEIGHT = 22 * mm
RULE_BELOW_NUMBER = 4 * mm
PAGE_NUMBER_DROP = 7 * mm  # from the type area's bottom edge to the top of the number line
THICK_RULE = 0.35 * mm
THIN_RULE = 0.25 * mm

RED = (0.86, 0.0, 0.0)  # 发文机关标志 and the red rule
BLACK = (0.0, 0.0, 0.0)
GREY = (0.5, 0.5, 0.5)

DRAFT_LABEL = "（草稿）"
# Opening punctuation that must not end a line (the licence wrapper handles line starts).
_NO_LINE_END = frozenset("“‘（《「『【〔([{")
WRAP_CHUNK = 8 * CHARS_PER_LINE
INDENT = "\u3000\u3000"  # paragraphs start two characters in


@dataclass(frozen=True)
class RenderedDocument:
    """What an official document (公文) shows on paper and on screen, already resolved."""

    mark: str  # 发文机关标志, e.g. 武汉市市场监督管理局文件
    title: str
    body: str  # paragraphs separated by newlines
    issuer_name: str  # 发文机关署名 (full name of the issuing department)
    number: str = ""  # 发文字号; empty for a draft
    copy_number: str = ""  # 份号 (six digits), classified documents only
    classification_label: str = ""  # 密级, e.g. 秘密; empty when not classified
    secrecy_period: str = ""  # 保密期限, e.g. 1年
    urgency_label: str = ""  # 特急 / 加急; empty for 平件
    main_recipients: str = ""  # 主送机关, joined with 、
    attachments: tuple[str, ...] = field(default_factory=tuple)  # 附件 names, in order
    issued_on: date | None = None  # 成文日期
    seal_text: str = ""  # empty: not sealed
    seal_fingerprint: str = ""  # short hex of the sealed content digest
    copy_recipients: str = ""  # 抄送机关, joined with 、
    printed_by: str = ""  # 印发机关
    printed_on: date | None = None  # 印发日期
    upward: bool = False  # 上行文: the 版头 carries the 签发人 line
    signer: str = ""  # 签发人's name; empty until the document is signed

    @property
    def is_draft(self) -> bool:
        """A document without its number or its seal is still a draft (草稿)."""
        return not self.number or not self.seal_text

    @property
    def classification_text(self) -> str:
        """密级和保密期限 as printed: 秘密★1年 (or just 秘密)."""
        if not self.classification_label:
            return ""
        if self.secrecy_period:
            return f"{self.classification_label}★{self.secrecy_period}"
        return self.classification_label


def chinese_date(d: date) -> str:
    """成文日期 in Arabic numerals without leading zeros: 2026年12月5日 (GB/T 9704-2012)."""
    return f"{d.year}年{d.month}月{d.day}日"


def paragraphs(body: str) -> list[str]:
    """The body's non-empty paragraphs, stripped (indentation is the renderer's job)."""
    return [p.strip().lstrip("\u3000") for p in body.splitlines() if p.strip()]


# --------------------------------------------------------------------------- PDF


def _baseline(line: int) -> float:
    """Baseline of grid line ``line`` (0 = first line of the type area)."""
    return AREA_TOP - (line + 1) * LINE_PITCH + 0.3 * LINE_PITCH


def _line_width(text: str, font: str) -> float:
    """Width of a body-size line as drawn (with the tightened character spacing)."""
    return pdfmetrics.stringWidth(text, font, BODY_SIZE) + len(text) * BODY_CHAR_SPACE


def _wrap_body(text: str, font: str, width: float = BODY_WRAP_WIDTH) -> list[str]:
    """Wrap one paragraph; opening punctuation never ends a line (it moves down and the
    rest of the paragraph is wrapped again)."""
    lines: list[str] = []
    rest = " ".join(text.splitlines())
    while rest:
        # Wrapping a bounded prefix keeps long paragraphs linear.
        chunk = rest[:WRAP_CHUNK]
        wrapped = wrap_text(chunk, font, BODY_SIZE, width)
        if len(wrapped) == 1 and chunk != rest:
            wrapped = wrap_text(rest, font, BODY_SIZE, width)
        first = wrapped[0]
        while len(first) > 1 and first[-1] in _NO_LINE_END:
            first = first[:-1]
        first = first or rest[0]
        if first == rest:
            lines.append(first)
            break
        lines.append(first)
        rest = rest[len(first) :]
    return lines or [""]


@dataclass(frozen=True)
class _Line:
    """One line of the flowing part (title to attachment note) on the 22-line grid."""

    text: str = ""
    x: float = AREA_LEFT
    title: bool = False  # 2号, centred on x

    @property
    def blank(self) -> bool:
        return not self.text


def _flow(doc: RenderedDocument, font: str) -> list[_Line]:
    """Title, a blank line, main recipients, body paragraphs, attachment note."""
    lines = [
        _Line(text, x=AREA_CENTRE, title=True)
        for text in wrap_text(doc.title, font, TITLE_SIZE, AREA_WIDTH - 2 * TITLE_SIZE)
    ]
    lines.append(_Line())
    if doc.main_recipients:
        lines.extend(_Line(t) for t in _wrap_body(doc.main_recipients + "：", font))
    for paragraph in paragraphs(doc.body):
        lines.extend(_Line(t) for t in _wrap_body(INDENT + paragraph, font))
    if doc.attachments:
        # 附件：1. xxx — two characters in; wrapped lines align with the first name.
        lines.append(_Line())
        label = INDENT + "附件："
        hang = AREA_LEFT + _line_width(label, font)
        numbered = len(doc.attachments) > 1
        for index, name in enumerate(doc.attachments, start=1):
            text = f"{index}. {name}" if numbered else name
            wrapped = _wrap_body(text, font, BODY_WRAP_WIDTH - 5 * BODY_SIZE)
            for k, line in enumerate(wrapped):
                first = index == 1 and k == 0
                lines.append(_Line(label + line) if first else _Line(line, x=hang))
    return lines


SIGNATURE_LINES = 4  # two lines under the seal's upper half, the issuer's name, the date
KEEP_WITH_SIGNATURE = 2  # body lines that move with the signature to a new page


def _paginate(lines: list[_Line], first_line: int) -> list[list[tuple[int, _Line]]]:
    """Place the flowing lines on pages of 22 lines (page 1 starts at ``first_line``).

    A blank line falling at the top of a page is dropped. The signature block never
    stands alone on a page: when it does not fit after the last line, the last two
    lines of text go over with it (GB/T 9704-2012 7.3.5).
    """

    def place(break_before: int | None) -> list[list[tuple[int, _Line]]]:
        pages: list[list[tuple[int, _Line]]] = [[]]
        line = first_line
        for index, item in enumerate(lines):
            if line >= LINES_PER_PAGE or index == break_before:
                pages.append([])
                line = 0
            if item.blank and line == 0 and len(pages) > 1:
                continue
            pages[-1].append((line, item))
            line += 1
        return pages

    pages = place(None)
    last = pages[-1]
    end = last[-1][0] + 1 if last else first_line
    if end + SIGNATURE_LINES <= LINES_PER_PAGE:
        return pages
    text_indexes = [i for i, item in enumerate(lines) if not item.blank]
    if len(text_indexes) > KEEP_WITH_SIGNATURE:
        moved = place(text_indexes[-KEEP_WITH_SIGNATURE])
        moved_last = moved[-1]
        if moved_last and moved_last[-1][0] + 1 + SIGNATURE_LINES <= LINES_PER_PAGE:
            return moved
    pages.append([])  # nothing to move: the signature starts a page of its own
    return pages


def _draw_page_number(c: Canvas, page: int, font: str) -> None:
    """ "— 1 —" 7 mm below the type area; odd pages right, even pages left (one char in)."""
    text = f"— {page} —"
    y = AREA_BOTTOM - PAGE_NUMBER_DROP - PAGE_NUMBER_SIZE * 0.8
    c.setFillColorRGB(*BLACK)
    c.setFont(font, PAGE_NUMBER_SIZE)
    if page % 2:
        c.drawRightString(AREA_RIGHT - PAGE_NUMBER_SIZE, y, text)
    else:
        c.drawString(AREA_LEFT + PAGE_NUMBER_SIZE, y, text)


def _draw_draft_watermark(c: Canvas, font: str) -> None:
    c.saveState()
    c.setFillColorRGB(*GREY)
    c.setFillAlpha(0.18)
    c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    c.rotate(35)
    c.setFont(font, 96)
    c.drawCentredString(0, -32, DRAFT_LABEL)
    c.restoreState()


def _header_layout(doc: RenderedDocument) -> tuple[float, float, int, float, int]:
    """Positions in the 版头: (mark character width, mark height, number grid line,
    red rule height, grid line the title starts on)."""
    mark = doc.mark or doc.issuer_name
    char_width = min(MARK_MAX_WIDTH, AREA_WIDTH / max(len(mark), 1))
    char_height = min(MARK_MAX_HEIGHT, char_width * 1.4)
    mark_bottom = AREA_TOP - MARK_TOP_OFFSET - char_height
    # 发文字号 two blank lines below the mark; the red rule 4 mm below it; the title two
    # blank lines below the rule.
    number_line = math.ceil((AREA_TOP - mark_bottom) / LINE_PITCH) + 2
    rule_y = _baseline(number_line) - BODY_SIZE * 0.12 - RULE_BELOW_NUMBER
    title_line = math.ceil((AREA_TOP - rule_y) / LINE_PITCH) + 2
    return char_width, char_height, number_line, rule_y, title_line


def _draw_header(c: Canvas, doc: RenderedDocument, font: str) -> None:
    """The 版头 of page 1: 份号/密级/紧急程度, the red mark, the number, the red rule."""
    top_left = [t for t in (doc.copy_number, doc.classification_text, doc.urgency_label) if t]
    c.setFillColorRGB(*BLACK)
    c.setFont(font, BODY_SIZE)
    for line, text in enumerate(top_left):
        c.drawString(AREA_LEFT, _baseline(line), text)

    char_width, char_height, number_line, rule_y, _title = _header_layout(doc)
    # 发文机关标志: red, centred, characters at most 15 mm wide and 22 mm high.
    c.saveState()
    c.setFillColorRGB(*RED)
    c.translate(AREA_CENTRE, AREA_TOP - MARK_TOP_OFFSET - char_height * 0.88)
    c.scale(1, char_height / char_width)
    c.setFont(font, char_width)
    c.drawCentredString(0, 0, doc.mark or doc.issuer_name)
    c.restoreState()

    c.setFillColorRGB(*BLACK)
    c.setFont(font, BODY_SIZE)
    number = DRAFT_LABEL if doc.is_draft else doc.number
    baseline = _baseline(number_line)
    if doc.upward:
        # 上行文: 发文字号 居左空一字, 签发人 居右空一字, on one line.
        c.drawString(AREA_LEFT + CHAR_PITCH, baseline, number)
        c.drawRightString(AREA_RIGHT - CHAR_PITCH, baseline, f"签发人：{doc.signer}")
    else:
        c.drawCentredString(AREA_CENTRE, baseline, number)

    c.setStrokeColorRGB(*RED)
    c.setLineWidth(0.5 * mm)
    c.line(AREA_LEFT, rule_y, AREA_RIGHT, rule_y)


def _draw_line(c: Canvas, line: int, item: _Line, font: str) -> None:
    if item.blank:
        return
    c.setFillColorRGB(*BLACK)
    if item.title:
        c.setFont(font, TITLE_SIZE)
        c.drawCentredString(item.x, _baseline(line), item.text)
    else:
        c.setFont(font, BODY_SIZE)
        c.drawString(item.x, _baseline(line), item.text, charSpace=BODY_CHAR_SPACE)


def _draw_signature(c: Canvas, doc: RenderedDocument, font: str, first: int) -> int:
    """发文机关署名 and 成文日期 (右空四字) from grid line ``first``, the seal pressing on
    both (its top within a line of the body); return the next free grid line."""
    name_line, date_line = first + 2, first + 3
    date_text = chinese_date(doc.issued_on) if doc.issued_on else ""
    date_right = AREA_RIGHT - 4 * CHAR_PITCH
    centre_x = date_right - _line_width(date_text, font) / 2
    name_right = min(centre_x + _line_width(doc.issuer_name, font) / 2, AREA_RIGHT)
    c.setFillColorRGB(*BLACK)
    c.setFont(font, BODY_SIZE)
    name_x = name_right - _line_width(doc.issuer_name, font)
    c.drawString(name_x, _baseline(name_line), doc.issuer_name, charSpace=BODY_CHAR_SPACE)
    if date_text:
        date_x = date_right - _line_width(date_text, font)
        c.drawString(date_x, _baseline(date_line), date_text, charSpace=BODY_CHAR_SPACE)
    if doc.seal_text and not doc.is_draft:
        # The name and the date sit a little below the seal's centre.
        middle = (_baseline(name_line) + _baseline(date_line)) / 2
        _draw_seal(c, doc, font, centre_x, middle + BODY_SIZE * 0.4 + 3 * mm)
    return first + SIGNATURE_LINES


# Type sizes (pt) the on-screen mark may take; the stylesheet has one class for each.
HTML_MARK_SIZES = (36, 32, 28, 24, 20, 16)


def _mark_size(mark: str) -> int:
    """The largest listed size at which the mark fits on one line of the type area (GB/T
    9704: the mark is never wider than the 156 mm line)."""
    width_pt = AREA_WIDTH  # reportlab units are points
    for size in HTML_MARK_SIZES:
        if len(mark) * size * 1.05 <= width_pt:  # 1.05: the stylesheet's letter spacing
            return size
    return HTML_MARK_SIZES[-1]


def _draw_seal(c: Canvas, doc: RenderedDocument, font: str, cx: float, cy: float) -> None:
    seal_draw(
        c,
        text=doc.seal_text,
        font=font,
        cx=cx,
        cy=cy,
        line_width=1.2 * mm,
        star=(7 * mm, 2.8 * mm),
        alpha=0.85,
    )
    if doc.seal_fingerprint:
        # The electronic seal's digest where a paper seal carries its security code.
        c.saveState()
        c.setFillColorRGB(*SEAL_RED)
        c.setFillAlpha(0.85)
        c.setFont(font, 6)
        c.drawCentredString(cx, cy - SEAL_RADIUS + 5 * mm, doc.seal_fingerprint)
        c.restoreState()


RECORD_SIZE = 14.0  # 4号


def _record_lines(doc: RenderedDocument, font: str) -> list[str]:
    if not doc.copy_recipients:
        return []
    width = AREA_WIDTH - 2 * RECORD_SIZE
    return wrap_text(f"抄送：{doc.copy_recipients}。", font, RECORD_SIZE, width)


def _record_height(doc: RenderedDocument, font: str) -> int:
    """Grid lines the 版记 takes (0 when there is nothing to print)."""
    if not (doc.copy_recipients or doc.printed_by or doc.printed_on):
        return 0
    return len(_record_lines(doc, font)) + 1


def _draw_record(c: Canvas, doc: RenderedDocument, font: str) -> None:
    """版记 on the last lines of the page: 抄送, then 印发机关 and 印发日期, between a thick
    rule above, a thin rule between and a thick rule on the type area's bottom edge."""
    copy_lines = _record_lines(doc, font)
    first = LINES_PER_PAGE - _record_height(doc, font)
    last = LINES_PER_PAGE - 1
    c.setFillColorRGB(*BLACK)
    c.setStrokeColorRGB(*BLACK)
    c.setFont(font, RECORD_SIZE)
    c.setLineWidth(THICK_RULE)
    top_rule = AREA_TOP - first * LINE_PITCH
    c.line(AREA_LEFT, top_rule, AREA_RIGHT, top_rule)
    for k, text in enumerate(copy_lines):
        # 左右各空一字; wrapped lines align under the first recipient.
        x = AREA_LEFT + RECORD_SIZE * (1 if k == 0 else 4)
        c.drawString(x, _baseline(first + k), text)
    if copy_lines:
        c.setLineWidth(THIN_RULE)
        between = AREA_TOP - last * LINE_PITCH
        c.line(AREA_LEFT, between, AREA_RIGHT, between)
    if doc.printed_by:
        c.drawString(AREA_LEFT + RECORD_SIZE, _baseline(last), doc.printed_by)
    if doc.printed_on:
        printed_on = f"{chinese_date(doc.printed_on)}印发"
        c.drawRightString(AREA_RIGHT - RECORD_SIZE, _baseline(last), printed_on)
    c.setLineWidth(THICK_RULE)
    c.line(AREA_LEFT, AREA_BOTTOM, AREA_RIGHT, AREA_BOTTOM)


def render_pdf(doc: RenderedDocument) -> bytes:
    """Render ``doc`` as an A4 PDF per GB/T 9704-2012; byte-identical for identical input."""
    font = pdf_font_name()
    pages = _paginate(_flow(doc, font), _header_layout(doc)[4])
    last = pages[-1]
    signature_line = last[-1][0] + 1 if last else 0
    record = _record_height(doc, font)
    record_page = signature_line + SIGNATURE_LINES + record > LINES_PER_PAGE and record > 0

    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=1)
    c.setPageCompression(1)
    c.setTitle(doc.title)
    c.setAuthor(doc.issuer_name)
    c.setSubject(doc.number or DRAFT_LABEL)
    c.setCreator("Tongban 通办")
    total = len(pages) + (1 if record_page else 0)
    for number in range(1, total + 1):
        if doc.is_draft:
            _draw_draft_watermark(c, font)
        if number == 1:
            _draw_header(c, doc, font)
        if number <= len(pages):
            for line, item in pages[number - 1]:
                _draw_line(c, line, item, font)
        if number == len(pages):
            _draw_signature(c, doc, font, signature_line)
        if number == total and record:
            _draw_record(c, doc, font)
        _draw_page_number(c, number, font)
        c.showPage()
    c.save()
    return buffer.getvalue()


# --------------------------------------------------------------------------- HTML


def _seal_svg(doc: RenderedDocument) -> str:
    """The seal as an inline SVG (red ring, star, the seal text along the upper arc)."""
    star = []
    for k in range(10):
        radius = 14 if k % 2 == 0 else 5.6
        angle = math.radians(90 + k * 36)
        star.append(f"{50 + radius * math.cos(angle):.2f},{50 - radius * math.sin(angle):.2f}")
    label = escape(f"印章：{doc.seal_text}")
    return (
        f'<svg class="gw-seal" viewBox="0 0 100 100" role="img" aria-label="{label}">'
        '<defs><path id="gw-seal-arc" d="M 17 62 A 35 35 0 1 1 83 62"/></defs>'
        '<circle cx="50" cy="50" r="46" fill="none" stroke="currentColor" stroke-width="3"/>'
        f'<polygon points="{" ".join(star)}" fill="currentColor"/>'
        '<text font-size="11" fill="currentColor" text-anchor="middle">'
        '<textPath href="#gw-seal-arc" startOffset="50%">'
        f"{escape(doc.seal_text)}</textPath></text>"
        f'<text x="50" y="84" font-size="5" fill="currentColor" text-anchor="middle">'
        f"{escape(doc.seal_fingerprint)}</text></svg>"
    )


def render_html(doc: RenderedDocument, *, heading_level: int = 2) -> SafeString:
    """The same elements as the PDF, as a semantic HTML fragment (every value escaped).

    Styled by ``office/document.css`` (classes ``gw-*``); the title is a heading of
    ``heading_level`` so the fragment fits the page's heading outline.
    """
    h = min(max(heading_level, 1), 6)
    parts: list[str] = [f'<article class="gongwen{" gw-draft" if doc.is_draft else ""}">']
    parts.append('<header class="gw-head">')
    top_left = []
    if doc.copy_number:
        top_left.append(f'<p class="gw-copy">{escape(doc.copy_number)}</p>')
    if doc.classification_text:
        top_left.append(f'<p class="gw-secret">{escape(doc.classification_text)}</p>')
    if doc.urgency_label:
        top_left.append(f'<p class="gw-urgency">{escape(doc.urgency_label)}</p>')
    if top_left:
        parts.append('<div class="gw-top-left">' + "".join(top_left) + "</div>")
    mark = doc.mark or doc.issuer_name
    parts.append(f'<p class="gw-mark gw-mark-{_mark_size(mark)}">{escape(mark)}</p>')
    if doc.is_draft:
        number = f'<p class="gw-number gw-draft-label">{DRAFT_LABEL}</p>'
    else:
        number = f'<p class="gw-number">{escape(doc.number)}</p>'
    if doc.upward:
        signer = f'<span class="gw-signer-name">{escape(doc.signer)}</span>' if doc.signer else ""
        number = (
            f'<div class="gw-number-line">{number}<p class="gw-signer">签发人：{signer}</p></div>'
        )
    parts.append(number)
    parts.append('<hr class="gw-rule"></header>')
    parts.append(f'<h{h} class="gw-title">{escape(doc.title)}</h{h}>')
    if doc.main_recipients:
        parts.append(f'<p class="gw-main">{escape(doc.main_recipients)}：</p>')
    parts.append('<div class="gw-body">')
    parts.extend(f"<p>{escape(p)}</p>" for p in paragraphs(doc.body))
    parts.append("</div>")
    if doc.attachments:
        items = "".join(f"<li>{escape(name)}</li>" for name in doc.attachments)
        tag = "ol" if len(doc.attachments) > 1 else "ul"
        parts.append(
            f'<div class="gw-attachments"><span class="gw-attachments-label">附件：</span>'
            f"<{tag}>{items}</{tag}></div>"
        )
    parts.append('<div class="gw-sign">')
    parts.append(f'<p class="gw-issuer">{escape(doc.issuer_name)}</p>')
    if doc.issued_on:
        parts.append(
            f'<p class="gw-date"><time datetime="{doc.issued_on.isoformat()}">'
            f"{chinese_date(doc.issued_on)}</time></p>"
        )
    if doc.seal_text and not doc.is_draft:
        parts.append(_seal_svg(doc))
    parts.append("</div>")
    copy_lines, printed_by, printed_on = (doc.copy_recipients, doc.printed_by, doc.printed_on)
    if copy_lines or printed_by or printed_on:
        parts.append('<footer class="gw-record">')
        if doc.copy_recipients:
            parts.append(f'<p class="gw-cc">抄送：{escape(doc.copy_recipients)}。</p>')
        if printed_by or printed_on:
            printed = (
                f'<time datetime="{printed_on.isoformat()}">{chinese_date(printed_on)}</time>印发'
                if printed_on
                else ""
            )
            parts.append(
                f'<p class="gw-printed"><span class="gw-printed-by">{escape(printed_by)}</span>'
                f'<span class="gw-printed-on">{printed}</span></p>'
            )
        parts.append("</footer>")
    parts.append("</article>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
