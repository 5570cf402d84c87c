"""The shared server-side SVG bar chart."""

from tongban.core.charts import LABEL_WIDTH, PLOT_WIDTH, bar_chart


def test_no_rows_draw_nothing():
    assert bar_chart([], title="空") == ""


def test_bars_scale_to_the_largest_value_and_carry_their_figures():
    svg = bar_chart([("受理", (40,)), ("办结", (10,))], title="件数", chart_id="c1")
    assert svg.startswith('<svg class="bar-chart" role="img" aria-labelledby="c1"')
    assert '<title id="c1">件数</title>' in svg
    assert f'x="{LABEL_WIDTH}" y="4" width="{PLOT_WIDTH}"' in svg  # the largest fills the plot
    assert f'width="{PLOT_WIDTH // 4}"' in svg
    assert ">40</text>" in svg and ">10</text>" in svg


def test_several_series_get_a_legend_and_one_bar_each():
    svg = bar_chart([("市场监管局", (5, 3))], title="t", series=("受理", "办结"))
    assert svg.count("<rect") == 4  # two legend keys, two bars
    assert ">受理</text>" in svg and ">办结</text>" in svg


def test_labels_and_titles_are_escaped():
    svg = bar_chart([("<script>", (1,))], title='"><img src=x>')
    assert "<script>" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg
