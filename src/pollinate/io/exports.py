"""Every file the day needs, written from a plan: `write_plan_outputs` is the one way in.

    write_plan_outputs(out_dir, spec, roster, plan, metrics, seconds, join_url)
      ├── plan.json                 io/plan_file.py     read back by `pollinate replan`
      ├── metrics.json              write_metrics       the plan's figures and the search time
      ├── assignments.csv           write_assignments   ids only: safe to share with organisers
      ├── itineraries.csv           write_itineraries   names and emails: organisers only
      ├── zoom-/bbb-/rooms-round-N  io/breakouts.py     online rooms, when there are any
      ├── itinerary-slips.html/pdf  io/render/slips.py  one page per person
      └── table-cards.html/pdf      io/render/cards.py  one card per onsite table

Rounds are numbered from 1 and places are named as in the plan everywhere.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pollinate.core.planner.model import Plan, PlanMetrics
from pollinate.core.roster import Roster
from pollinate.core.session import SessionSpec
from pollinate.errors import InputError
from pollinate.io.breakouts import online_places, room_link, write_breakouts
from pollinate.io.excel_safe import Cell, write_csv
from pollinate.io.output_files import PlanOutputs, WrittenFile
from pollinate.io.plan_file import write_plan
from pollinate.io.render.cards import render_cards
from pollinate.io.render.pdf import write_pdf
from pollinate.io.render.slips import render_slips
from pollinate.io.rounds import describe_rounds

__all__ = [
    "PlanOutputs",
    "WrittenFile",
    "write_assignments",
    "write_itineraries",
    "write_metrics",
    "write_plan_outputs",
]

ASSIGNMENT_COLUMNS = ("participant_id", "round", "table", "is_host", "auto_host", "online")


def write_assignments(plan: Plan, roster: Roster, path: Path) -> int:
    """Write `assignments.csv`: one row per participant and round they are seated in.

    Only ids, never names: the file is shared with organisers who hold the roster already.
    Returns the number of rows. People are in roster order, their rounds in order.
    """
    online = {place.name for place in online_places(plan)}
    rows: list[tuple[Cell, ...]] = []
    for participant in roster:
        for number in range(1, plan.rounds + 1):
            place = plan.place_of(participant.id, number)
            if place is None:
                continue  # arrived late or left early: no seat, so no row
            hosting = plan.hosts.get(place) == participant.id
            rows.append(
                (
                    participant.id,
                    number,
                    place,
                    hosting,
                    hosting and place in plan.auto_hosts,
                    place in online,
                )
            )
    return write_csv(path, ASSIGNMENT_COLUMNS, rows, bom=True)


def write_itineraries(
    plan: Plan, roster: Roster, path: Path, *, spec: SessionSpec | None = None
) -> int:
    """Write `itineraries.csv`: one row per person with their place in each round.

    Organisers only (names, emails). A "round N link" column follows each round's column
    when any online room has a video link. Returns the number of rows.
    """
    links = {place.name: room_link(place, spec) for place in online_places(plan)}
    with_links = any(links.values())
    header = ["participant_id", "name", "email", "attendance", "host_of", "auto_host"]
    for number in range(1, plan.rounds + 1):
        header.append(f"round {number}")
        if with_links:
            header.append(f"round {number} link")
    rows: list[list[Cell]] = []
    for participant in roster:
        hosted = plan.host_of(participant.id)
        row: list[Cell] = [
            participant.id,
            participant.name,
            participant.email,
            participant.attendance.value,
            hosted,
            hosted is not None and hosted in plan.auto_hosts,
        ]
        for number in range(1, plan.rounds + 1):
            place = plan.place_of(participant.id, number)
            row.append(place)
            if with_links:
                row.append(links.get(place) if place else None)
        rows.append(row)
    return write_csv(path, header, rows, bom=True)


def write_metrics(metrics: PlanMetrics, seconds: float, path: Path) -> None:
    """Write `metrics.json`: every `PlanMetrics` figure plus the planner's `seconds`."""
    figures: dict[str, object] = {**asdict(metrics), "seconds": round(seconds, 3)}
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def write_plan_outputs(
    out_dir: Path,
    *,
    spec: SessionSpec | None,
    roster: Roster,
    plan: Plan,
    metrics: PlanMetrics,
    seconds: float,
    join_url: str | None,
    pdf: bool = True,
) -> PlanOutputs:
    """Write every file of the day into `out_dir` (created if missing) and list them.

    `join_url` (a command-line flag) wins over the session file's `join_url`; with
    neither, table cards carry a note instead of a QR code. `pdf=False` skips WeasyPrint
    (the HTML files print the same). Raises `InputError` when the plan seats someone the
    roster does not know: the roster is not the one the plan was made from.
    """
    _check_roster_covers_plan(plan, roster)
    out_dir.mkdir(parents=True, exist_ok=True)
    rounds = describe_rounds(spec, plan.rounds)
    join = join_url or (spec.join_url if spec else None)

    write_plan(plan, out_dir / "plan.json", metrics=metrics)
    write_metrics(metrics, seconds, out_dir / "metrics.json")
    write_assignments(plan, roster, out_dir / "assignments.csv")
    write_itineraries(plan, roster, out_dir / "itineraries.csv", spec=spec)
    outputs = PlanOutputs(
        (
            WrittenFile(out_dir / "plan.json", "the seating plan; `pollinate replan` reads it"),
            WrittenFile(out_dir / "metrics.json", "how good the plan is, and how long it took"),
            WrittenFile(out_dir / "assignments.csv", "participant id, round, table (no names)"),
            WrittenFile(
                out_dir / "itineraries.csv", "each person's tables, with names: organisers only"
            ),
        ),
        _warnings(spec, roster, plan),
    )
    outputs += write_breakouts(out_dir, spec=spec, roster=roster, plan=plan, rounds=rounds)
    outputs += _write_printable(
        out_dir / "itinerary-slips",
        render_slips(spec, roster, plan, rounds),
        "itinerary slips, one page per person",
        pdf=pdf,
    )
    if any(not place.online for place in plan.places):
        outputs += _write_printable(
            out_dir / "table-cards",
            render_cards(spec, roster, plan, rounds, join_url=join),
            "table cards, one per onsite table",
            pdf=pdf,
        )
        if not join:
            outputs += PlanOutputs(
                warnings=(
                    "No join URL (session file `join_url` or --join-url): the table "
                    "cards carry no QR code.",
                )
            )
    return outputs


