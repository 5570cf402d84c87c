"""Rendering of the monthly report (月度报告) as a PDF: a pure function, no database."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from tongban.analytics.report import (
    ReportContent,
    ReportTable,
    cell_text,
    month_text,
    render_monthly_report,
)

CITIES = ["武汉市", "黄石市", "十堰市", "宜昌市", "襄阳市", "鄂州市", "荆门市", "孝感市"]
HEADLINE = [
    ("办件量", "12,345"),
    ("按时办结率", "98.7%"),
    ("好评率", "99.1%"),
    ("平均办理时长", "2.3 天"),
    ("差评整改率", "100%"),
]


def make_content(**changes: Any) -> ReportContent:
    content = ReportContent(
        title="湖北省政务服务月度报告",
        division_name="湖北省",
        month=date(2026, 11, 1),
        generated_on=date(2026, 12, 1),
        headline=HEADLINE,
        tables=[
            ReportTable(
                "各市州办件量",
                ["市州", "受理", "办结"],
                [[city, 1000 - 37 * i, 900 - 30 * i] for i, city in enumerate(CITIES)],
                chart="bar",
                value_columns=(1, 2),
            ),
            ReportTable(
                "近十二个月办件量",
                ["月份", "办件量"],
                [[f"2026-{m:02d}", 800 + 13 * m] for m in range(1, 13)],
                chart="line",
            ),
            ReportTable(
                "事项办件明细",
                ["事项名称", "实施部门", "办件量", "好评率"],
                [
                    [f"事项{i:03d}企业开办一件事", "市场监督管理局", 3 * i, f"{90 + i % 10}%"]
                    for i in range(300)
                ],
            ),
        ],
    )
    return dataclasses.replace(content, **changes)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def extracted_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return squash("".join(page.extract_text() for page in reader.pages))


@pytest.fixture(autouse=True)
def _default_font(settings: Any) -> None:
    settings.TONGBAN_PDF_FONT = ""


@pytest.fixture
def pdf() -> bytes:
    return render_monthly_report(make_content())


def test_month_is_written_the_chinese_way() -> None:
    assert month_text(date(2026, 11, 1)) == "2026年11月"
    assert month_text(date(2027, 1, 1)) == "2027年1月"


def test_numbers_get_thousands_separators() -> None:
    assert cell_text(12345) == "12,345"
    assert cell_text(0.5) == "0.50"
    assert cell_text("98.7%") == "98.7%"


def test_report_is_a_multi_page_a4_pdf_with_metadata(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595.28, abs=0.01)
    assert float(box.height) == pytest.approx(841.89, abs=0.01)
    assert reader.metadata is not None
    assert reader.metadata.author == "Tongban"
    assert "湖北省政务服务月度报告" in str(reader.metadata.title)


def test_report_prints_title_month_headline_and_every_table_row(pdf: bytes) -> None:
    text = extracted_text(pdf)
    assert "湖北省政务服务月度报告" in text
    assert "2026年11月" in text
    for label, value in HEADLINE:
        assert squash(label) in text
        assert squash(value) in text
    assert "事项299企业开办一件事" in text  # the last row of the long table
    assert "897" in text  # its count
    assert "第2页" in text


def test_long_table_repeats_its_header_on_every_page(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    last = squash(reader.pages[-1].extract_text())
    assert "事项名称" in last and "实施部门" in last


def test_charts_are_drawn_with_their_category_labels(pdf: bytes) -> None:
    first = squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    # Each city appears in the chart's axis and in its table row.
    assert first.count("宜昌市") == 2


def test_identical_content_gives_identical_bytes(pdf: bytes) -> None:
    assert render_monthly_report(make_content()) == pdf


def test_a_table_without_rows_still_renders() -> None:
    empty = ReportTable("好差评", ["评价", "件数"], [], chart="bar")
    pdf = render_monthly_report(make_content(tables=[empty], headline=[]))
    text = extracted_text(pdf)
    assert "好差评" in text and "本月无数据" in text


def test_a_chart_without_numbers_is_skipped() -> None:
    table = ReportTable("说明", ["项目", "说明"], [["甲", "无"], ["乙", "无"]], chart="bar")
    pdf = render_monthly_report(make_content(tables=[table]))
    assert extracted_text(pdf).count("甲") == 1  # in the table only, no axis label


def test_an_unknown_chart_kind_is_refused() -> None:
    table = ReportTable("说明", ["项目", "件数"], [["甲", 1]], chart="pie")
    with pytest.raises(ValueError, match="pie"):
        render_monthly_report(make_content(tables=[table]))
