from __future__ import annotations

from pollinate.core.report import Count, Participation
from pollinate.io.render.charts import Chart, chart_png, chart_svg, participation_charts

MIX = Participation(
    total=10,
    onsite=7,
    online=3,
    by_stakeholder_group=(Count("civil society", 6), Count("government", 4)),
    by_region=(),
    basis="checked in",
)


def test_one_chart_per_breakdown_that_has_people():
    charts = participation_charts(MIX)
    assert [chart.title for chart in charts] == ["Onsite and online", "By stakeholder group"]
    assert charts[0].bars == (Count("onsite", 7), Count("online", 3))


def test_nobody_counted_draws_no_chart():
    empty = Participation(0, 0, 0, (), (), "registered")
    assert participation_charts(empty) == ()


def test_svg_keeps_labels_and_counts_as_text_and_repeats_byte_for_byte():
    chart = Chart("By stakeholder group", MIX.by_stakeholder_group)
    svg = chart_svg(chart)
    assert svg.startswith("<svg")
    for text in (">By stakeholder group<", ">civil society<", ">government<", ">6<", ">4<"):
        assert text in svg
    assert chart_svg(chart) == svg


def test_png_is_a_png_image():
    assert chart_png(Chart("Onsite and online", (Count("onsite", 1),))).startswith(b"\x89PNG")


def test_a_dollar_sign_in_a_label_is_not_read_as_mathematics():
    svg = chart_svg(Chart("By region", (Count("$5 and $6 region", 2),)))
    assert ">$5 and $6 region<" in svg
