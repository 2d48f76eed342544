from __future__ import annotations

import dataclasses

from pollinate.core.report import ThemeSummary
from pollinate.io.render.report_md import escape, render_markdown
from tests.io.render.report_sample import sample_report


def test_markdown_has_the_short_report_before_the_long_report():
    text = render_markdown(sample_report())
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[:8] == [
        "# Following the money",
        "## Roles",
        "## SDG targets",
        "## Short report",
        "### Key takeaways",
        "### Calls to action",
        "## Long report",
        "### Agenda as run",
    ]
    assert "1. Risk data must be shared between investors and civil society." in text
    assert "1. Form a dynamic coalition on AI accountability." in text


def test_markdown_shows_the_heading_facts_and_public_roles():
    text = render_markdown(sample_report())
    for line in (
        "- **Event:** Internet Governance Forum",
        "- **Date:** Tuesday 24 June 2025",
        "- **Format:** World Café, hybrid",
        "- **Duration:** 45 minutes planned, 50 as run",
        "- **Rapporteur:** Jan Rydzak, World Benchmarking Alliance (WBA)",
        "- SDG 12.6",
    ):
        assert line in text.splitlines()


def test_markdown_agenda_gives_planned_and_actual_times():
    text = render_markdown(sample_report())
    assert "| Understanding AI risk | 14:05–14:20 | 14:08–14:25 | 15 / 17 |" in text


def test_markdown_gives_themes_per_question_with_their_notes_and_votes():
    text = render_markdown(sample_report())
    assert "#### Round 1: Understanding AI risk" in text
    assert "**Question:** How can investors help?" in text
    assert "- **Shared risk data** (7 notes from 3 tables, 11 dots)" in text
    assert "  - “Civil society can map risks first.”" in text
    assert "| Shared risk data | 11 |" in text


def test_markdown_counts_participation_without_names():
    text = render_markdown(sample_report())
    assert "11 people took part (registered): 9 onsite, 2 online." in text
    assert "| investors | 4 |" in text
    assert "| Western Europe and Others | 6 |" in text
    assert "Person " not in text


def test_empty_sections_say_none_recorded():
    report = dataclasses.replace(
        sample_report(), key_takeaways=(), calls_to_action=(), next_steps=(), votes=()
    )
    text = render_markdown(report)
    assert text.count("None recorded.") == 4


def test_typed_text_cannot_become_markup():
    theme = ThemeSummary("<b>Loud</b>", 1, ("Table 1",), (1,), ("# Not a heading\n- nor a list",))
    first = dataclasses.replace(sample_report().discussions[0], themes=(theme,))
    text = render_markdown(dataclasses.replace(sample_report(), discussions=(first,)))
    assert "- **\\<b\\>Loud\\</b\\>**" in text
    assert "  - “\\# Not a heading - nor a list”" in text  # one line, one list item


def test_escape_leaves_plain_words_and_placeholders_alone():
    assert escape("[a participant] said trust is local.") == "[a participant] said trust is local."
    assert escape("- item\n12. x") == "\\- item\n\\12. x"