def _write_printable(stem: Path, html: str, description: str, *, pdf: bool) -> PlanOutputs:
    page = stem.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    files = [WrittenFile(page, f"{description} (HTML, print from a browser)")]
    if pdf:
        write_pdf(html, stem.with_suffix(".pdf"))
        files.append(WrittenFile(stem.with_suffix(".pdf"), f"{description} (PDF)"))
    return PlanOutputs(tuple(files))


def _check_roster_covers_plan(plan: Plan, roster: Roster) -> None:
    for number in range(1, plan.rounds + 1):
        for participant_id, place in sorted(plan.seating[number - 1].items()):
            if participant_id not in roster:
                raise InputError(
                    f"the plan seats {participant_id!r} at {place!r} in round {number}, "
                    "but the roster has no such participant",
                    field="participant_id",
                    advice="Use the roster the plan was made from.",
                )


def _warnings(spec: SessionSpec | None, roster: Roster, plan: Plan) -> tuple[str, ...]:
    warnings: list[str] = []
    if spec is not None and spec.round_count != plan.rounds:
        warnings.append(
            f"The session file has {spec.round_count} rounds but the plan has {plan.rounds}; "
            'rounds without a question are printed as "Round N".'
        )
    seated = {participant for seats in plan.seating for participant in seats}
    unseated = [participant.id for participant in roster if participant.id not in seated]
    if unseated:
        warnings.append(
            f"{len(unseated)} roster participant(s) have no seat in any round "
            f"({', '.join(unseated)}); they get no itinerary slip."
        )
    return tuple(warnings)
