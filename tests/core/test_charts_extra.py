"""The shared server-side SVG line and stacked bar charts, read back as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tongban.core.charts import (
    LABEL_WIDTH,
    PLOT_WIDTH,
    chart_number,
    line_chart,
    nice_scale,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the charts' own output, not untrusted input


def _points(polyline: ET.Element) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for x, y in (pair.split(",") for pair in polyline.get("points", "").split())
    ]


def _is_accessible(root: ET.Element, chart_id: str, title: str) -> bool:
    heading = root.find(f"{SVG}title")
    return (
        root.get("role") == "img"
        and root.get("aria-labelledby") == chart_id
        and heading is not None
        and heading.get("id") == chart_id
        and heading.text == title
    )


# -- line chart ---------------------------------------------------------------------------


def test_a_line_chart_without_categories_draws_nothing():
    assert line_chart([], [("受理", [])], title="空", chart_id="c") == ""


def test_one_line_per_series_with_a_marker_and_tooltip_per_value():
    received, completed = [3, 5, 8, 6, 9], [1, 4, 6, 7, 8]
    root = _parse(
        line_chart(
            MONTHS,
            [("受理", received), ("办结", completed)],
            title="每月件数",
            chart_id="monthly",
            unit="件",
        )
    )
    assert _is_accessible(root, "monthly", "每月件数")
    plotted = [p for p in root.iter(f"{SVG}polyline") if len(_points(p)) > 2]  # not legend keys
    assert len(plotted) == 2
    assert [len(_points(p)) for p in plotted] == [5, 5]
    markers = list(root.iter(f"{SVG}circle"))
    assert len(markers) == 10
    tooltips = [m.findtext(f"{SVG}title") for m in markers]
    assert "受理 2026-03: 8 件" in tooltips and "办结 2026-05: 8 件" in tooltips
    # Markers sit on their line, and a larger value is drawn higher up.
    first_line = _points(plotted[0])
    assert [(float(m.get("cx", "")), float(m.get("cy", ""))) for m in markers[:5]] == first_line
    heights = [y for _x, y in first_line]
    assert heights[2] < heights[1] < heights[0]


def test_none_leaves_a_gap_and_a_lone_point_is_only_a_marker():
    root = _parse(
        line_chart(
            MONTHS,
            [("受理", [3, None, 5, 6, None])],
            title="t",
            chart_id="c",
        )
    )
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1  # 2026-01 stands alone; 2026-03..04 is the only stretch
    assert len(_points(lines[0])) == 2
    assert len(list(root.iter(f"{SVG}circle"))) == 3


def test_a_single_series_has_no_legend_and_several_have_one():
    alone = _parse(line_chart(MONTHS[:2], [("受理", [1, 2])], title="t", chart_id="c"))
    assert [t.text for t in alone.iter(f"{SVG}text") if t.text == "受理"] == []
    both = _parse(
        line_chart(MONTHS[:2], [("受理", [1, 2]), ("办结", [0, 1])], title="t", chart_id="c")
    )
    labels = [t.text for t in both.iter(f"{SVG}text")]
    assert "受理" in labels and "办结" in labels


def test_the_y_axis_has_four_or_five_gridlines_up_to_a_round_maximum():
    root = _parse(line_chart(MONTHS[:3], [("受理", [12, 37, 41])], title="t", chart_id="c"))
    lines = list(root.iter(f"{SVG}line"))
    ticks = [t.text or "" for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert len(lines) - 1 in (4, 5)  # above the zero axis
    assert ticks == ["0", "10", "20", "30", "40", "50"]
    # Headroom: the top gridline is above the highest point.
    top = float(lines[-1].get("y1", ""))
    assert top < min(float(c.get("cy", "")) for c in root.iter(f"{SVG}circle"))


@pytest.mark.parametrize(
    ("largest", "integral", "expected"),
    [
        (0, True, (1, 4)),
        (3, True, (1, 4)),
        (7, True, (2, 8)),
        (40, True, (10, 40)),
        (101, True, (25, 125)),
        (1, False, (0.2, 1.0)),
        (7.5, False, (2, 8)),
    ],
)
def test_nice_scales(largest, integral, expected):
    step, top = nice_scale(largest, integral=integral)
    assert (step, top) == pytest.approx(expected)
    assert round(top / step) in (4, 5)


def test_figures_print_without_noise():
    assert [chart_number(v) for v in (3, 3.0, 2.5, 1 / 3, 0.6000000000000001)] == [
        "3",
        "3",
        "2.5",
        "0.33",
        "0.6",
    ]


def test_line_chart_text_is_escaped():
    svg = line_chart(["<b>"], [("<script>", [1])], title='"><img src=x>', chart_id="c", unit="<i>")
    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    _parse(svg)  # still well-formed


# -- stacked bar chart --------------------------------------------------------------------


def _segments(root: ET.Element) -> list[ET.Element]:
    """The bar segments: rectangles carrying a tooltip (legend keys have none)."""
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_a_stacked_chart_without_rows_draws_nothing():
    assert stacked_bar_chart([], title="空", chart_id="c", series=("a",)) == ""


def test_segments_are_proportional_and_the_largest_total_fills_the_plot():
    rows = [("市场监管局", (10, 20, 30)), ("人社局", (15, 0, 5))]
    root = _parse(
        stacked_bar_chart(rows, title="材料", chart_id="m", series=("上传", "复用", "自动获取"))
    )
    assert _is_accessible(root, "m", "材料")
    segments = _segments(root)
    assert len(segments) == 5  # the zero value draws nothing
    widths = [float(s.get("width", "")) for s in segments]
    scale = PLOT_WIDTH / 60
    assert widths == pytest.approx([10 * scale, 20 * scale, 30 * scale, 15 * scale, 5 * scale])
    # Segments of a bar are contiguous from the label column.
    first_bar = segments[:3]
    x = float(LABEL_WIDTH)
    for segment in first_bar:
        assert float(segment.get("x", "")) == pytest.approx(x)
        x += float(segment.get("width", ""))
    assert x == pytest.approx(LABEL_WIDTH + PLOT_WIDTH)
    # Each bar's total is printed just past its end.
    totals = [t for t in root.iter(f"{SVG}text") if t.text in ("60", "20")]
    assert [t.text for t in totals] == ["60", "20"]
    assert float(totals[1].get("x", "")) == pytest.approx(LABEL_WIDTH + 20 * scale + 4)
    assert segments[0].findtext(f"{SVG}title") == "市场监管局 上传: 10"


def test_every_series_has_a_legend_key_and_its_own_colour():
    series = ("咨询", "投诉", "建议", "求助", "举报")
    root = _parse(
        stacked_bar_chart([("2026-01", (1, 1, 1, 1, 1))], title="t", chart_id="c", series=series)
    )
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert all(name in labels for name in series)
    colours = [s.get("fill") for s in _segments(root)]
    assert len(set(colours)) == 5
    keys = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is None]
    assert [k.get("fill") for k in keys] == colours


def test_stacked_chart_text_is_escaped():
    svg = stacked_bar_chart(
        [("<script>", (1, 2))], title='"><img src=x>', chart_id="c", series=("<b>", "x")
    )
    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    _parse(svg)
