"""`plan.json`: the seating plan on disk, read back exactly by `pollinate replan PLAN`.

    {
      "format": "pollinate-plan", "version": 1,
      "places":   [{"name": "Table 1", "capacity": 6, "online": false,
                    "language": null, "video_link": null}, ...],
      "hosts":      {"Table 1": "p01"},          place name -> host's participant id
      "auto_hosts": ["Table 1"],                 hosts the planner chose
      "seating":  [{"round": 1, "places": {"Table 1": ["p01", "p07"], ...}}, ...],
      "metrics":  {...}                          optional, ignored when reading
    }

Seating is grouped by place, so an organiser can move someone by hand before a replan;
`read_plan` then checks what a hand edit can break (unknown places, a person seated twice
in a round, a host away from their table) and names the file and field of the mistake.
`version` changes only when an older pollinate could no longer read the file.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from pollinate.core.planner.model import Place, Plan, PlanMetrics
from pollinate.errors import InputError

FORMAT = "pollinate-plan"
VERSION = 1


def plan_document(plan: Plan, *, metrics: PlanMetrics | None = None) -> dict[str, object]:
    """The JSON-ready form of a plan (what `write_plan` writes)."""
    return _document(plan, metrics, lambda sitters: sitters)


def _document(
    plan: Plan, metrics: PlanMetrics | None, sitters_as: Callable[[list[str]], object]
) -> dict[str, object]:
    document: dict[str, object] = {
        "format": FORMAT,
        "version": VERSION,
        "places": [asdict(place) for place in plan.places],
        "hosts": {place: plan.hosts[place] for place in sorted(plan.hosts)},
        "auto_hosts": sorted(plan.auto_hosts),
        "seating": [
            {
                "round": number,
                "places": {
                    place.name: sitters_as(plan.sitters(place.name, number))
                    for place in plan.places
                },
            }
            for number in range(1, plan.rounds + 1)
        ],
    }
    if metrics is not None:
        document["metrics"] = asdict(metrics)
    return document


def plan_json(plan: Plan, *, metrics: PlanMetrics | None = None) -> str:
    """The text of `plan.json`: indented, each place's sitters on one line for hand edits."""
    compact: dict[str, str] = {}

    def token_for(sitters: list[str]) -> str:
        # Each list of ids becomes a unique token, dumped indented, then put back compact;
        # json.dumps escapes the NUL bytes, so no real id can be mistaken for a token.
        token = f"\0{uuid.uuid4().hex}\0"
        compact[json.dumps(token)] = json.dumps(sitters, ensure_ascii=False)
        return token

    text = json.dumps(_document(plan, metrics, token_for), ensure_ascii=False, indent=2)
    for token, sitters in compact.items():
        text = text.replace(token, sitters, 1)
    return text


def write_plan(plan: Plan, path: Path, *, metrics: PlanMetrics | None = None) -> None:
    """Write `plan.json`; a crash mid-write leaves any earlier plan at `path` intact."""
    text = plan_json(plan, metrics=metrics)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, path)  # atomic on POSIX and Windows: replan never reads half a plan


