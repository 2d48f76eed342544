"""The leak check every export passes, with the place of each leak, and what is public.

    report ──report_texts()──▶ (place, text)… ─┐
    notes ──note_place()─────▶ (place, text)… ─┼─ find_leaks(check) ─▶ [LeakFound]
    rendered file text ──rendered_leaks()──────┘        any ─▶ ExportBlocked

An export is checked twice: its texts one by one (so a leak is located as "key takeaway
2" or "note abc (round 1, Table 2)"), then the whole text of the file as written (so
nothing a renderer adds escapes the check). Either finding anything blocks the export.

Public roles, decided here: the session file names its moderators and rapporteur
publicly (`SessionSpec.roles`), so the report's roles section prints what the file says
("Jan Rydzak, World Benchmarking Alliance"). Those names and affiliations are allowed
there and nowhere else. In any other text (a note, a takeaway, a theme) a role holder's
name counts as a leak, even when they are not on the roster: a note saying what the
moderator said attributes a remark, which is what the rule forbids. Whether the role
holder also appears on the roster as a participant makes no difference to either rule.

Who sees the leaked words: `LeakFound.text` holds them for the organiser's terminal,
which already has the whole roster. `LeakFound.describe()` and `ExportBlocked`'s message,
which the web shows, give the kind, the participant id and the place, never the words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pollinate.core.leaks import Leak, LeakCheck
from pollinate.core.report import Report
from pollinate.core.roster import Roster
from pollinate.errors import ExportBlocked


@dataclass(frozen=True, slots=True)
class LeakFound:
    """A leak in one place of an export; `text` is what leaked (organiser's terminal only).

    >>> from pollinate.core.redact_vocabulary import SpanKind
    >>> found = LeakFound("key takeaway 1", Leak(SpanKind.PERSON, 0, 11, ("p1",)), "Hope Mensah")
    >>> found.describe()
    'key takeaway 1: the name of participant p1 at characters 1-11'
    """

    place: str
    leak: Leak
    text: str

    def describe(self) -> str:
        """Where the leak is and what kind it is, without the leaked words."""
        return f"{self.place}: {self.leak.describe()}"


def role_person(named: str) -> str:
    """The person part of a role as a session file writes it, without the affiliation.

    >>> role_person("Jan Rydzak, World Benchmarking Alliance (WBA)")
    'Jan Rydzak'
    """
    return named.split(",")[0].split("(")[0].strip()


def public_names(report: Report) -> tuple[str, ...]:
    """The people the report's roles section names: checked for everywhere else."""
    return tuple(name for role in report.roles if (name := role_person(role.name)))


def report_texts(report: Report) -> list[tuple[str, str]]:
    """Every text of the report with its place, except the roles section (public)."""
    texts = [("title", report.title)]
    texts += [("event", report.event)] if report.event else []
    texts += [(f"SDG target {n}", t) for n, t in enumerate(report.sdg_targets, 1)]
    texts += [(f"key takeaway {n}", t) for n, t in enumerate(report.key_takeaways, 1)]
    texts += [(f"call to action {n}", t) for n, t in enumerate(report.calls_to_action, 1)]
    for n, row in enumerate(report.agenda, 1):
        texts.append((f"agenda block {n} title", row.title))
        texts += [(f"agenda block {n} question", row.question)] if row.question else []
    for discussion in report.discussions:
        where = f"round {discussion.round}"
        texts.append((f"{where} title", discussion.title))
        texts += [(f"{where} question", discussion.question)] if discussion.question else []
        for t, theme in enumerate(discussion.themes, 1):
            texts.append((f"{where}, theme {t} label", theme.label))
            texts += [
                (f"{where}, theme {t} table {n}", name) for n, name in enumerate(theme.tables, 1)
            ]
            texts += [
                (f"{where}, theme {t}, note {n}", text)
                for n, text in enumerate(theme.representatives, 1)
            ]
    texts += [(f"vote result {n}", vote.label) for n, vote in enumerate(report.votes, 1)]
    texts += [(f"next step {n}", t) for n, t in enumerate(report.next_steps, 1)]
    texts += [("next steps block", report.next_steps_block)] if report.next_steps_block else []
    participation = report.participation
    for label, counts in (
        ("stakeholder group", participation.by_stakeholder_group),
        ("region", participation.by_region),
    ):
        texts += [(f"{label} {n}", count.label) for n, count in enumerate(counts, 1)]
    return texts


def note_place(note_id: str, round: int, table: str) -> str:
    """How a leak in a note is located: by the note's id, round and table.

    >>> note_place("n1", 2, "Table 3")
    'note n1 (round 2, Table 3)'
    """
    return f"note {note_id} (round {round}, {table})"


def find_leaks(texts: Iterable[tuple[str, str]], check: LeakCheck) -> list[LeakFound]:
    """Every leak in the placed texts, in their order."""
    return [
        LeakFound(place, leak, text[leak.start : leak.end])
        for place, text in texts
        for leak in check.find(text)
    ]


def report_leaks(report: Report, roster: Roster) -> list[LeakFound]:
    """Leaks in the report's texts: roster names, organisations, emails, and role holders'
    names outside the roles section."""
    check = LeakCheck.from_roster(roster, extra_names=public_names(report))
    return find_leaks(report_texts(report), check)


def rendered_leaks(
    text: str, roster: Roster, *, what: str, public: Sequence[str] = ()
) -> list[LeakFound]:
    """Leaks in the whole text of a file, placed by line; what `public` texts contain of the
    roster (the roles section's names and affiliations) is allowed."""
    return leaks_in_parts([text], roster, what=what, public=public)


def leaks_in_parts(
    parts: Iterable[str],
    roster: Roster,
    *,
    what: str,
    before: str = "",
    between: str = "",
    public: Sequence[str] = (),
) -> list[LeakFound]:
    """`rendered_leaks(before + between.join(parts) + …, roster, what=what)`, read one part
    at a time: the same leaks, at the same lines and characters.

    For a file whose parts are kept apart by punctuation that no name, address or run of
    an unspaced script reads across, and whose `before` and `between` hold no letters: the
    records of a JSON array, `{…}` after `[` and `,` and a line break. Read whole, the notes
    of a plenary are half a million tokens and the reading held 11 MB (tracemalloc). What
    `public` texts contain of the roster is allowed, as in `rendered_leaks`."""
    check = LeakCheck.from_roster(roster)
    allowed = {(leak.kind, leak.participant_ids) for named in public for leak in check.find(named)}
    found: list[LeakFound] = []
    offset, line = len(before), 1 + before.count("\n")
    for part in parts:
        for leak in check.find(part):
            if (leak.kind, leak.participant_ids) in allowed:
                continue
            place = f"{what}, line {line + part.count(chr(10), 0, leak.start)}"
            shifted = replace(leak, start=leak.start + offset, end=leak.end + offset)
            found.append(LeakFound(place, shifted, part[leak.start : leak.end]))
        offset += len(part) + len(between)
        line += part.count("\n") + between.count("\n")
    return found


def refuse_leaks(what: str, leaks: Sequence[LeakFound]) -> None:
    """Raise `ExportBlocked` naming every leak's place when there is any."""
    if leaks:
        raise ExportBlocked(what, [found.describe() for found in leaks], [f.text for f in leaks])
