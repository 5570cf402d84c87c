"""Rendering of the monthly report (月度报告) of a division as an A4 PDF.

This module is pure: it takes a :class:`ReportContent` (figures already chosen,
aggregated and formatted by the selectors) and returns bytes. It never touches the
database, so the layout can be tested and changed without any data.

The report's own labels (page numbers, "生成日期", "本月无数据") are deliberately not
translated: like a licence, the report is an official Chinese document that must print
the same whatever the language of the person who asked for it. The font is the one of
every Tongban PDF (:func:`tongban.core.pdffonts.pdf_font_name`).

Rendering uses ``invariant=1`` so the same content always produces byte-identical PDFs
(the archive stores their SHA-256); no current time is printed, only ``generated_on``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.html import escape
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from tongban.core.charts import COLOURS
from tongban.core.pdffonts import pdf_font_name

CHARTS = ("bar", "line", "none")
AUTHOR = "Tongban"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
CHART_HEIGHT = 62 * mm
# A chart pictures the first rows of its table; beyond this many categories the bars
# become unreadable, and the table below always carries every figure.
CHART_MAX_CATEGORIES = 24
CHART_LABEL_CHARS = 8
ROTATE_LABELS_FROM = 9  # categories; more than this and the axis labels are slanted

INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#666666")
RULE = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#e4ebf3")
STRIPE_FILL = colors.HexColor("#f6f8fa")
HEADLINE_FILL = colors.HexColor("#f3f6fa")
SERIES = tuple(colors.HexColor(c) for c in COLOURS)

Cell = str | int | float


@dataclass(frozen=True)
class ReportTable:
    """A titled table of the report, optionally pictured by a chart above it."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: str = "none"  # "bar" | "line" | "none"
    label_column: int = 0  # column holding the category labels
    value_columns: tuple[int, ...] = (1,)  # numeric columns drawn in the chart


@dataclass(frozen=True)
class ReportContent:
    """Everything the monthly report of a division prints."""

    title: str  # e.g. "湖北省政务服务月度报告"
    division_name: str
    month: date  # first day of the month
    generated_on: date
    headline: list[tuple[str, str]]  # (label, formatted value)
    tables: list[ReportTable] = field(default_factory=list)


# --------------------------------------------------------------------------- text


def month_text(month: date) -> str:
    """The month as the report names it: 2026年11月."""
    return f"{month.year}年{month.month}月"


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cell_text(value: Cell) -> str:
    """Numbers with thousands separators; floats with two decimals (callers that need
    another precision, or a unit such as %, pass the formatted string)."""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float)


class _Styles:
    """The paragraph styles of one rendering, all in the report font."""

    def __init__(self, font: str) -> None:
        def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
            return ParagraphStyle(
                name,
                **{
                    "fontName": font,
                    "fontSize": size,
                    "leading": size * 1.4,
                    "textColor": INK,
                    "wordWrap": "CJK",  # CJK text has no spaces: break between any characters
                    **extra,
                },
            )

        self.font = font
        self.title = style("title", 20, alignment=TA_CENTER, spaceAfter=4 * mm)
        self.subtitle = style("subtitle", 12, alignment=TA_CENTER, spaceAfter=1 * mm)
        self.note = style("note", 9, alignment=TA_CENTER, textColor=GREY, spaceAfter=6 * mm)
        self.heading = style("heading", 13, spaceBefore=6 * mm, spaceAfter=3 * mm)
        self.cell = style("cell", 9)
        self.number = style("number", 9, alignment=TA_RIGHT)
        self.header = style("header", 9)
        self.figure_label = style("figure_label", 9, textColor=GREY)
        self.figure_value = style("figure_value", 15, spaceBefore=1 * mm)


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


# --------------------------------------------------------------------------- blocks


def _heading_block(content: ReportContent, styles: _Styles) -> list[Flowable]:
    return [
        _para(content.title, styles.title),
        _para(f"{content.division_name}　{month_text(content.month)}", styles.subtitle),
        _para(f"生成日期：{day_text(content.generated_on)}", styles.note),
    ]


def _headline_columns(count: int) -> int:
    """Two columns for up to two figures and for four (a square), three otherwise."""
    return 2 if count in (1, 2, 4) else 3


def _headline_block(headline: Sequence[tuple[str, str]], styles: _Styles) -> list[Flowable]:
    if not headline:
        return []
    per_row = _headline_columns(len(headline))
    cells: list[list[Flowable]] = [
        [_para(label, styles.figure_label), _para(value, styles.figure_value)]
        for label, value in headline
    ]
    padding: list[list[Flowable]] = [[] for _ in range(-len(cells) % per_row)]
    cells += padding
    grid = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    table = Table(grid, colWidths=[CONTENT_WIDTH / per_row] * per_row)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), HEADLINE_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return [table]


def _normalised_rows(table: ReportTable) -> list[list[Cell]]:
    """Rows cut or padded to the number of columns, so a short row cannot break the grid."""
    width = len(table.columns)
    return [(list(row) + [""] * width)[:width] for row in table.rows]


