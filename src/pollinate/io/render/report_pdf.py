"""The session report as PDF: WeasyPrint prints the report's HTML page (`report_html.py`).

The HTML is what the leak check reads before printing, so the PDF holds no word that
was not checked.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pollinate.io.render.pdf import write_pdf


def render_pdf(html: str) -> bytes:
    """The PDF of a report page rendered with `render_html(report, paged=True)`."""
    # write_pdf takes a path (it silences a harmless WeasyPrint import warning, see
    # there); a private temporary folder keeps concurrent downloads apart.
    with tempfile.TemporaryDirectory(prefix="pollinate-report-") as folder:
        path = Path(folder) / "report.pdf"
        write_pdf(html, path)
        return path.read_bytes()
