"""Server-side SVG charts (bars, stacked bars, lines): no JavaScript, always shown beside a
table that carries the same figures (the chart is a picture of the table, not a substitute
for it)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#1f5fa8", "#2e8b57", "#b35c00", "#6a3d9a")
BAR_HEIGHT = 14
BAR_GAP = 4
ROW_GAP = 10
LABEL_WIDTH = 230
PLOT_WIDTH = 300
LABEL_CHARS = 18
LEGEND_HEIGHT = 22


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int | float]]],
    *,
    title: str,
    chart_id: str = "chart",
    series: Sequence[str] = (),
) -> SafeString:
    """Horizontal bars, one per value of each row, scaled to the largest value.

    ``rows`` are (label, values); with several values per row, ``series`` names them in a
    legend. The ``<svg>`` has ``role="img"`` and a ``<title>`` (``chart_id`` must be unique
    on the page) so that screen readers announce what the picture shows.
    """
    if not rows:
        return mark_safe("")
    top = max((value for _label, values in rows for value in values), default=0) or 1
    per_row = max(len(values) for _label, values in rows)
    row_height = per_row * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    legend = LEGEND_HEIGHT if series else 0
    width = LABEL_WIDTH + PLOT_WIDTH + 60
    height = legend + row_height * len(rows) + 4
    parts = [svg_open("bar-chart", chart_id, title, width, height)]
    parts += [_legend_item(index, name) for index, name in enumerate(series)]
    for index, (label, values) in enumerate(rows):
        top_y = legend + 4 + index * row_height
        parts.append(_row_label(top_y, label))
        parts += [
            _bar(top_y + n * (BAR_HEIGHT + BAR_GAP), value, top, COLOURS[n % len(COLOURS)])
            for n, value in enumerate(values)
        ]
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def _row_label(top_y: int, label: str) -> SafeString:
    """The category name left of a horizontal bar, cut to fit."""
    return format_html(
        '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>',
        LABEL_WIDTH - 6,
        top_y + BAR_HEIGHT - 2,
        label[:LABEL_CHARS],
    )


def _bar(y: int, value: int | float, top: int | float, colour: str) -> SafeString:
    length = round(PLOT_WIDTH * value / top)
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" font-size="11">{}</text>',
        LABEL_WIDTH,
        y,
        length,
        BAR_HEIGHT,
        colour,
        LABEL_WIDTH + length + 4,
        y + BAR_HEIGHT - 3,
        value,
    )


def _legend_item(index: int, name: str) -> SafeString:
    x = LABEL_WIDTH + index * 110
    return format_html(
        '<rect x="{}" y="4" width="10" height="10" fill="{}"/>'
        '<text x="{}" y="13" font-size="12">{}</text>',
        x,
        COLOURS[index % len(COLOURS)],
        x + 14,
        name,
    )


# Beyond the four house colours (stacked bars may have five or more series); all keep at
# least 3:1 against white so that thin segments and lines stay visible.
SERIES_COLOURS = (*COLOURS, "#a6192e", "#00727a", "#7a5c00", "#4d4d4d")
# Dash patterns tell lines apart on a black-and-white printout, where the colours do not.
DASHES = ("", "6 3", "2 3", "8 3 2 3")
CHART_WIDTH = LABEL_WIDTH + PLOT_WIDTH + 60
LEGEND_ITEM_WIDTH = 110
AXIS_WIDTH = 52
LINE_PLOT_HEIGHT = 180
LINE_RIGHT_MARGIN = 16
X_LABEL_WIDTH = 56
GRID_COLOUR = "#d0d0d0"
AXIS_COLOUR = "#666666"
NICE_STEPS = (1, 2, 2.5, 5)


def line_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None]]],
    *,
    title: str,
    chart_id: str,
    unit: str = "",
) -> SafeString:
    """One line per series over ``categories`` (typically months), ``None`` leaving a gap.

    The y axis runs from 0 to a round maximum with four or five gridlines; every point
    carries a ``<title>`` tooltip with its figure. Values are expected to be non-negative.
    """
    if not categories:
        return mark_safe("")
    values = [v for _name, points in series for v in points if v is not None]
    step, top = nice_scale(max(values, default=0), integral=all(isinstance(v, int) for v in values))
    legend_height = _legend_height(len(series)) if len(series) > 1 else 0
    plot_top = legend_height + 10
    plot_bottom = plot_top + LINE_PLOT_HEIGHT
    height = plot_bottom + 28
    slot = (CHART_WIDTH - AXIS_WIDTH - LINE_RIGHT_MARGIN) / len(categories)
    xs = [round(AXIS_WIDTH + (i + 0.5) * slot, 1) for i in range(len(categories))]

    def y_of(value: float) -> float:
        return round(plot_bottom - LINE_PLOT_HEIGHT * value / top, 1)

    parts = [svg_open("line-chart", chart_id, title, CHART_WIDTH, height)]
    if len(series) > 1:
        parts += _legend([name for name, _points in series], _line_swatch)
    parts += _y_axis(step, top, y_of)
    parts += _x_labels(categories, xs, plot_bottom)
    for index, (name, points) in enumerate(series):
        positions = [None if v is None else (x, y_of(v)) for x, v in zip(xs, points, strict=False)]
        parts += [_polyline(run, index) for run in _runs(positions)]
        parts += [
            _marker(x, y_of(v), index, f"{name} {category}: {chart_number(v)} {unit}".rstrip())
            for x, category, v in zip(xs, categories, points, strict=False)
            if v is not None
        ]
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[int | float]]],
    *,
    title: str,
    chart_id: str,
    series: Sequence[str],
) -> SafeString:
    """One horizontal bar per row, its values stacked in ``series`` order.

    Bars are scaled to the largest row total, which is printed at the end of each bar;
    each segment carries a ``<title>`` with its row, series and figure.
    """
    if not rows:
        return mark_safe("")
    top = max(sum(values) for _label, values in rows) or 1
    legend_height = _legend_height(len(series)) if series else 0
    row_height = BAR_HEIGHT + ROW_GAP
    height = legend_height + row_height * len(rows) + 4
    parts = [svg_open("stacked-bar-chart", chart_id, title, CHART_WIDTH, height)]
    parts += _legend(series, _box_swatch)
    for index, (label, values) in enumerate(rows):
        top_y = legend_height + 4 + index * row_height
        parts.append(_row_label(top_y, label))
        parts += _segments(label, values, series, top_y, top)
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def svg_open(css_class: str, chart_id: str, title: str, width: float, height: float) -> SafeString:
    """The opening ``<svg>`` of a chart, announced to screen readers by its ``<title>``."""
    return format_html(
        '<svg class="{}" role="img" aria-labelledby="{}" viewBox="0 0 {} {}" '
        'width="{}" height="{}" xmlns="http://www.w3.org/2000/svg"><title id="{}">{}</title>',
        css_class,
        chart_id,
        width,
        height,
        width,
        height,
        chart_id,
        title,
    )


def chart_number(value: float | int) -> str:
    """A figure as printed on a chart: integers as such, other values to two decimals."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def nice_scale(largest: float, *, integral: bool = False) -> tuple[float, float]:
    """(step, maximum) of an axis from 0 past ``largest`` in four or five round steps.

    Steps are 1, 2, 2.5 or 5 times a power of ten; counts (``integral``) never get a
    fractional step, so a chart of ones does not read 0.25, 0.5 ...
    """
    largest = max(largest, 0)
    magnitude = 10 ** math.floor(math.log10(largest / 5)) if largest > 0 else 1
    step = next(
        (m * magnitude for m in NICE_STEPS if math.ceil(largest / (m * magnitude)) <= 5),
        10 * magnitude,
    )
    if integral:
        step = max(step, 1)
    if step == int(step):
        step = int(step)
    return step, step * max(4, math.ceil(largest / step))


