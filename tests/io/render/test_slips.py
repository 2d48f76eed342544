from dataclasses import replace
from pathlib import Path

import pypdf

from pollinate.core.planner.model import Plan
from pollinate.core.roster import Roster
from pollinate.io.render.pdf import write_pdf
from pollinate.io.render.slips import build_slips, render_slips
from pollinate.io.rounds import describe_rounds
from tests.io import hybrid_cafe


def slips_html(roster: Roster | None = None, plan: Plan | None = None) -> str:
    spec = hybrid_cafe.spec()
    return render_slips(
        spec, roster or hybrid_cafe.roster(), plan or hybrid_cafe.plan(), describe_rounds(spec, 2)
    )


def slip_for(name: str) -> str:
    """The HTML of one person's page."""
    sections = slips_html().split('<section class="sheet slip">')[1:]
    (section,) = [s for s in sections if f"<h1>{name}</h1>" in s]
    return section


def test_everyone_seated_gets_one_page_in_roster_order():
    slips = build_slips(
        hybrid_cafe.spec(), hybrid_cafe.roster(), hybrid_cafe.plan(), describe_rounds(None, 2)
    )
    assert [slip.name for slip in slips] == [p.name for p in hybrid_cafe.roster()]
    assert slips_html().count('class="sheet slip"') == 10


def test_slip_gives_each_rounds_place_question_and_time():
    page = slip_for("José Álvarez")
    assert page.index("Table 1") < page.index("Who should hold the data?")
    assert page.index("Who should hold the data?") < page.index("Table 2")
    assert "14:10" in page
    assert "20 min" in page
    assert "(French)" in page  # Table 2's language


def test_slip_never_names_the_other_people_at_the_table():
    page = slip_for("José Álvarez")
    for other in ("Amina Yusuf", "Chen Wei", "Marie Curie", "Olu Ade", "Sara Berg"):
        assert other not in page


def test_host_slip_says_stay_at_the_table_and_marks_the_planners_choice():
    assert "You host Table 1 — stay there all session</p>" in slip_for("Amina Yusuf")
    assert "You host Table 2 — stay there all session" in slip_for("Marie Curie")
    assert "(chosen by the planner)" in slip_for("Marie Curie")
    assert "(chosen by the planner)" not in slip_for("Amina Yusuf")
    assert "You host" not in slip_for("José Álvarez")


def test_online_slip_has_the_rooms_video_link_and_onsite_slips_none():
    page = slip_for("Lena Ko")
    assert 'href="https://meet.example/room-a"' in page
    assert page.count("Video link") == 1  # round 2's Room B has no link
    assert "Video link" not in slip_for("Chen Wei")


def test_a_round_without_a_seat_says_so():
    plan = hybrid_cafe.plan()
    second = {k: v for k, v in plan.seating[1].items() if k != "p6"}
    html = slips_html(plan=replace(plan, seating=(plan.seating[0], second)))
    assert html.count("Not seated this round") == 1


def test_a_participant_called_script_is_escaped():
    roster = Roster(
        tuple(
            replace(p, name="<script>alert(1)</script>") if p.id == "p2" else p
            for p in hybrid_cafe.roster()
        )
    )
    html = slips_html(roster=roster)
    assert "<script>" not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html


def test_slip_pdf_for_three_people_opens_with_their_places(tmp_path: Path):
    three = Roster(tuple(hybrid_cafe.roster().participants[i] for i in (0, 3, 7)))
    plan = hybrid_cafe.plan()
    seating = tuple({k: v for k, v in s.items() if k in three} for s in plan.seating)
    spec = hybrid_cafe.spec()
    html = render_slips(spec, three, replace(plan, seating=seating), describe_rounds(spec, 2))
    path = tmp_path / "slips.pdf"
    write_pdf(html, path)
    # Lines wrap wherever the layout puts them: compare with whitespace collapsed.
    pages = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]
    assert len(pages) == 3
    assert "Amina Yusuf" in pages[0]
    assert "Table 1" in pages[0]
    assert "chosen by the planner" in pages[1]
    assert "Room A" in pages[2]
    assert "https://meet.example/room-a" in pages[2]
    assert "What would build trust?" in pages[2]
