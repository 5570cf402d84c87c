"""Rendering of licences (电子证照) as PDF and QR SVG: pure functions, no database."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import segno
from pypdf import PdfReader

from tongban.core.pdfdraw import wrap_text
from tongban.licences import documents
from tongban.licences.documents import LicenceDocument, chinese_date, licence_pdf, qr_svg

LONG_SCOPE = ("热食类食品制售；冷食类食品制售；餐饮管理；食品经营（销售预包装食品）" * 20)[:300]
VERIFY_URL = "https://tongban.example.gov.cn/licences/verify/1.2.156.3005.2.11100000MB0143028R001"


def make_doc(**changes: object) -> LicenceDocument:
    doc = LicenceDocument(
        identifier="1.2.156.3005.2.11100000MB0143028R001.11420100MB1234567X.20260000001.001.K",
        number="20260000001",
        type_name="营业执照",
        holder_label="统一社会信用代码",
        holder_code="91420100MA4KXYZ12B",
        holder_name="湖北味道餐饮有限公司",
        issuer_name="武汉市市场监督管理局",
        issuer_code="11420100MB1234567X",
        issue_date=date(2026, 12, 4),
        valid_from=date(2026, 12, 4),
        valid_until=date(2031, 12, 3),
        items=(
            ("名称", "湖北味道餐饮有限公司"),
            ("类型", "有限责任公司（自然人投资或控股）"),
            ("法定代表人", "王五"),
            ("注册资本", "壹佰万元整"),
            ("住所", "湖北省武汉市江汉区解放大道688号"),
            ("经营范围", LONG_SCOPE),
        ),
        status_label="有效",
        verify_url=VERIFY_URL,
        signature_algorithm="SM2-SM3",
        key_id="whscjgj-2026-01",
        signature_digest="SM3:8f2a 41c9 77d0 e6b3",
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def extracted_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return squash("".join(page.extract_text() for page in reader.pages))


@pytest.fixture(autouse=True)
def _default_font(settings: Any) -> None:
    settings.TONGBAN_PDF_FONT = ""


# ----------------------------------------------------------------------------- helpers


def test_chinese_date_is_zero_padded() -> None:
    assert chinese_date(date(2026, 1, 5)) == "2026年01月05日"
    assert chinese_date(date(2026, 12, 4)) == "2026年12月04日"


def test_wrap_text_breaks_cjk_by_character_within_width() -> None:
    font = documents.pdf_font_name()
    lines = wrap_text(LONG_SCOPE, font, 11, 300)
    assert len(lines) > 3
    assert "".join(lines) == LONG_SCOPE
    from reportlab.pdfbase.pdfmetrics import stringWidth

    # Closing punctuation may hang one character past the width, nothing more.
    assert all(stringWidth(line[:-1], font, 11) <= 300 for line in lines)
    assert not any(line[0] in "，。；）" for line in lines[1:])


# ----------------------------------------------------------------------------- PDF


def test_pdf_is_one_a4_portrait_page_with_metadata() -> None:
    reader = PdfReader(io.BytesIO(licence_pdf(make_doc())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595.28, abs=0.01)
    assert float(box.height) == pytest.approx(841.89, abs=0.01)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "营业执照 20260000001"
    assert meta.author == "武汉市市场监督管理局"
    assert meta.subject == make_doc().identifier


def test_pdf_text_contains_every_printed_field() -> None:
    doc = make_doc()
    text = extracted_text(licence_pdf(doc))
    expected = [
        doc.type_name,
        doc.number,
        doc.identifier,
        doc.holder_label,
        doc.holder_code,
        doc.holder_name,
        doc.issuer_name,
        "有效期限",
        "2026年12月04日至2031年12月03日",
        "颁发机构",
        "颁发日期",
        "扫码查验真伪",
        "本证照由武汉市市场监督管理局以电子签名（SM2-SM3，密钥whscjgj-2026-01）签发",
        "与纸质证照具有同等法律效力。",
        squash(doc.signature_digest),
    ]
    for label, value in doc.items:
        expected += [label, squash(value)]
    missing = [fragment for fragment in expected if fragment not in text]
    assert not missing


def test_long_business_scope_wraps_and_is_complete() -> None:
    pdf = licence_pdf(make_doc())
    raw_lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    scope_lines = [line for line in raw_lines if "热食类食品制售" in line or "餐饮管理" in line]
    assert len(scope_lines) >= 3  # wrapped over several lines
    assert LONG_SCOPE in extracted_text(pdf)


def test_holder_line_is_printed_once() -> None:
    assert "持证主体" not in extracted_text(licence_pdf(make_doc()))  # 名称 item names it
    text = extracted_text(licence_pdf(make_doc(items=(("经营范围", "餐饮服务"),))))
    assert "持证主体湖北味道餐饮有限公司" in text


def test_open_ended_validity_prints_long_term() -> None:
    text = extracted_text(licence_pdf(make_doc(valid_until=None)))
    assert "有效期限长期" in text
    assert "至" not in text.split("有效期限", 1)[1].split("颁发机构", 1)[0]


def test_renderings_are_deterministic_and_document_specific() -> None:
    first = licence_pdf(make_doc())
    assert first.startswith(b"%PDF-")
    assert licence_pdf(make_doc()) == first
    assert licence_pdf(make_doc(number="20260000002")) != first
    assert licence_pdf(make_doc(verify_url=VERIFY_URL + "X")) != first


def test_revoked_licence_carries_watermark_and_valid_one_does_not() -> None:
    assert "已吊销" in extracted_text(licence_pdf(make_doc(status_label="已吊销")))
    valid_text = extracted_text(licence_pdf(make_doc()))
    assert "已吊销" not in valid_text
    assert "有效期限" in valid_text  # the "有效" label itself is never printed as watermark
    assert valid_text.count("有效") == valid_text.count("有效期限")


def test_very_long_content_still_fits_one_page() -> None:
    items = tuple((f"事项{i}", LONG_SCOPE[:120]) for i in range(12))
    pdf = licence_pdf(make_doc(items=items))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


# ----------------------------------------------------------------------------- fonts


def test_default_font_is_the_builtin_cid_font() -> None:
    pdf = licence_pdf(make_doc())
    assert b"STSong-Light" in pdf
    assert b"FontFile2" not in pdf  # nothing embedded


def test_missing_configured_font_falls_back_to_cid(settings: Any) -> None:
    settings.TONGBAN_PDF_FONT = "/nonexistent/font.ttf"
    assert documents.pdf_font_name() == "STSong-Light"


def _font_file(pattern: str) -> str | None:
    try:
        listing = subprocess.run(
            ["fc-list", f":lang={pattern}", "file"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return None
    files = sorted(
        line.split(":")[0].strip()
        for line in listing.splitlines()
        if line.split(":")[0].strip().endswith((".ttf", ".ttc"))
    )
    # reportlab embeds TrueType outlines only; Noto CJK .ttc files hold CFF outlines.
    return next((f for f in files if _truetype_outlines(f)), None)


def _truetype_outlines(path: str) -> bool:
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        TTFont("probe", path, subfontIndex=0)
    except (TTFError, OSError):
        return False
    return True


def test_configured_truetype_font_is_embedded(settings: Any) -> None:
    font = _font_file("en")
    if font is None:
        pytest.skip("no TrueType font installed on this machine")
    settings.TONGBAN_PDF_FONT = font
    pdf = licence_pdf(make_doc(type_name="Business Licence", holder_name="Hubei Flavour Ltd"))
    assert b"FontFile2" in pdf
    assert b"STSong-Light" not in pdf
    assert (
        licence_pdf(make_doc(type_name="Business Licence", holder_name="Hubei Flavour Ltd")) == pdf
    )
    text = extracted_text(pdf)
    assert "BusinessLicence" in text
    assert "HubeiFlavourLtd" in text
    assert squash(make_doc().identifier) in text


def test_configured_cjk_truetype_font_renders_chinese(settings: Any) -> None:
    font = _font_file("zh-cn")
    if font is None or not Path(font).is_file():
        pytest.skip("no TrueType CJK font installed (fc-list :lang=zh-cn is empty)")
    settings.TONGBAN_PDF_FONT = font
    doc = make_doc()
    pdf = licence_pdf(doc)
    assert b"FontFile2" in pdf
    text = extracted_text(pdf)
    for fragment in (doc.type_name, doc.holder_name, doc.issuer_name, LONG_SCOPE):
        assert fragment in text


# ----------------------------------------------------------------------------- QR SVG


def test_qr_svg_is_inline_accessible_and_scalable() -> None:
    svg = qr_svg(VERIFY_URL)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert 'role="img"' in svg
    assert 'aria-label="查验二维码"' in svg
    assert re.search(r'viewBox="0 0 (\d+) \1"', svg)


def test_qr_svg_is_stable_per_url_and_matches_segno_size() -> None:
    svg = qr_svg(VERIFY_URL)
    assert qr_svg(VERIFY_URL) == svg
    assert qr_svg(VERIFY_URL + "X") != svg
    side = len(segno.make(VERIFY_URL, error="m").matrix) + 2 * 4  # quiet zone of 4 modules
    assert f'viewBox="0 0 {side} {side}"' in svg
