from __future__ import annotations

import io

import docx

from pollinate.io.render.report_docx import build_docx, document_text, docx_bytes
from tests.io.render.report_sample import sample_report


def test_word_document_holds_the_sections_tables_and_three_charts():
    document = docx.Document(io.BytesIO(docx_bytes(build_docx(sample_report()))))
    headings = [
        p.text for p in document.paragraphs if p.style and p.style.name.startswith("Heading")
    ]
    assert headings[:7] == [
        "Roles",
        "SDG targets",
        "Short report",
        "Key takeaways",
        "Calls to action",
        "Long report",
        "Agenda as run",
    ]
    assert "Participation" in headings
    paragraphs = [p.text for p in document.paragraphs]
    assert "Form a dynamic coalition on AI accountability." in paragraphs
    assert "“Investors lack data on AI risks.”" in paragraphs
    assert "11 people took part (registered): 9 onsite, 2 online." in paragraphs
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["Format", "World Café, hybrid"] in rows
    assert ["Understanding AI risk", "14:05–14:20", "14:08–14:25", "15 / 17"] in rows
    assert ["investors", "4"] in rows
    assert len(document.inline_shapes) == 3
    assert document.core_properties.title == "Following the money"


def test_document_text_reads_paragraphs_and_table_cells():
    text = document_text(build_docx(sample_report()))
    assert "Jan Rydzak, World Benchmarking Alliance (WBA)" in text.splitlines()
    assert "Western Europe and Others" in text.splitlines()
    assert "Shared risk data (7 notes from 3 tables, 11 dots)" in text.splitlines()
