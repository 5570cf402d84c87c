"""The official document (公文) rendered per GB/T 9704-2012: the standard elements in the
standard places of the A4 PDF (read back with their positions), red mark and red rule,
pagination with page numbers, byte-identical output; the HTML fragment escapes input; the
selector builds the printable form from the models."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from tongban.office.rendering import (
    AREA_BOTTOM,
    AREA_CENTRE,
    AREA_LEFT,
    AREA_RIGHT,
    AREA_TOP,
    BODY_CHAR_SPACE,
    CHAR_PITCH,
    RED,
    RenderedDocument,
    render_html,
    render_pdf,
)

PARAGRAPH = (
    "为进一步加强食品安全监管，切实保障人民群众“舌尖上的安全”，根据《中华人民共和国食品"
    "安全法》等法律法规的规定，经研究，决定在全市范围内开展食品安全专项检查工作。"
)

DOC = RenderedDocument(
    mark="武汉市市场监督管理局文件",
    title="关于开展食品安全专项检查的通知",
    body=f"{PARAGRAPH}\n现将有关事项通知如下。",
    issuer_name="武汉市市场监督管理局",
    number="武市监发〔2026〕12号",
    copy_number="000002",
    classification_label="秘密",
    secrecy_period="1年",
    urgency_label="特急",
    main_recipients="孝感市市场监督管理局、武汉市消防救援支队",
    attachments=("检查工作方案", "检查情况汇总表"),
    issued_on=date(2026, 12, 5),
    seal_text="武汉市市场监督管理局",
    seal_fingerprint="3f2a9c01b7e4d5a6",
    copy_recipients="武汉市生态环境局",
    printed_by="武汉市市场监督管理局办公室",
    printed_on=date(2026, 12, 5),
)


@dataclass
class Run:
    text: str
    x: float
    y: float
    size: float  # effective font size (vertical)
    colour: tuple[float, ...]
    hsize: float  # effective font size (horizontal)


def _mul(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def page_runs(page: Any) -> list[Run]:
    """Text runs of a page with their page positions and the fill colour they were drawn in."""
    runs: list[Run] = []
    state: dict[str, tuple[float, ...]] = {"colour": (0.0, 0.0, 0.0)}

    def before(op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        if op == b"rg":
            state["colour"] = tuple(float(v) for v in args)

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        m = _mul([float(v) for v in tm], [float(v) for v in cm])
        runs.append(
            Run(
                text.strip("\r\n "), m[4], m[5], size * abs(m[3]), state["colour"], size * abs(m[0])
            )
        )

    page.extract_text(visitor_operand_before=before, visitor_text=visit)
    return runs


def page_lines(page: Any) -> list[tuple[tuple[float, ...], float, tuple[float, ...]]]:
    """Stroked straight lines: (stroke colour, line width, (x1, y1, x2, y2))."""
    contents = page.get_contents()
    ops = contents.operations
    lines = []
    colour: tuple[float, ...] = (0.0, 0.0, 0.0)
    width = 1.0
    start: tuple[float, float] | None = None
    segment: tuple[float, ...] | None = None
    for args, op in ops:
        if op == b"RG":
            colour = tuple(float(v) for v in args)
        elif op == b"w":
            width = float(args[0])
        elif op == b"m":
            start = (float(args[0]), float(args[1]))
        elif op == b"l" and start is not None:
            segment = (*start, float(args[0]), float(args[1]))
        elif op == b"S" and segment is not None:
            lines.append((colour, width, segment))
            segment = start = None
    return lines


def find(runs: list[Run], needle: str) -> Run:
    hits = [r for r in runs if needle in r.text]
    assert hits, f"{needle!r} not in {[r.text for r in runs]}"
    return hits[0]


def width_of(run: Run, text: str | None = None) -> float:
    from reportlab.pdfbase import pdfmetrics

    from tongban.core.pdffonts import pdf_font_name

    return pdfmetrics.stringWidth(text or run.text, pdf_font_name(), run.hsize)


def reader(doc: RenderedDocument) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(doc)))


def test_standard_elements_in_standard_places() -> None:
    pdf = reader(DOC)
    assert len(pdf.pages) == 2  # the 版头 takes the upper half of page 1
    runs, last = page_runs(pdf.pages[0]), page_runs(pdf.pages[-1])
    tol = 2.0

    copy, secret, urgency = find(runs, "000002"), find(runs, "秘密★1年"), find(runs, "特急")
    for run in (copy, secret, urgency):
        assert abs(run.x - AREA_LEFT) < tol
    assert copy.y > secret.y > urgency.y  # 份号, 密级和保密期限, 紧急程度, top-left, in order

    mark, number = find(runs, "武汉市市场监督管理局文件"), find(runs, "武市监发")
    assert mark.colour == pytest.approx(RED) and mark.size > 30
    assert abs(mark.x + width_of(mark) / 2 - AREA_CENTRE) < tol  # centred
    assert abs(number.x + width_of(number) / 2 - AREA_CENTRE) < tol
    assert urgency.y > mark.y > number.y  # mark above the number
    mark_top = mark.y + mark.size * 0.88
    assert abs((AREA_TOP - mark_top) - 35 * mm) < tol  # 35 mm below the type area's top

    red = [ln for ln in page_lines(pdf.pages[0]) if ln[0] == pytest.approx(RED)]
    assert len(red) == 1  # the red separator, the width of the type area
    x1, y1, x2, y2 = red[0][2]
    assert (x1, x2) == (pytest.approx(AREA_LEFT), pytest.approx(AREA_RIGHT)) and y1 == y2
    assert 3 * mm < number.y - y1 < 6 * mm  # 4 mm below the number

    title = find(runs, "关于开展食品安全专项检查的通知")
    assert title.y < y1 and 21 < title.size < 23  # 2号, below the red rule
    assert abs(title.x + width_of(title) / 2 - AREA_CENTRE) < tol

    main = find(runs, "孝感市市场监督管理局、武汉市消防救援支队：")
    assert abs(main.x - AREA_LEFT) < tol and main.y < title.y
    first = find(runs, "为进一步")
    assert first.y < main.y and 15 < first.size < 17  # 3号
    assert first.text.startswith("\u3000\u3000")  # indented two characters
    assert abs(first.x - AREA_LEFT) < tol

    every = [r for page in pdf.pages for r in page_runs(page)]
    attachment = find(every, "附件：1. 检查工作方案")
    second = find(every, "2. 检查情况汇总表")
    assert second.y < attachment.y and second.x > attachment.x
    assert attachment.x == pytest.approx(AREA_LEFT, abs=tol)  # "附件" two characters in
    assert attachment.text.startswith("\u3000\u3000附件")

    issuer = next(r for r in last if r.text == "武汉市市场监督管理局")
    issued = find(last, "2026年12月5日")
    assert issued.y < issuer.y < second.y  # below the body
    right_gap = AREA_RIGHT - (issued.x + width_of(issued) + len(issued.text) * BODY_CHAR_SPACE)
    assert abs(right_gap - 4 * 156 * mm / 28) < 0.5  # right-aligned, four characters in
    assert issuer.x > AREA_CENTRE  # to the right

    cc = find(last, "抄送：武汉市生态环境局。")
    printed_by, printed_on = find(last, "办公室"), find(last, "2026年12月5日印发")
    assert cc.y < issued.y and printed_by.y < cc.y
    assert printed_by.y == pytest.approx(printed_on.y)
    assert printed_by.y - AREA_BOTTOM < 10 * mm  # the last line of the type area
    assert printed_on.x + width_of(printed_on) == pytest.approx(AREA_RIGHT - 14, abs=tol)
    black = [ln for ln in page_lines(pdf.pages[-1]) if ln[0] == pytest.approx((0, 0, 0))]
    widths = [w for _c, w, _s in sorted(black, key=lambda ln: -ln[2][1])]
    assert len(black) == 3 and widths[0] == widths[2] > widths[1]  # thick, thin, thick
    assert black[-1][2][1] == pytest.approx(AREA_BOTTOM) or any(
        s[1] == pytest.approx(AREA_BOTTOM) for _c, _w, s in black
    )

    page_number = find(runs, "— 1 —")
    assert page_number.y < AREA_BOTTOM - 7 * mm and page_number.x > AREA_CENTRE  # odd: right
    assert find(last, "— 2 —").x < AREA_CENTRE  # even: left
    assert not any("抄送" in r.text for r in runs)  # 版记 only on the last page


def test_seal_is_red_and_presses_on_the_signature() -> None:
    contents = reader(DOC).pages[-1].get_contents()
    assert contents is not None
    content = contents.get_data().decode("latin-1")
    assert re.search(r"0?\.82 0?\.08 0?\.08 RG", content)  # the red ring
    runs = page_runs(reader(DOC).pages[-1])
    seal_chars = [r for r in runs if r.colour != (0.0, 0.0, 0.0) and len(r.text) == 1]
    assert len(seal_chars) == len("武汉市市场监督管理局")  # the seal text, around the arc
    assert find(runs, "3f2a9c01b7e4d5a6").colour != (0.0, 0.0, 0.0)  # digest in the seal


def test_long_body_paginates_with_page_numbers_and_record_on_the_last_page() -> None:
    long = replace(DOC, body="\n".join(f"第{i}段。{PARAGRAPH}" for i in range(1, 30)))
    pdf = reader(long)
    assert len(pdf.pages) >= 4
    all_text: list[str] = []
    for index, page in enumerate(pdf.pages, start=1):
        runs = page_runs(page)
        all_text.extend(r.text for r in runs)
        number = find(runs, f"— {index} —")
        if index % 2:
            assert number.x > AREA_CENTRE
        else:
            assert number.x < AREA_CENTRE and abs(number.x - AREA_LEFT - 14) < 2
        lines = [r for r in runs if 15 < r.size < 17 and r.y > AREA_BOTTOM]
        assert len({round(r.y) for r in lines}) <= 22  # 22 lines per page
        for r in runs:
            assert r.y > AREA_BOTTOM - 20 * mm
        has_record = any("抄送：" in r.text for r in runs)
        assert has_record == (index == len(pdf.pages))
    joined = "".join(all_text)
    for i in range(1, 30):
        assert f"第{i}段。" in joined  # nothing lost across pages
    # Body lines hold at most 28 characters (a hanging punctuation mark aside).
    longest = max((len(t) for t in all_text if "第" in t or "食品" in t), default=0)
    assert longest <= 29


def test_short_document_fits_one_page() -> None:
    short = replace(DOC, body="现将有关事项通知如下。", attachments=(), copy_number="")
    pdf = reader(short)
    assert len(pdf.pages) == 1
    runs = page_runs(pdf.pages[0])
    assert find(runs, "2026年12月5日印发").y < find(runs, "现将有关事项").y


def test_identical_input_gives_identical_bytes() -> None:
    assert render_pdf(DOC) == render_pdf(replace(DOC))
    assert render_pdf(DOC) != render_pdf(replace(DOC, number="武市监发〔2026〕13号"))


def test_draft_prints_a_marker_instead_of_number_and_seal() -> None:
    draft = replace(DOC, number="", seal_text="", seal_fingerprint="", issued_on=None)
    runs = [r for page in reader(draft).pages for r in page_runs(page)]
    texts = [r.text for r in runs]
    assert any("（草稿）" in t for t in texts)
    assert not any("武市监发" in t for t in texts)
    assert not [r for r in runs if len(r.text) == 1 and r.colour == (0.82, 0.08, 0.08)]
    html = render_html(draft)
    assert "（草稿）" in html and "gw-seal" not in html


def test_html_has_the_elements_and_escapes_input() -> None:
    evil = replace(
        DOC,
        title="<script>alert(1)</script>",
        body="第一段 <b>粗</b>\n第二段 & 其他",
        main_recipients='"><img src=x>',
        attachments=("<i>附件</i>",),
        seal_text="<svg onload=x>",
    )
    html = render_html(evil, heading_level=2)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;粗" in html and "&amp; 其他" in html
    assert "<img" not in html and "<i>" not in html and "<svg onload" not in html
    assert re.search(r'<h2 class="gw-title">&lt;script&gt;', html)
    assert html.count("<p>") == 2  # one per paragraph
    normal = render_html(DOC)
    for fragment in (
        'class="gw-mark gw-mark-32">武汉市市场监督管理局文件<',
        'class="gw-number">武市监发〔2026〕12号<',
        'class="gw-secret">秘密★1年<',
        'class="gw-urgency">特急<',
        'class="gw-main">孝感市市场监督管理局、武汉市消防救援支队：<',
        '<time datetime="2026-12-05">2026年12月5日</time>',
        "抄送：武汉市生态环境局。",
        'role="img" aria-label="印章：武汉市市场监督管理局"',
        "<ol><li>检查工作方案</li><li>检查情况汇总表</li></ol>",
    ):
        assert fragment in normal, fragment


@pytest.mark.django_db
def test_rendered_document_from_the_models(demo: Any) -> None:
    from django.contrib.auth import get_user_model

    from tongban.office.models import (
        Attachment,
        Document,
        DocumentRecipient,
        IssuerProfile,
        Receipt,
    )
    from tongban.office.selectors.rendering import rendered_document
    from tongban.org.selectors import department_by_code

    scjg = department_by_code(division_code="420100", code="scjg")
    xg = department_by_code(division_code="420900", code="scjg")
    xfzd = department_by_code(division_code="420100", code="xfzd")
    assert scjg is not None and xg is not None and xfzd is not None
    user = get_user_model().objects.get(username="scjg")
    IssuerProfile.objects.update_or_create(
        department_id=scjg.pk,
        defaults={
            "mark": "武汉市市场监督管理局文件",
            "number_prefix": "武市监发",
            "receipt_prefix": "武市监收",
            "seal_text": "武汉市市场监督管理局",
        },
    )
    doc = Document.objects.create(
        issuer_id=scjg.pk,
        title="关于开展检查的通知",
        body="正文。",
        drafter=user,
        classification=2,
        secrecy_period="1年",
        urgency="urgent",
    )
    DocumentRecipient.objects.create(document=doc, department_id=xg.pk, kind="main")
    DocumentRecipient.objects.create(document=doc, department_id=xfzd.pk, kind="copy")
    Attachment.objects.create(
        document=doc,
        name="方案.pdf",
        file="x",
        size=1,
        content_type="application/pdf",
        sha256="0" * 64,
        uploaded_by=user,
    )
    draft = rendered_document(doc)
    assert draft.is_draft and draft.number == "" and draft.seal_text == ""
    assert draft.mark == "武汉市市场监督管理局文件"
    assert draft.main_recipients == "孝感市市场监督管理局"
    assert draft.copy_recipients == "武汉市消防救援支队"
    assert draft.classification_text == "秘密★1年" and draft.urgency_label == "加急"
    assert draft.attachments == ("方案.pdf",) and draft.copy_number == "000001"

    from django.utils import timezone

    doc.number = "武市监发〔2026〕12号"
    doc.issued_on = date(2026, 12, 5)
    doc.sealed_at = timezone.now()
    doc.content_digest = "ab" * 32
    doc.save()
    receipt = Receipt.objects.create(document=doc, department_id=xg.pk, kind="main")
    sealed = rendered_document(doc, receipt=receipt)
    assert not sealed.is_draft and sealed.number == "武市监发〔2026〕12号"
    assert sealed.seal_text == "武汉市市场监督管理局" and sealed.seal_fingerprint == "ab" * 8
    assert sealed.issued_on == date(2026, 12, 5) and sealed.copy_number == "000002"
    assert sealed.printed_by == "武汉市市场监督管理局办公室"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(sealed))).pages)
    assert "武市监发〔2026〕12号" in text and "关于开展检查的通知" in text
    assert not sealed.upward and sealed.signer == ""

    # An upward document names the head who signed it on its current route only.
    head = get_user_model().objects.get(username="scjg-head")
    doc.direction, doc.signer, doc.status = "up", head, "dispatched"
    doc.save()
    upward = rendered_document(doc)
    assert upward.upward and upward.signer == head.display_name == "黄局长"
    doc.status = "returned"  # returned after signing: to be signed again
    assert rendered_document(doc).signer == ""


UPWARD = replace(DOC, upward=True, signer="黄局长")


def test_an_upward_document_prints_its_signer_beside_the_number() -> None:
    runs = page_runs(reader(UPWARD).pages[0])
    number, signer = find(runs, "武市监发〔2026〕12号"), find(runs, "签发人：")
    name = find(runs, "黄局长")
    # GB/T 9704-2012 7.2.4: one line; the number one character in from the left, 签发人 and
    # the name one character in from the right.
    assert number.y == pytest.approx(signer.y) == pytest.approx(name.y)
    assert number.x == pytest.approx(AREA_LEFT + CHAR_PITCH, abs=0.5)
    assert number.x + width_of(number) < AREA_CENTRE < signer.x <= name.x
    assert name.x + width_of(name) == pytest.approx(AREA_RIGHT - CHAR_PITCH, abs=0.5)
    mark = find(runs, "武汉市市场监督管理局文件")
    red = [ln for ln in page_lines(reader(UPWARD).pages[0]) if ln[0] == pytest.approx(RED)]
    assert mark.y > number.y > red[0][2][1]  # still between the mark and the red rule
    # Downward (and parallel) documents keep the centred number and print no signer.
    for other in (DOC, replace(DOC, signer="黄局长")):
        texts = [r.text for r in page_runs(reader(other).pages[0])]
        assert not any("签发人" in t for t in texts)


def test_an_unsigned_upward_draft_leaves_the_signer_blank() -> None:
    draft = replace(UPWARD, number="", seal_text="", seal_fingerprint="", signer="")
    runs = page_runs(reader(draft).pages[0])
    label = next(r for r in runs if r.text == "（草稿）" and r.size < 20)  # not the watermark
    signer = find(runs, "签发人")
    assert signer.text == "签发人：" and label.y == pytest.approx(signer.y)
    assert label.x == pytest.approx(AREA_LEFT + CHAR_PITCH, abs=0.5)
    html = render_html(draft)
    assert '<p class="gw-signer">签发人：</p>' in html and "gw-signer-name" not in html


def test_html_of_an_upward_document_puts_number_and_signer_on_one_line() -> None:
    html = render_html(replace(UPWARD, signer="<b>黄局长</b>"))
    assert (
        '<div class="gw-number-line"><p class="gw-number">武市监发〔2026〕12号</p>'
        '<p class="gw-signer">签发人：<span class="gw-signer-name">&lt;b&gt;黄局长&lt;/b&gt;'
        "</span></p></div>"
    ) in html
    assert "签发人" not in render_html(DOC) and "gw-number-line" not in render_html(DOC)


def test_wrapping_keeps_opening_punctuation_off_line_ends_and_is_fast() -> None:
    import time

    from tongban.core.pdffonts import pdf_font_name
    from tongban.office.rendering import _wrap_body

    font = pdf_font_name()
    text = "一" * 27 + "“引号”内容" + "\n第二行"
    lines = _wrap_body(text, font)
    assert lines[0] == "一" * 27 and lines[1].startswith("“引号”")
    assert "".join(lines) == text.replace("\n", " ")
    started = time.monotonic()
    long = _wrap_body("食品安全" * 5000, font)
    assert time.monotonic() - started < 5 and "".join(long) == "食品安全" * 5000
    assert all(len(line) <= 28 for line in long)


def test_the_on_screen_mark_shrinks_to_stay_on_one_line():
    short = render_html(replace(DOC, mark="武汉市人民政府文件"))
    assert 'class="gw-mark gw-mark-36">' in short
    long = render_html(replace(DOC, mark="湖北省市场监督管理局 湖北省消防救援总队 联合文件"))
    assert 'class="gw-mark gw-mark-16">' in long
