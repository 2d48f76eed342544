from __future__ import annotations

from rich.console import Console

from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.io.render.roster_summary import roster_summary, warning_lines
from pollinate.io.roster_file import RosterProblem


def rendered(renderable) -> str:
    console = Console(record=True, width=120, color_system=None)
    console.print(renderable)
    return console.export_text()


ROSTER = Roster(
    (
        Participant(id="a", name="A", stakeholder_group="civil society", languages=("French",)),
        Participant(id="b", name="B", stakeholder_group="Media", is_host=True),
        Participant(
            id="c",
            name="C",
            region="Africa",
            attendance=Attendance.ONLINE,
            languages=("French", "English"),
            is_host=True,
        ),
        Participant(id="d", name="D", region="Europe"),
    )
)


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_summary_counts_people_by_group_region_attendance_hosts_and_language():
    text = lines(rendered(roster_summary(ROSTER, source="r.csv")))
    assert "r.csv: 4 participants, 3 onsite, 1 online" in text
    assert "civil society 1 25%" in text
    assert "unknown 2 50%" in text
    assert "onsite 3 75%" in text
    assert "French 2" in text
    assert "(none listed) 2" in text
    hosts = text.index("Hosts people")
    assert text[hosts + 1 : hosts + 3] == ["onsite 1", "online 1"]


def test_values_pollinate_does_not_know_are_marked_as_kept_as_written():
    text = lines(rendered(roster_summary(ROSTER, source="r.csv")))
    assert "Media (kept as written) 1 25%" in text
    assert "Europe (kept as written) 1 25%" in text
    assert "Africa 1 25%" in text


def test_warning_lines_count_the_warnings_and_print_markup_literally():
    text = rendered(warning_lines([RosterProblem(2, "[b]x[/b]", "dropped", "r.csv")]))
    assert "1 warning:" in text
    assert "warning: r.csv, row 2, field '[b]x[/b]': dropped" in text


def test_no_warnings_says_so():
    assert "No warnings." in rendered(warning_lines([]))
