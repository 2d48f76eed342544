"""The session report as a Word document (python-docx), for organisers who edit it further.

The document is built first and its text read back (`document_text`) for the leak
check, then saved; what is checked is exactly what is written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import docx
from docx.document import Document
from docx.shared import Cm

from pollinate.core.report import Report
from pollinate.io.render import report_view as view
from pollinate.io.render.charts import chart_png, participation_charts

CHART_WIDTH = Cm(15)  # the text width of an A4 page with Word's default margins


def build_docx(report: Report) -> Document:
    """The whole report as a python-docx `Document`, not yet saved."""
    document = docx.Document()
    document.core_properties.title = report.title
    document.core_properties.author = ""  # python-docx writes "python-docx" otherwise
    document.add_heading(report.title, level=0)
    _table(document, None, [(label, value) for label, value in view.facts(report)])
    if report.chatham_house:
        document.add_paragraph(view.CHATHAM_HOUSE).runs[0].italic = True
    document.add_heading(view.ROLES, level=1)
    if report.roles:
        _table(document, None, [(role.role, role.name) for role in report.roles])
    else:
        document.add_paragraph(view.NONE_RECORDED)
    document.add_heading(view.SDG_TARGETS, level=2)
    _items(document, [f"SDG {target}" for target in report.sdg_targets])
    document.add_heading(view.SHORT_REPORT, level=1)
    document.add_heading(view.KEY_TAKEAWAYS, level=2)
    _items(document, report.key_takeaways, numbered=True)
    document.add_heading(view.CALLS_TO_ACTION, level=2)
    _items(document, report.calls_to_action, numbered=True)
    document.add_heading(view.LONG_REPORT, level=1)
    document.add_heading(view.AGENDA, level=2)
    _table(document, view.AGENDA_HEADER, view.agenda_rows(report))
    document.add_heading(view.DISCUSSION, level=2)
    _discussions(document, report)
    document.add_heading(view.VOTES, level=2)
    if report.votes:
        _table(document, ("Theme", "Dots"), [(v.label, str(v.dots)) for v in report.votes])
    else:
        document.add_paragraph(view.NONE_RECORDED)
    document.add_heading(view.NEXT_STEPS, level=2)
    if report.next_steps_block:
        document.add_paragraph(f"From the agenda block “{report.next_steps_block}”.")
    _items(document, report.next_steps)
    _participation(document, report)
    return document


def _discussions(document: Document, report: Report) -> None:
    if not report.discussions:
        document.add_paragraph(view.NONE_RECORDED)
    for discussion in report.discussions:
        document.add_heading(view.discussion_heading(discussion.round, discussion.title), 3)
        if discussion.question:
            paragraph = document.add_paragraph()
            paragraph.add_run("Question: ").bold = True
            paragraph.add_run(discussion.question)
        document.add_paragraph(view.notes_line(discussion.note_count))
        for theme in discussion.themes:
            paragraph = document.add_paragraph()
            paragraph.add_run(theme.label).bold = True
            paragraph.add_run(f" ({view.theme_facts(theme)})")
            for text in theme.representatives:
                document.add_paragraph(f"“{text}”", style="Quote")


def _participation(document: Document, report: Report) -> None:
    participation = report.participation
    document.add_heading(view.PARTICIPATION, level=2)
    document.add_paragraph(view.participation_summary(participation))
    for table in view.count_tables(participation):
        document.add_heading(table.title, level=3)
        _table(document, table.header, [(c.label, str(c.count)) for c in table.rows])
    for chart in participation_charts(participation):
        document.add_picture(io.BytesIO(chart_png(chart)), width=CHART_WIDTH)


def _items(document: Document, texts: Sequence[str], *, numbered: bool = False) -> None:
    if not texts:
        document.add_paragraph(view.NONE_RECORDED)
    style = "List Number" if numbered else "List Bullet"
    for text in texts:
        document.add_paragraph(text, style=style)


def _table(document: Document, header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> None:
    width = len(header) if header else len(rows[0]) if rows else 2
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def document_text(document: Document) -> str:
    """Every word the document holds: its title property, then each paragraph (table cells
    included) in document order, one line each, runs joined as Word shows them."""
    lines = [document.core_properties.title or ""]
    for paragraph in document.element.body.iter(f"{_W}p"):
        lines.append("".join(text.text or "" for text in paragraph.iter(f"{_W}t")))
    return "\n".join(lines)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_bytes(document: Document) -> bytes:
    """The saved .docx file."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
