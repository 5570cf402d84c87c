"""Server-side SVG bar charts: no JavaScript, always shown beside a table that carries the
same figures (the chart is a picture of the table, not a substitute for it)."""

from __future__ import annotations

from collections.abc import Sequence

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
    parts = [
        format_html(
            '<svg class="bar-chart" role="img" aria-labelledby="{}" viewBox="0 0 {} {}" '
            'width="{}" height="{}" xmlns="http://www.w3.org/2000/svg"><title id="{}">{}</title>',
            chart_id,
            width,
            height,
            width,
            height,
            chart_id,
            title,
        )
    ]
    parts += [_legend_item(index, name) for index, name in enumerate(series)]
    for index, (label, values) in enumerate(rows):
        top_y = legend + 4 + index * row_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>',
                LABEL_WIDTH - 6,
                top_y + BAR_HEIGHT - 2,
                label[:LABEL_CHARS],
            )
        )
        parts += [
            _bar(top_y + n * (BAR_HEIGHT + BAR_GAP), value, top, COLOURS[n % len(COLOURS)])
            for n, value in enumerate(values)
        ]
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


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