def read_plan(path: Path) -> Plan:
    """Read a `plan.json` back into the `Plan` that was written; `InputError` if it is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"cannot read the plan ({error.__class__.__name__}: {error})",
            file=str(path),
            advice="Pass the plan.json that `pollinate plan --out DIR` wrote.",
        ) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"not valid JSON ({error.msg})",
            file=str(path),
            line=error.lineno,
            advice="Undo the last hand edit, or write the plan again with `pollinate plan`.",
        ) from error
    return _PlanReader(str(path)).plan(document)


class _PlanReader:
    """Turns the parsed JSON into a `Plan`, raising `InputError` at the first bad field."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, field: str, problem: str, advice: str = "") -> InputError:
        return InputError(problem, file=self.file, field=field, advice=advice)

    def plan(self, document: object) -> Plan:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise self.fail(
                "format",
                f'this is not a pollinate plan (no "format": "{FORMAT}")',
                "Pass the plan.json that `pollinate plan --out DIR` wrote.",
            )
        version = document.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", f"expected a whole number, found {version!r}")
        if version > VERSION:
            raise self.fail(
                "version",
                f"the plan has format version {version}; this pollinate reads up to {VERSION}",
                "Upgrade pollinate to read it.",
            )
        places = self.places(document.get("places"))
        names = {place.name for place in places}
        seating = self.seating(document.get("seating"), names)
        hosts = self.hosts(document.get("hosts"), names, seating)
        auto_hosts = self.auto_hosts(document.get("auto_hosts"), hosts)
        return Plan(places=places, seating=seating, hosts=hosts, auto_hosts=auto_hosts)

    def places(self, raw: object) -> tuple[Place, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("places", "expected a non-empty list of places")
        places: list[Place] = []
        for index, item in enumerate(raw):
            field = f"places[{index}]"
            if not isinstance(item, dict):
                raise self.fail(field, "expected an object with a name and a capacity")
            name = self.text(item.get("name"), f"{field}.name")
            if any(place.name == name for place in places):
                raise self.fail(f"{field}.name", f"the place name {name!r} appears twice")
            capacity = item.get("capacity")
            if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
                raise self.fail(f"{field}.capacity", f"expected a whole number, found {capacity!r}")
            online = item.get("online", False)
            if not isinstance(online, bool):
                raise self.fail(f"{field}.online", f"expected true or false, found {online!r}")
            places.append(
                Place(
                    name=name,
                    capacity=capacity,
                    online=online,
                    language=self.optional_text(item.get("language"), f"{field}.language"),
                    video_link=self.optional_text(item.get("video_link"), f"{field}.video_link"),
                )
            )
        return tuple(places)

    def seating(self, raw: object, names: set[str]) -> tuple[dict[str, str], ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("seating", "expected a non-empty list of rounds")
        rounds: list[dict[str, str]] = []
        for index, item in enumerate(raw):
            field = f"seating[{index}]"
            if not isinstance(item, dict) or item.get("round") != index + 1:
                raise self.fail(
                    f"{field}.round",
                    f"expected round {index + 1} here",
                    "List the rounds in order, numbered from 1.",
                )
            places = item.get("places")
            if not isinstance(places, dict):
                raise self.fail(f"{field}.places", "expected an object: place name -> ids")
            seats: dict[str, str] = {}
            for place, sitters in places.items():
                where = f"{field}.places[{place!r}]"
                if place not in names:
                    raise self.fail(where, f'no place called {place!r} in "places"')
                if not isinstance(sitters, list):
                    raise self.fail(where, "expected a list of participant ids")
                for sitter in sitters:
                    participant = self.text(sitter, where)
                    if participant in seats:
                        raise self.fail(
                            where,
                            f"{participant!r} is seated twice in round {index + 1} "
                            f"({seats[participant]!r} and {place!r})",
                            "Keep each person at one place per round.",
                        )
                    seats[participant] = place
            rounds.append(dict(sorted(seats.items())))
        return tuple(rounds)

    def hosts(
        self, raw: object, names: set[str], seating: tuple[dict[str, str], ...]
    ) -> dict[str, str]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise self.fail("hosts", "expected an object: place name -> host's id")
        hosts: dict[str, str] = {}
        for place, host in raw.items():
            field = f"hosts[{place!r}]"
            if place not in names:
                raise self.fail(field, f'no place called {place!r} in "places"')
            participant = self.text(host, field)
            for number, seats in enumerate(seating, start=1):
                # A host who left has no seat; a seated host must be at their own table.
                if seats.get(participant, place) != place:
                    raise self.fail(
                        field,
                        f"host {participant!r} sits at {seats[participant]!r} in round {number}",
                        "A host stays at their table every round; move them back or "
                        'remove them from "hosts".',
                    )
            hosts[place] = participant
        return hosts

    def auto_hosts(self, raw: object, hosts: dict[str, str]) -> frozenset[str]:
        if raw is None:
            return frozenset()
        if not isinstance(raw, list):
            raise self.fail("auto_hosts", "expected a list of place names")
        chosen: set[str] = set()
        for index, place in enumerate(raw):
            name = self.text(place, f"auto_hosts[{index}]")
            if name not in hosts:
                raise self.fail(f"auto_hosts[{index}]", f'{name!r} has no host in "hosts"')
            chosen.add(name)
        return frozenset(chosen)

    def text(self, value: object, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, f"expected a non-empty text, found {value!r}")
        return value

    def optional_text(self, value: object, field: str) -> str | None:
        return None if value is None else self.text(value, field)
