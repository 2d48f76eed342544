from __future__ import annotations

import io

import pypdf

from pollinate.io.render.report_html import render_html
from pollinate.io.render.report_pdf import render_pdf
from tests.io.render.report_sample import sample_report


def test_pdf_holds_the_sections_figures_and_charts():
    pdf = render_pdf(render_html(sample_report(), paged=True))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in (
        "Following the money",
        "Format World Café, hybrid",
        "Rapporteur Jan Rydzak, World Benchmarking Alliance (WBA)",
        "Short report Key takeaways",
        "Risk data must be shared between investors and civil society.",
        "Calls to action",
        "Long report Agenda as run",
        "Understanding AI risk 14:05–14:20 14:08–14:25 15 / 17",
        "Round 1: Understanding AI risk",
        "Shared risk data (7 notes from 3 tables, 11 dots)",
        "Vote results",
        "Next steps",
        "11 people took part (registered): 9 onsite, 2 online.",
        "investors 4",
        # The charts' own words: titles and axis labels drawn in SVG.
        "By stakeholder group",
        "People",
    ):
        assert expected in text, expected
    assert text.count("People") >= 6  # three tables' headers and three charts' axes
    assert "Person " not in text
