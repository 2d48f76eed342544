from __future__ import annotations

import dataclasses
import re

from pollinate.core.report import Count, ThemeSummary
from pollinate.io.render.report_html import render_html
from tests.io.render.report_sample import sample_report


def test_html_holds_every_section_in_report_order():
    page = render_html(sample_report())
    headings = re.findall(r"<h[23]>([^<]+)</h[23]>", page)
    assert headings == [
        "Roles",
        "SDG targets",
        "Short report",
        "Key takeaways",
        "Calls to action",
        "Long report",
        "Agenda as run",
        "Discussion by question",
        "Vote results",
        "Next steps",
        "Participation",
    ]
    assert "<dt>Format</dt><dd>World Café, hybrid</dd>" in page
    assert "<td>14:08–14:25</td>" in page
    assert "<blockquote>Investors lack data on AI risks.</blockquote>" in page


def test_html_draws_the_three_participation_charts_inline():
    page = render_html(sample_report())
    charts = re.findall(r'<figure class="chart"><svg.*?</svg>', page, flags=re.DOTALL)
    assert len(charts) == 3
    assert ">By stakeholder group<" in charts[1]
    assert ">Western Europe and Others<" in charts[2]


def test_note_text_in_html_is_escaped():
    theme = ThemeSummary("Loud", 1, ("Table 1",), (1,), ("<script>alert(1)</script>",))
    first = dataclasses.replace(sample_report().discussions[0], themes=(theme,))
    page = render_html(dataclasses.replace(sample_report(), discussions=(first,)))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_roster_value_in_a_chart_label_is_escaped_too():
    report = sample_report()
    odd = dataclasses.replace(
        report.participation, by_region=(Count("<img src=x onerror=alert(1)>", 11),)
    )
    page = render_html(dataclasses.replace(report, participation=odd))
    assert "<img" not in page
