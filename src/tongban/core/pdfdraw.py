"""Drawing shared by the platform's PDFs (e-licences, official documents): CJK line
breaking and the red round seal (公章) with its star and arc of text."""

from __future__ import annotations

import math

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

SEAL_RADIUS = 21 * mm  # a 42 mm official seal
SEAL_RED = (0.82, 0.08, 0.08)

# Punctuation that must not start a line (simplified Chinese kinsoku rule): it hangs at
# the end of the previous line instead.
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕,.;:?!)]}%")


def wrap_text(text: str, font_name: str, font_size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, character by character.

    CJK text has no spaces, so we measure each character with ``stringWidth``. Explicit
    newlines are kept. Closing punctuation never starts a line (it hangs instead).
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for char in paragraph:
            candidate = current + char
            fits = pdfmetrics.stringWidth(candidate, font_name, font_size) <= width
            if fits or not current or char in _NO_LINE_START:
                current = candidate
            else:
                lines.append(current)
                current = char
        lines.append(current)
    return lines


def seal_draw(
    c: Canvas,
    *,
    text: str,
    font: str,
    cx: float,
    cy: float,
    line_width: float,
    star: tuple[float, float],
    alpha: float = 1.0,
) -> None:
    """The round seal centred at (cx, cy): rim, five-pointed star (outer and inner
    radius) and ``text`` along the top arc. ``alpha`` below 1 lets the signature
    beneath show through, as ink does."""
    c.saveState()
    c.setStrokeColorRGB(*SEAL_RED)
    c.setFillColorRGB(*SEAL_RED)
    c.setFillAlpha(alpha)
    c.setStrokeAlpha(alpha)
    c.setLineWidth(line_width)
    c.circle(cx, cy, SEAL_RADIUS, stroke=1, fill=0)
    _star(c, cx, cy, *star)
    _arc_text(c, text, font, cx, cy)
    c.restoreState()


def _star(c: Canvas, cx: float, cy: float, outer: float, inner: float) -> None:
    path = c.beginPath()
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = math.radians(90 + k * 36)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        if k == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    c.drawPath(path, stroke=0, fill=1)


def _arc_text(c: Canvas, text: str, font: str, cx: float, cy: float) -> None:
    """Set ``text`` clockwise along the top arc of the seal, characters upright to the rim."""
    if not text:
        return
    span_degrees = 250.0
    text_radius = SEAL_RADIUS - 2.6 * mm  # where the tops of the characters sit
    arc_length = text_radius * math.radians(span_degrees)
    size = min(12.0, arc_length / (len(text) * 1.15))
    baseline_radius = text_radius - size * 0.88
    step = min(span_degrees / len(text), size * 1.25 / baseline_radius * 180 / math.pi)
    start = 90 + step * (len(text) - 1) / 2
    c.setFont(font, size)
    for i, char in enumerate(text):
        angle = start - i * step
        c.saveState()
        c.translate(
            cx + baseline_radius * math.cos(math.radians(angle)),
            cy + baseline_radius * math.sin(math.radians(angle)),
        )
        c.rotate(angle - 90)
        c.drawCentredString(0, 0, char)
        c.restoreState()