def _y_axis(step: float, top: float, y_of: Callable[[float], float]) -> list[SafeString]:
    parts = []
    for k in range(round(top / step) + 1):
        value = k * step
        y = y_of(value)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>',
                AXIS_WIDTH,
                y,
                CHART_WIDTH - LINE_RIGHT_MARGIN,
                y,
                AXIS_COLOUR if k == 0 else GRID_COLOUR,
                AXIS_WIDTH - 6,
                y + 4,
                chart_number(value),
            )
        )
    return parts


def _x_labels(categories: Sequence[str], xs: Sequence[float], bottom: float) -> list[SafeString]:
    # Thin the labels out when they would run into each other; the table has them all.
    room = max(1, int((xs[-1] - xs[0]) // X_LABEL_WIDTH) + 1) if len(xs) > 1 else 1
    every = math.ceil(len(categories) / room)
    return [
        format_html(
            '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
            x,
            bottom + 16,
            category[:LABEL_CHARS],
        )
        for i, (category, x) in enumerate(zip(categories, xs, strict=False))
        if i % every == 0
    ]


def _runs(positions: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The unbroken stretches of a series with two points or more (a lone point between
    gaps is drawn as its marker only)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for position in positions:
        if position is None:
            runs.append([])
        else:
            runs[-1].append(position)
    return [run for run in runs if len(run) > 1]


def _polyline(run: Sequence[tuple[float, float]], index: int) -> SafeString:
    points = " ".join(f"{x},{y}" for x, y in run)
    dash = DASHES[index % len(DASHES)]
    if dash:
        return format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" '
            'stroke-dasharray="{}"/>',
            points,
            _colour(index),
            dash,
        )
    return format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', points, _colour(index)
    )


def _marker(x: float, y: float, index: int, tooltip: str) -> SafeString:
    return format_html(
        '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}</title></circle>',
        x,
        y,
        _colour(index),
        tooltip,
    )


def _segments(
    label: str,
    values: Sequence[int | float],
    series: Sequence[str],
    y: int,
    top: int | float,
) -> list[SafeString]:
    # Ends are rounded from running totals, so the bar length is exact whatever the rounding.
    parts = []
    running: int | float = 0
    for index, value in enumerate(values):
        start = round(PLOT_WIDTH * running / top, 1)
        running += value
        end = round(PLOT_WIDTH * running / top, 1)
        if value <= 0:
            continue
        name = series[index] if index < len(series) else ""
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                round(LABEL_WIDTH + start, 1),
                y,
                round(end - start, 1),
                BAR_HEIGHT,
                _colour(index),
                f"{label} {name}: {chart_number(value)}",
            )
        )
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="11">{}</text>',
            round(LABEL_WIDTH + PLOT_WIDTH * running / top + 4, 1),
            y + BAR_HEIGHT - 3,
            chart_number(running),
        )
    )
    return parts


def _legend_per_row() -> int:
    return (CHART_WIDTH - AXIS_WIDTH) // LEGEND_ITEM_WIDTH


def _legend_height(count: int) -> int:
    return LEGEND_HEIGHT * math.ceil(count / _legend_per_row())


def _legend(
    names: Sequence[str], swatch: Callable[[float, float, int], SafeString]
) -> list[SafeString]:
    """Legend keys from the left, wrapping onto further rows of ``LEGEND_HEIGHT``."""
    parts = []
    for index, name in enumerate(names):
        row, column = divmod(index, _legend_per_row())
        x = AXIS_WIDTH + column * LEGEND_ITEM_WIDTH
        y = row * LEGEND_HEIGHT
        parts.append(swatch(x, y, index))
        parts.append(
            format_html('<text x="{}" y="{}" font-size="12">{}</text>', x + 24, y + 13, name)
        )
    return parts


def _box_swatch(x: float, y: float, index: int) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>', x + 10, y + 4, _colour(index)
    )


def _line_swatch(x: float, y: float, index: int) -> SafeString:
    return _polyline([(x, y + 9), (x + 20, y + 9)], index)


def _colour(index: int) -> str:
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]
