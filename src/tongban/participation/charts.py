"""Server-side SVG bar charts for survey results: no JavaScript, always shown next to a
table carrying the same figures (the chart is a picture of the table, not a substitute)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 16
ROW_HEIGHT = 26
LABEL_WIDTH = 200
PLOT_WIDTH = 300


def bar_chart(rows: list[tuple[str, int]], *, title: str, chart_id: str) -> SafeString:
    """One horizontal bar per row, scaled to the largest count; ``role="img"`` with a title
    so that screen readers announce what the picture shows."""
    if not rows:
        return mark_safe("")
    top = max(count for _label, count in rows) or 1
    height = ROW_HEIGHT * len(rows) + 8
    width = LABEL_WIDTH + PLOT_WIDTH + 60
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
    for index, (label, count) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        bar = round(PLOT_WIDTH * count / top)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#1f5fa8"/>'
                '<text x="{}" y="{}" font-size="11">{}</text>',
                LABEL_WIDTH - 6,
                y + BAR_HEIGHT - 3,
                label[:16],
                LABEL_WIDTH,
                y,
                bar,
                BAR_HEIGHT,
                LABEL_WIDTH + bar + 4,
                y + BAR_HEIGHT - 3,
                count,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html
