"""A server-side SVG bar chart (no JavaScript) shown beside the table with the same figures."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

ROW_HEIGHT = 26
LABEL_WIDTH = 200
PLOT_WIDTH = 300


def bar_chart(rows: list[tuple[str, int]], *, title: str) -> SafeString:
    """One horizontal bar per row scaled to the largest value; ``role="img"`` with a title
    so screen readers announce it."""
    if not rows:
        return mark_safe("")
    top = max(value for _label, value in rows) or 1
    width, height = LABEL_WIDTH + PLOT_WIDTH + 60, ROW_HEIGHT * len(rows) + 10
    parts = [
        format_html(
            '<svg class="bar-chart" role="img" aria-labelledby="reg-chart-title" '
            'viewBox="0 0 {} {}" width="{}" height="{}" xmlns="http://www.w3.org/2000/svg">'
            '<title id="reg-chart-title">{}</title>',
            width,
            height,
            width,
            height,
            title,
        )
    ]
    for index, (label, value) in enumerate(rows):
        y = 6 + index * ROW_HEIGHT
        bar = round(PLOT_WIDTH * value / top)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="14" fill="#1f5fa8"/>'
                '<text x="{}" y="{}" font-size="11">{}</text>',
                LABEL_WIDTH - 6,
                y + 12,
                label,
                LABEL_WIDTH,
                y,
                bar,
                LABEL_WIDTH + bar + 4,
                y + 12,
                value,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html
