"""The division heat map, read back as XML: placement, shading, labels and legend."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import combinations

import pytest

from tongban.analytics import maps
from tongban.analytics.maps import FILLS, division_map, division_seats

SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]

DEMO = [("420100", "武汉市", 12), ("420900", "孝感市", 30), ("429005", "潜江市", 3)]
DISTRICTS = [("420102", "江岸区", 5), ("420106", "武昌区", 8)]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the map's own output, not untrusted input


def _shapes(root: ET.Element) -> list[ET.Element]:
    """The groups drawing one division each."""
    return [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}polygon") is not None]


def _box(group: ET.Element) -> Box:
    polygon = group.find(f"{SVG}polygon")
    assert polygon is not None
    corners = [tuple(map(float, pair.split(","))) for pair in polygon.get("points", "").split()]
    xs, ys = [x for x, _y in corners], [y for _x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _disjoint(a: Box, b: Box) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def _title(group: ET.Element) -> str:
    return group.findtext(f"{SVG}title") or ""


def _by_title(root: ET.Element) -> dict[str, ET.Element]:
    return {_title(g).split(":")[0]: g for g in _shapes(root)}


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _assert_no_overlap(root: ET.Element) -> None:
    boxes = [_box(g) for g in _shapes(root)]
    for a, b in combinations(boxes, 2):
        assert _disjoint(a, b), (a, b)


def test_no_cells_draw_nothing():
    assert division_map([], title="空", chart_id="m") == ""


def test_the_map_is_announced_and_every_division_has_a_titled_shape():
    root = _parse(division_map(DEMO, title="诉求地区分布", chart_id="appeal-map", unit="件"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "appeal-map"
    heading = root.find(f"{SVG}title")
    assert heading is not None and heading.get("id") == "appeal-map"
    assert heading.text == "诉求地区分布"
    shapes = _shapes(root)
    assert len(shapes) == 3
    assert sorted(_title(g) for g in shapes) == ["孝感市: 30 件", "武汉市: 12 件", "潜江市: 3 件"]
    for group in shapes:
        texts = [t.text for t in group.iter(f"{SVG}text")]
        name, value = _title(group).split(": ")
        assert texts == [name, value.removesuffix(" 件")]


@pytest.mark.parametrize("cells", [DEMO, DISTRICTS], ids=["prefectures", "districts"])
def test_shapes_of_the_demo_divisions_do_not_overlap(cells):
    _assert_no_overlap(_parse(division_map(cells, title="t", chart_id="m")))


def test_shapes_of_every_known_seat_do_not_overlap():
    # Wuhan, its districts and the province all sit within a few km of each other.
    cells = [(code, code, n) for n, code in enumerate(sorted(division_seats()))]
    root = _parse(division_map(cells, title="t", chart_id="m"))
    assert len(_shapes(root)) == len(cells)
    _assert_no_overlap(root)


def test_positions_follow_geography():
    shapes = _by_title(_parse(division_map(DEMO, title="t", chart_id="m")))
    wuhan, xiaogan, qianjiang = (_box(shapes[name]) for name in ("武汉市", "孝感市", "潜江市"))
    assert qianjiang[0] < xiaogan[0] < wuhan[0]  # west to east
    assert xiaogan[1] < wuhan[1]  # Xiaogan lies north of Wuhan
    # Two districts a few km apart still spread over the plot.
    districts = _by_title(_parse(division_map(DISTRICTS, title="t", chart_id="m")))
    jiangan, wuchang = _box(districts["江岸区"]), _box(districts["武昌区"])
    assert jiangan[3] <= wuchang[1]  # 江岸 is north of 武昌, a whole shape apart


def test_crowded_seats_fall_back_to_a_grid_without_overlap(monkeypatch):
    monkeypatch.setattr(maps, "division_seats", lambda: {str(n): (114.3, 30.6) for n in range(12)})
    for rounds in (maps.RELAX_ROUNDS, 0):  # pushing apart, then the grid alone
        monkeypatch.setattr(maps, "RELAX_ROUNDS", rounds)
        root = _parse(
            division_map([(str(n), f"区{n}", n) for n in range(12)], title="t", chart_id="m")
        )
        assert len(_shapes(root)) == 12
        _assert_no_overlap(root)


def test_the_largest_value_gets_the_darkest_bin_and_zero_the_lightest():
    cells = [("420100", "武汉市", 100), ("420900", "孝感市", 0), ("429005", "潜江市", 50)]
    shapes = _by_title(_parse(division_map(cells, title="t", chart_id="m")))

    def fill(name: str) -> str:
        polygon = shapes[name].find(f"{SVG}polygon")
        assert polygon is not None
        return polygon.get("fill", "")

    assert fill("武汉市") == FILLS[-1]
    assert fill("孝感市") == FILLS[0]
    assert fill("潜江市") == FILLS[2]


def test_labels_contrast_with_their_fill():
    cells = [(code, code, n) for n, code in enumerate(sorted(division_seats()))]
    root = _parse(division_map(cells, title="t", chart_id="m"))
    fills_seen = set()
    for group in _shapes(root):
        polygon = group.find(f"{SVG}polygon")
        assert polygon is not None
        fills_seen.add(polygon.get("fill", ""))
        for text in group.iter(f"{SVG}text"):
            assert _contrast(text.get("fill", ""), polygon.get("fill", "")) >= 4.5
    assert fills_seen == set(FILLS)


def test_the_legend_shows_the_five_bins_up_to_the_largest_value():
    root = _parse(division_map(DEMO, title="t", chart_id="m", unit="件"))
    swatches = list(root.iter(f"{SVG}rect"))
    assert [s.get("fill") for s in swatches] == list(FILLS)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "0–6" in texts and "24–30" in texts
    assert any("件" in t for t in texts)


def test_divisions_without_a_seat_go_in_a_row_below_the_map():
    cells = [*DEMO, ("999901", "新区", 7), ("999902", "开发区", 1)]
    root = _parse(division_map(cells, title="t", chart_id="m"))
    shapes = _by_title(root)
    assert len(shapes) == 5
    map_bottom = max(_box(shapes[name])[3] for name in ("武汉市", "孝感市", "潜江市"))
    new, development = _box(shapes["新区"]), _box(shapes["开发区"])
    assert new[1] > map_bottom and development[1] > map_bottom
    assert new[1] == development[1] and new[2] <= development[0]  # side by side
    _assert_no_overlap(root)


def test_only_unknown_divisions_still_draw():
    root = _parse(division_map([("999901", "新区", 7)], title="t", chart_id="m"))
    assert [_title(g) for g in _shapes(root)] == ["新区: 7"]


def test_names_and_titles_are_escaped():
    svg = division_map(
        [("420100", "<script>alert(1)</script>", 3), ("999901", "<b>", 1)],
        title='"><img src=x>',
        chart_id="m",
        unit="<i>",
    )
    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = _parse(svg)
    assert _title(_shapes(root)[0]) == "<script>alert(1)</script>: 3 <i>"


def test_long_names_are_shortened_on_the_shape_but_whole_in_the_title():
    shape = _shapes(
        _parse(division_map([("422800", "恩施土家族苗族自治州", 2)], title="t", chart_id="m"))
    )[0]
    assert _title(shape) == "恩施土家族苗族自治州: 2"
    assert next(t.text for t in shape.iter(f"{SVG}text")) == "恩施土家…"


def test_seats_are_loaded_for_the_hubei_prefectures_and_demo_districts():
    seats = division_seats()
    assert seats["420100"] == (114.30, 30.59)
    expected = {"420000", "420100", "420102", "420106", "420200", "420300", "420500", "420600",
                "420700", "420800", "420900", "420902", "421000", "421100", "421200", "421300",
                "422800", "429004", "429005", "429006", "429021"}  # fmt: skip
    assert expected <= seats.keys()
    assert all(108 < lon < 117 and 29 < lat < 34 for lon, lat in seats.values())
