from dataclasses import replace
from pathlib import Path

import pypdf

from pollinate.core.roster import Roster
from pollinate.io.render.cards import TableCard, build_cards, render_cards
from pollinate.io.render.pdf import write_pdf
from pollinate.io.rounds import describe_rounds
from tests.io import hybrid_cafe


def cards_html(
    join_url: str | None = "https://cafe.example/join/abc", roster: Roster | None = None
) -> str:
    spec = hybrid_cafe.spec()
    return render_cards(
        spec,
        roster or hybrid_cafe.roster(),
        hybrid_cafe.plan(),
        describe_rounds(spec, 2),
        join_url=join_url,
    )


def test_one_card_per_onsite_table_marking_the_planners_host():
    assert build_cards(hybrid_cafe.roster(), hybrid_cafe.plan()) == (
        TableCard("Table 1", host="Amina Yusuf", auto_host=False),
        TableCard("Table 2", host="Marie Curie", auto_host=True, language="French"),
    )


def test_card_names_host_and_every_rounds_question():
    html = cards_html()
    assert "Host: Amina Yusuf" in html
    assert "Host chosen by the planner: Marie Curie" in html
    assert html.count("Who should hold the data?") == 2
    assert html.count("What would build trust?") == 2
    assert "Room A" not in html  # online rooms get no card


def test_card_carries_an_inline_qr_code_for_the_join_url():
    html = cards_html()
    assert html.count("<svg") == 2
    assert "Join: https://cafe.example/join/abc" in html


def test_without_a_join_url_the_card_has_a_note_instead_of_a_qr_code():
    html = cards_html(join_url=None)
    assert "<svg" not in html
    assert "No join link was given" in html


def test_a_host_called_script_is_printed_as_text():
    roster = Roster(
        tuple(
            replace(p, name="<script>alert(1)</script>") if p.id == "p1" else p
            for p in hybrid_cafe.roster()
        )
    )
    html = cards_html(roster=roster)
    assert "<script>" not in html
    assert "Host: &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_card_pdf_opens_with_table_names_and_questions(tmp_path: Path):
    path = tmp_path / "cards.pdf"
    write_pdf(cards_html(), path)
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 2
    first, second = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Table 1" in first
    assert "Who should hold the data?" in first
    assert "Host chosen by the planner: Marie Curie" in second
