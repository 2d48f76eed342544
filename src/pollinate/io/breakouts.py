"""Online breakout rooms per round, in the forms video platforms take them.

    zoom-round-N.csv          Zoom's breakout pre-assignment import (one meeting per file)
    zoom-missing-emails.txt   online people Zoom cannot pre-assign, and where to move them
    bbb-groups-round-N.json   BigBlueButton's `groups` parameter of the `create` call
    rooms-round-N.md          a room-by-room list for Teams, Jitsi or anything else

Zoom (support article KB0061353, "Pre-assigning meeting participants to breakout rooms"):
the CSV has the columns `Pre-assign Room Name,Email Address`, one row per person; a
person is matched by the email of the Zoom account they sign in with; up to 100 rooms and
1000 participants; and "only one set of pre-assignments can be configured for a meeting",
hence one file per round, imported before that round (or one meeting per round). Some
institutional guides (NUS, CMU) still quote an older cap of 200 pre-assigned people.

BigBlueButton (API reference, `create`, parameter `groups`, added in 2.5): "Json with
Array of groups", each `{"id": string, "name": string (optional), "roster": [user ids]}`.
The roster holds the external user ids given as `userID` on `join` (BBB issue 22046 shows
them stored as `usersExtId`), so people must join with `userID` = their participant id.
Like Zoom, a meeting takes one set of groups, at creation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pollinate.core.planner.model import Place, Plan
from pollinate.core.roster import Participant, Roster
from pollinate.core.session import Room, SessionSpec
from pollinate.io.excel_safe import would_neutralise, write_csv
from pollinate.io.output_files import PlanOutputs, WrittenFile
from pollinate.io.rounds import RoundInfo

ZOOM_HEADER = ("Pre-assign Room Name", "Email Address")
ZOOM_MAX_ROOMS = 100  # KB0061353
ZOOM_MAX_PARTICIPANTS = 1000  # KB0061353


def room_link(place: Place, spec: SessionSpec | None) -> str | None:
    """The place's own video link, else the session's link template filled with its name."""
    if place.video_link or spec is None:
        return place.video_link
    return spec.room_link(Room(place.name, place.capacity, place.video_link, place.language))


def online_places(plan: Plan) -> tuple[Place, ...]:
    """The plan's online rooms, in plan order."""
    return tuple(place for place in plan.places if place.online)


def zoom_rows(
    plan: Plan, roster: Roster, round_number: int
) -> tuple[list[tuple[str, str]], list[Participant]]:
    """Zoom's rows (room name, email) for one round, and the seated people with no email."""
    rows: list[tuple[str, str]] = []
    missing: list[Participant] = []
    for place in online_places(plan):
        for participant_id in plan.sitters(place.name, round_number):
            participant = roster.by_id(participant_id)
            email = (participant.email or "").strip()
            if email:
                rows.append((place.name, email))
            else:
                missing.append(participant)
    return rows, missing


def bbb_groups(plan: Plan, round_number: int) -> list[dict[str, object]]:
    """BigBlueButton's `groups` value for one round: every online room, even an empty one.

    Ids are the room's position among online rooms, so a room keeps its id every round.
    """
    return [
        {"id": str(index), "name": place.name, "roster": plan.sitters(place.name, round_number)}
        for index, place in enumerate(online_places(plan), start=1)
    ]


def write_breakouts(
    out_dir: Path,
    *,
    spec: SessionSpec | None,
    roster: Roster,
    plan: Plan,
    rounds: tuple[RoundInfo, ...],
) -> PlanOutputs:
    """Write every breakout file for every round; nothing when the plan has no online room."""
    if not online_places(plan):
        return PlanOutputs()
    outputs = _write_zoom(out_dir, roster, plan)
    for info in rounds:
        bbb = out_dir / f"bbb-groups-round-{info.number}.json"
        groups = json.dumps(bbb_groups(plan, info.number), ensure_ascii=False, indent=2)
        bbb.write_text(groups + "\n", encoding="utf-8")
        rooms = out_dir / f"rooms-round-{info.number}.md"
        rooms.write_text(room_list(spec, roster, plan, info), encoding="utf-8")
        outputs += PlanOutputs(
            (
                WrittenFile(bbb, f"BigBlueButton `groups` for round {info.number} (create call)"),
                WrittenFile(rooms, f"online rooms of round {info.number}, for any platform"),
            )
        )
    return outputs