def _column_widths(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[float]:
    """Share the page between columns in proportion to their longest text (sampled over
    the first rows), within bounds so that no column is squeezed to nothing."""
    weights = []
    for index, name in enumerate(columns):
        longest = max([len(name), *(len(cell_text(row[index])) for row in rows[:50])])
        weights.append(min(max(longest, 4), 24))
    total = sum(weights)
    return [CONTENT_WIDTH * weight / total for weight in weights]


def _data_table(table: ReportTable, rows: list[list[Cell]], styles: _Styles) -> Table:
    header = [_para(name, styles.header) for name in table.columns]
    body: list[list[Any]] = [
        [
            _para(cell_text(value), styles.number if _is_number(value) else styles.cell)
            for value in row
        ]
        for row in rows
    ]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE_FILL]),
    ]
    if not body:
        empty: list[Any] = [_para("本月无数据", styles.cell)] + [""] * (len(header) - 1)
        body = [empty]
        commands.append(("SPAN", (0, 1), (-1, 1)))
    return Table(
        [header, *body],
        colWidths=_column_widths(table.columns, rows),
        repeatRows=1,  # the header row is repeated on every page the table flows onto
        style=TableStyle(commands),
    )


# --------------------------------------------------------------------------- charts


def _chart_series(
    table: ReportTable, rows: Sequence[Sequence[Cell]]
) -> tuple[list[str], list[list[float | None]], list[str]] | None:
    """(category labels, one list of values per series, series names) of the chart, or
    None when there is nothing numeric to draw."""
    width = len(table.columns)
    value_columns = [c for c in table.value_columns if 0 <= c < width]
    if not value_columns or not 0 <= table.label_column < width:
        return None
    shown = rows[:CHART_MAX_CATEGORIES]
    data: list[list[float | None]] = [
        [float(row[c]) if _is_number(row[c]) else None for row in shown] for c in value_columns
    ]
    if not any(value is not None for series in data for value in series):
        return None
    labels = [cell_text(row[table.label_column])[:CHART_LABEL_CHARS] for row in shown]
    return labels, data, [table.columns[c] for c in value_columns]


def _value_floor(data: Sequence[Sequence[float | None]]) -> float:
    """Start the value axis at zero unless some value is negative."""
    return min([0.0, *(v for series in data for v in series if v is not None)])


def _style_axes(chart: VerticalBarChart | HorizontalLineChart, font: str, count: int) -> None:
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    labels = chart.categoryAxis.labels
    labels.fontName = font
    labels.fontSize = 7
    if count >= ROTATE_LABELS_FROM:
        labels.angle = 35
        labels.boxAnchor = "ne"
        labels.dx = 2
        labels.dy = -2


def _chart(table: ReportTable, rows: Sequence[Sequence[Cell]], font: str) -> Drawing | None:
    series = _chart_series(table, rows)
    if series is None:
        return None
    labels, data, names = series
    drawing = Drawing(CONTENT_WIDTH, CHART_HEIGHT)
    legend_room = 8 * mm if len(names) > 1 else 0
    chart: VerticalBarChart | HorizontalLineChart
    if table.chart == "line":
        chart = HorizontalLineChart()
        chart.joinedLines = 1
        for index in range(len(data)):
            chart.lines[index].strokeColor = SERIES[index % len(SERIES)]
            chart.lines[index].strokeWidth = 1.5
    else:
        chart = VerticalBarChart()
        chart.barSpacing = 1
        chart.groupSpacing = 6
        for index in range(len(data)):
            chart.bars[index].fillColor = SERIES[index % len(SERIES)]
            chart.bars[index].strokeColor = None
    chart.x, chart.y = 14 * mm, 16 * mm
    chart.width = CONTENT_WIDTH - 18 * mm
    chart.height = CHART_HEIGHT - 20 * mm - legend_room
    chart.data = data
    chart.categoryAxis.categoryNames = labels
    chart.valueAxis.valueMin = _value_floor(data)
    _style_axes(chart, font, len(labels))
    drawing.add(chart)
    if legend_room:
        drawing.add(_legend(names, font))
    return drawing


def _legend(names: Sequence[str], font: str) -> Legend:
    legend = Legend()
    legend.x, legend.y = 14 * mm, CHART_HEIGHT - 2 * mm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = font
    legend.fontSize = 8
    legend.boxAnchor = "nw"
    legend.colorNamePairs = [(SERIES[i % len(SERIES)], name) for i, name in enumerate(names)]
    legend.deltax = max(40.0, 12.0 * max(len(name) for name in names))
    return legend


def _table_block(table: ReportTable, styles: _Styles) -> list[Flowable]:
    rows = _normalised_rows(table)
    heading: list[Flowable] = [_para(table.title, styles.heading)]
    chart = _chart(table, rows, styles.font) if table.chart != "none" else None
    if chart is not None:
        heading += [chart, Spacer(1, 3 * mm)]
    # The title and chart stay on one page; the table below may flow over several.
    return [KeepTogether(heading), _data_table(table, rows, styles)] if table.columns else heading


# --------------------------------------------------------------------------- public API


def _footer(font: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Draws the page number at the foot of every page."""

    def draw(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(PAGE_WIDTH / 2, 10 * mm, f"第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    return draw


def render_monthly_report(content: ReportContent) -> bytes:
    """Render ``content`` as an A4 portrait PDF; byte-identical for identical content."""
    for table in content.tables:
        if table.chart not in CHARTS:
            raise ValueError(f"unknown chart kind {table.chart!r} in table {table.title!r}")
    font = pdf_font_name()
    styles = _Styles(font)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{content.title} {content.division_name} {month_text(content.month)}",
        author=AUTHOR,
        subject=content.division_name,
        creator="Tongban 通办",
        lang="zh-CN",
        invariant=1,
        pageCompression=1,
    )
    story = _heading_block(content, styles) + _headline_block(content.headline, styles)
    for table in content.tables:
        story += _table_block(table, styles)
    footer = _footer(font)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
