"""A server-side SVG heat map of divisions: one hexagon per division at (roughly) the place
of its seat, shaded by its figure. No JavaScript and no map tiles, so it prints and works
offline; like the other charts it is a picture of a table shown beside it.

Only the seats (county towns) are known, not the boundaries, so the map is a cartogram:
positions follow geography, sizes are equal, and neighbours are pushed apart until no two
shapes overlap.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tongban.core.charts import chart_number, svg_open

SEATS_FILE = Path(__file__).parent / "data" / "division_seats.json"

HEX_RADIUS = 36
HEX_WIDTH = math.sqrt(3) * HEX_RADIUS  # pointy-top: flat sides left and right hold the text
HEX_HEIGHT = 2 * HEX_RADIUS
GAP = 6
PITCH_X = HEX_WIDTH + GAP
PITCH_Y = HEX_HEIGHT + GAP
MARGIN = 8
# Plot area per division, in shapes: room for geography without a sparse map.
AREA_PER_SHAPE = 2.5
ASPECT_LIMITS = (0.6, 2.5)
RELAX_ROUNDS = 200
PUSH_SLACK = 0.5
NAME_CHARS = 5
# ColorBrewer "Blues", light to dark; the text on each is whichever of DARK_TEXT or
# LIGHT_TEXT contrasts more (at least 4.5:1 for all five).
FILLS = ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b")
DARK_TEXT = "#1a1a1a"
LIGHT_TEXT = "#ffffff"
OUTLINE = "#767676"
LEGEND_ITEM_WIDTH = 92
LEGEND_UNIT_WIDTH = 80
CAPTION_HEIGHT = 22
LEGEND_HEIGHT = 30

Point = tuple[float, float]


@cache
def division_seats() -> Mapping[str, Point]:
    """Division code -> (longitude, latitude) of its seat."""
    raw = json.loads(SEATS_FILE.read_text(encoding="utf-8"))
    return {code: (float(lon), float(lat)) for code, (lon, lat) in raw.items()}


def division_map(
    cells: Sequence[tuple[str, str, int | float]],
    *,
    title: str,
    chart_id: str,
    unit: str = "",
) -> SafeString:
    """Heat map of ``cells`` (division code, name, value), shaded in five bins from 0 to
    the largest value. Divisions whose seat is unknown are drawn in a row below the map.
    """
    if not cells:
        return mark_safe("")
    seats = division_seats()
    placed = [cell for cell in cells if cell[0] in seats]
    unplaced = [cell for cell in cells if cell[0] not in seats]
    top = max(value for _code, _name, value in cells)
    centres = _layout([seats[code] for code, _name, _value in placed])
    map_bottom = max((y + HEX_HEIGHT / 2 for _x, y in centres), default=0)
    width = max(
        max((x + HEX_WIDTH / 2 + MARGIN for x, _y in centres), default=0),
        MARGIN + LEGEND_UNIT_WIDTH + len(FILLS) * LEGEND_ITEM_WIDTH,
    )
    parts: list[SafeString] = []
    parts += [_shape(cell, centre, top, unit) for cell, centre in zip(placed, centres, strict=True)]
    if unplaced:
        row_parts, map_bottom = _unplaced_row(unplaced, map_bottom, width, top, unit)
        parts += row_parts
    parts += _legend(top, unit, map_bottom + 10)
    height = math.ceil(map_bottom + 10 + LEGEND_HEIGHT)
    return mark_safe(  # noqa: S308 - every part is escaped by format_html
        svg_open("division-map", chart_id, title, math.ceil(width), height)
        + "".join(parts)
        + "</svg>"
    )


def _layout(seats: Sequence[Point]) -> list[Point]:
    """Centres of the shapes for ``seats`` (longitude, latitude): projected, fitted to a
    plot sized for their number, pushed apart until no two overlap (a grid if pushing does
    not settle), and shifted so the top-left shape touches the margin."""
    if not seats:
        return []
    ideal = _fit(_project(seats))
    centres = _separate(ideal) or _grid(ideal)
    left = min(x for x, _y in centres) - HEX_WIDTH / 2 - MARGIN
    up = min(y for _x, y in centres) - HEX_HEIGHT / 2 - MARGIN
    return [(round(x - left, 1), round(y - up, 1)) for x, y in centres]


def _bin_of(value: float, top: float) -> int:
    """Which of the five equal bins between 0 and ``top`` holds ``value``."""
    if top <= 0:
        return 0
    return max(0, min(len(FILLS) - 1, math.floor(len(FILLS) * value / top)))


def _contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _text_colour(fill: str) -> str:
    return max((DARK_TEXT, LIGHT_TEXT), key=lambda colour: _contrast(colour, fill))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _project(seats: Sequence[Point]) -> list[Point]:
    # Equirectangular around the mean latitude: at province scale the distortion is far
    # below what the pushing apart does anyway. Screen y grows southwards.
    shrink = math.cos(math.radians(sum(lat for _lon, lat in seats) / len(seats)))
    return [(lon * shrink, -lat) for lon, lat in seats]


def _fit(points: Sequence[Point]) -> list[Point]:
    """Scale ``points`` into a plot whose area grows with their number, keeping their
    proportions: two districts a few km apart spread as far as two prefectures would."""
    xs = [x for x, _y in points]
    ys = [y for _x, y in points]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    area = len(points) * PITCH_X * PITCH_Y * AREA_PER_SHAPE
    low, high = ASPECT_LIMITS
    aspect = min(high, max(low, span_x / span_y)) if span_y else high
    box_width = math.sqrt(area * aspect)
    box_height = area / box_width
    scales = [box / span for box, span in ((box_width, span_x), (box_height, span_y)) if span]
    scale = min(scales, default=0)
    return [((x - min(xs)) * scale, (y - min(ys)) * scale) for x, y in points]


def _overlap(a: Point, b: Point) -> tuple[float, float]:
    """How far the shapes at ``a`` and ``b`` (with their gap) intrude on each other along
    x and y; they overlap only when both are positive."""
    return PITCH_X - abs(b[0] - a[0]), PITCH_Y - abs(b[1] - a[1])


def _separate(points: Sequence[Point]) -> list[Point] | None:
    """Push overlapping pairs apart along the axis where they overlap least, round after
    round; None if some still overlap after ``RELAX_ROUNDS``."""
    moved = [list(point) for point in points]
    for _round in range(RELAX_ROUNDS):
        settled = True
        for i, a in enumerate(moved):
            for b in moved[i + 1 :]:
                over_x, over_y = _overlap((a[0], a[1]), (b[0], b[1]))
                if over_x <= 0 or over_y <= 0:
                    continue
                settled = False
                axis, over = (0, over_x) if over_x / PITCH_X <= over_y / PITCH_Y else (1, over_y)
                # Coincident seats: the later one goes right/down, so the result is stable.
                direction = 1 if b[axis] >= a[axis] else -1
                a[axis] -= direction * (over / 2 + PUSH_SLACK)
                b[axis] += direction * (over / 2 + PUSH_SLACK)
        if settled:
            return [(x, y) for x, y in moved]
    return None


def _grid(points: Sequence[Point]) -> list[Point]:
    """Each point on the free grid cell nearest to it, in turn: never overlaps."""
    taken: set[tuple[int, int]] = set()
    placed: list[Point] = []
    for x, y in points:
        column, row = x / PITCH_X, y / PITCH_Y
        cell = _nearest_free(column, row, taken)
        taken.add(cell)
        placed.append((cell[0] * PITCH_X, cell[1] * PITCH_Y))
    return placed


def _nearest_free(column: float, row: float, taken: set[tuple[int, int]]) -> tuple[int, int]:
    home = (round(column), round(row))
    ring = 0
    while True:
        free = [
            (home[0] + dc, home[1] + dr)
            for dc in range(-ring, ring + 1)
            for dr in range(-ring, ring + 1)
            if max(abs(dc), abs(dr)) == ring and (home[0] + dc, home[1] + dr) not in taken
        ]
        if free:
            return min(free, key=lambda c: ((c[0] - column) ** 2 + (c[1] - row) ** 2, c[1], c[0]))
        ring += 1


def _unplaced_row(
    cells: Sequence[tuple[str, str, int | float]],
    top_y: float,
    width: float,
    top: float,
    unit: str,
) -> tuple[list[SafeString], float]:
    """Divisions without a known seat, in rows under a caption; returns the parts and the
    new bottom of the drawing."""
    caption_y = top_y + CAPTION_HEIGHT
    parts = [
        format_html(
            '<text x="{}" y="{}" font-size="12">{}</text>',
            MARGIN,
            caption_y - 6,
            _("以下地区暂无位置信息："),
        )
    ]
    per_row = max(1, int((width - 2 * MARGIN + GAP) // PITCH_X))
    bottom = caption_y
    for index, cell in enumerate(cells):
        row, column = divmod(index, per_row)
        centre = (
            round(MARGIN + HEX_WIDTH / 2 + column * PITCH_X, 1),
            round(caption_y + HEX_HEIGHT / 2 + row * PITCH_Y, 1),
        )
        parts.append(_shape(cell, centre, top, unit))
        bottom = centre[1] + HEX_HEIGHT / 2
    return parts, bottom


def _shape(cell: tuple[str, str, int | float], centre: Point, top: float, unit: str) -> SafeString:
    _code, name, value = cell
    x, y = centre
    fill = FILLS[_bin_of(value, top)]
    ink = _text_colour(fill)
    label = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
    return format_html(
        '<g><title>{}</title><polygon points="{}" fill="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>'
        '<text x="{}" y="{}" font-size="12" font-weight="bold" text-anchor="middle" '
        'fill="{}">{}</text></g>',
        f"{name}: {chart_number(value)} {unit}".rstrip(),
        _hexagon(x, y),
        fill,
        OUTLINE,
        x,
        round(y - 3, 1),
        ink,
        label,
        x,
        round(y + 14, 1),
        ink,
        chart_number(value),
    )


def _hexagon(x: float, y: float) -> str:
    half_width, half_height = HEX_WIDTH / 2, HEX_HEIGHT / 2
    corners = [
        (x, y - half_height),
        (x + half_width, y - half_height / 2),
        (x + half_width, y + half_height / 2),
        (x, y + half_height),
        (x - half_width, y + half_height / 2),
        (x - half_width, y - half_height / 2),
    ]
    return " ".join(f"{round(cx, 1)},{round(cy, 1)}" for cx, cy in corners)


def _legend(top: float, unit: str, y: float) -> list[SafeString]:
    """The five bins as swatches with their ranges, after the unit."""
    parts = []
    if unit:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12">{}</text>',
                MARGIN,
                y + 13,
                _("单位：%(unit)s") % {"unit": unit},
            )
        )
    for index, fill in enumerate(FILLS):
        x = MARGIN + LEGEND_UNIT_WIDTH + index * LEGEND_ITEM_WIDTH
        low, high = top * index / len(FILLS), top * (index + 1) / len(FILLS)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="{}" '
                'stroke-width="1"/><text x="{}" y="{}" font-size="11">{}</text>',
                x,
                y + 2,
                fill,
                OUTLINE,
                x + 18,
                y + 13,
                f"{chart_number(round(low, 2))}–{chart_number(round(high, 2))}",
            )
        )
    return parts