def _write_zoom(out_dir: Path, roster: Roster, plan: Plan) -> PlanOutputs:
    files: list[WrittenFile] = []
    warnings: list[str] = []
    missing: dict[str, Participant] = {}
    for number in range(1, plan.rounds + 1):
        rows, without_email = zoom_rows(plan, roster, number)
        missing.update((participant.id, participant) for participant in without_email)
        path = out_dir / f"zoom-round-{number}.csv"
        # No BOM: Zoom matches the header text, and a BOM would be read as part of it.
        write_csv(path, ZOOM_HEADER, rows, bom=False)
        files.append(WrittenFile(path, f"Zoom breakout pre-assignment, round {number}"))
        warnings.extend(_zoom_limits(rows, number))
    warnings.extend(
        f"Zoom will name the room {place.name!r} with a leading apostrophe (CSV formula "
        "protection); rename it to start with a letter or digit."
        for place in online_places(plan)
        if would_neutralise(place.name)
    )
    report = out_dir / "zoom-missing-emails.txt"
    report.write_text(_missing_report(plan, missing.values()), encoding="utf-8")
    files.append(WrittenFile(report, "online people Zoom cannot pre-assign (no email)"))
    if missing:
        ids = ", ".join(sorted(missing))
        warnings.append(
            f"Zoom cannot pre-assign {len(missing)} online participant(s) without an email "
            f"({ids}); {report.name} says which room to move them to by hand."
        )
    return PlanOutputs(tuple(files), tuple(warnings))


def _zoom_limits(rows: list[tuple[str, str]], number: int) -> list[str]:
    warnings: list[str] = []
    rooms = {room for room, _ in rows}
    if len(rooms) > ZOOM_MAX_ROOMS:
        warnings.append(
            f"Round {number} uses {len(rooms)} online rooms; Zoom pre-assigns at most "
            f"{ZOOM_MAX_ROOMS}."
        )
    if len(rows) > ZOOM_MAX_PARTICIPANTS:
        warnings.append(
            f"Round {number} pre-assigns {len(rows)} people; Zoom takes at most "
            f"{ZOOM_MAX_PARTICIPANTS}."
        )
    seen: dict[str, str] = {}
    for room, email in rows:
        key = email.casefold()
        if key in seen and seen[key] != room:
            warnings.append(
                f"Round {number}: the email {email} is pre-assigned to both {seen[key]!r} "
                f"and {room!r}; Zoom keeps one, so give each person their own email."
            )
        seen.setdefault(key, room)
    return warnings


def _missing_report(plan: Plan, missing: Iterable[Participant]) -> str:
    people = sorted(missing, key=lambda participant: participant.id)
    if not people:
        return "Every online participant has an email: Zoom can pre-assign everyone.\n"
    lines = [
        "Online participants without an email: Zoom cannot pre-assign them.",
        "Move each one by hand when the breakout rooms open.",
        "",
    ]
    for participant in people:
        seats = "; ".join(
            f"round {number}: {plan.place_of(participant.id, number) or 'not seated'}"
            for number in range(1, plan.rounds + 1)
        )
        lines.append(f"{participant.id}\t{participant.name}\t{seats}")
    return "\n".join(lines) + "\n"


def room_list(spec: SessionSpec | None, roster: Roster, plan: Plan, info: RoundInfo) -> str:
    """One round's online rooms as Markdown: question, timing, link, host and sitters."""
    title = spec.title if spec else "World Café"
    lines = [f"# {_md(title)}: round {info.number} of {plan.rounds}, online rooms", ""]
    lines += [f"**Question:** {_md(info.question)}", ""]
    timing = [f"starts {info.starts_at}" if info.starts_at else "", _minutes(info.minutes)]
    if any(timing):
        lines.append(f"**Time:** {', '.join(part for part in timing if part)}")
    for place in online_places(plan):
        lines += ["", f"## {_md(place.name)}", ""]
        link = room_link(place, spec)
        if link:
            lines += [f"Link: <{link}>", ""]
        sitters = plan.sitters(place.name, info.number)
        if not sitters:
            lines.append("- (nobody this round)")
        for participant_id in sitters:
            lines.append(
                f"- {_md(roster.by_id(participant_id).name)} ({_md(participant_id)})"
                + _host_mark(plan, place.name, participant_id)
            )
    return "\n".join(lines) + "\n"


def _host_mark(plan: Plan, place: str, participant_id: str) -> str:
    if plan.hosts.get(place) != participant_id:
        return ""
    return ": host, chosen by the planner" if place in plan.auto_hosts else ": host"


def _minutes(minutes: int | None) -> str:
    return f"{minutes} minutes" if minutes else ""


def _md(text: str) -> str:
    """Text with Markdown's markup characters escaped, so a name cannot inject HTML."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text
