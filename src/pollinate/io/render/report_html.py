"""The session report as one self-contained HTML page (inline CSS and SVG charts).

The same page, with `paged=True`, is what WeasyPrint turns into the PDF
(`report_pdf.py`), so the two never drift apart. Autoescaping is on (`html.py`):
note texts are printed as text; only the chart SVG we drew ourselves is `Markup`.
"""

from __future__ import annotations

from markupsafe import Markup

from pollinate.core.report import Report
from pollinate.io.render import report_view as view
from pollinate.io.render.charts import chart_svg, participation_charts
from pollinate.io.render.html import render_page


def render_html(report: Report, *, paged: bool = False) -> str:
    """The whole report as HTML; `paged` drops the screen margins for print."""
    # Our own drawing; matplotlib escapes the labels it writes into the SVG.
    charts = [
        Markup(chart_svg(chart, id_prefix=f"chart{number}-"))  # noqa: S704
        for number, chart in enumerate(participation_charts(report.participation), 1)
    ]
    return render_page(
        "report.html",
        report=report,
        view=view,
        facts=view.facts(report),
        agenda=view.agenda_rows(report),
        count_tables=view.count_tables(report.participation),
        charts=charts,
        paged=paged,
    )
