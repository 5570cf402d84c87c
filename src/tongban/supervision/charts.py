"""Server-side SVG bar charts: no JavaScript, shown next to a table with the same figures."""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 12
ROW_HEIGHT = 34
LABEL_WIDTH = 220
PLOT_WIDTH = 320


def bar_chart(
    rows: list[tuple[str, int, int]], *, title: str, first_label: str, second_label: str
) -> SafeString:
    """Two horizontal bars per row (e.g. accepted and completed), scaled to the largest
    value; ``role="img"`` with a title so screen readers announce it, the table beside it
    carrying the exact numbers."""
    if not rows:
        return mark_safe("")
    top = max(max(a, b) for _label, a, b in rows) or 1
    height = ROW_HEIGHT * len(rows) + 30
    width = LABEL_WIDTH + PLOT_WIDTH + 60
    parts = [
        format_html(
            '<svg class="bar-chart" role="img" aria-labelledby="chart-title" '
            'viewBox="0 0 {} {}" width="{}" height="{}" xmlns="http://www.w3.org/2000/svg">'
            '<title id="chart-title">{}</title>',
            width,
            height,
            width,
            height,
            title,
        ),
        format_html(
            '<rect x="{}" y="4" width="10" height="10" fill="#1f5fa8"/>'
            '<text x="{}" y="13" font-size="12">{}</text>'
            '<rect x="{}" y="4" width="10" height="10" fill="#2e8b57"/>'
            '<text x="{}" y="13" font-size="12">{}</text>',
            LABEL_WIDTH,
            LABEL_WIDTH + 14,
            first_label,
            LABEL_WIDTH + 90,
            LABEL_WIDTH + 104,
            second_label,
        ),
    ]
    for index, (label, first, second) in enumerate(rows):
        y = 24 + index * ROW_HEIGHT
        first_width = round(PLOT_WIDTH * first / top)
        second_width = round(PLOT_WIDTH * second / top)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#1f5fa8"/>'
                '<text x="{}" y="{}" font-size="11">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#2e8b57"/>'
                '<text x="{}" y="{}" font-size="11">{}</text>',
                LABEL_WIDTH - 6,
                y + BAR_HEIGHT + 2,
                escape(label[:24]),
                LABEL_WIDTH,
                y,
                first_width,
                BAR_HEIGHT,
                LABEL_WIDTH + first_width + 4,
                y + BAR_HEIGHT - 2,
                first,
                LABEL_WIDTH,
                y + BAR_HEIGHT + 2,
                second_width,
                BAR_HEIGHT,
                LABEL_WIDTH + second_width + 4,
                y + 2 * BAR_HEIGHT,
                second,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html
