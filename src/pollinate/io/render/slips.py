"""Itinerary slips: one printed page per person, saying where to sit in each round.

A slip is built from an allow-list: the person's own name, their places, the questions,
timings and, for online rooms, the video link. It never names the other people at a
table: under the Chatham House Rule who sat with whom is not for paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from pollinate.core.planner.model import Plan
from pollinate.core.roster import Roster
from pollinate.core.session import SessionSpec
from pollinate.io.breakouts import room_link
from pollinate.io.render.html import render_page, session_heading
from pollinate.io.rounds import RoundInfo


@dataclass(frozen=True, slots=True)
class SlipRound:
    """One round on a slip; `place` is None when the person has no seat that round."""

    number: int
    question: str
    place: str | None
    starts_at: str | None = None
    minutes: int | None = None
    link: str | None = None  # only for an online room
    language: str | None = None  # the place's language, when it has its own


@dataclass(frozen=True, slots=True)
class Slip:
    """One person's page: `hosts` names the table they host, if any."""

    name: str
    rounds: tuple[SlipRound, ...]
    hosts: str | None = None
    auto_host: bool = False


def build_slips(
    spec: SessionSpec | None, roster: Roster, plan: Plan, rounds: tuple[RoundInfo, ...]
) -> tuple[Slip, ...]:
    """A slip for everyone seated in at least one round, in roster order."""
    places = {place.name: place for place in plan.places}
    slips: list[Slip] = []
    for participant in roster:
        seats = [plan.place_of(participant.id, info.number) for info in rounds]
        if not any(seats):
            continue
        hosted = plan.host_of(participant.id)
        slips.append(
            Slip(
                name=participant.name,
                hosts=hosted,
                auto_host=hosted is not None and hosted in plan.auto_hosts,
                rounds=tuple(
                    SlipRound(
                        number=info.number,
                        question=info.question,
                        place=seat,
                        starts_at=info.starts_at,
                        minutes=info.minutes,
                        link=room_link(places[seat], spec)
                        if seat and places[seat].online
                        else None,
                        language=places[seat].language if seat else None,
                    )
                    for info, seat in zip(rounds, seats, strict=True)
                ),
            )
        )
    return tuple(slips)


def render_slips(
    spec: SessionSpec | None, roster: Roster, plan: Plan, rounds: tuple[RoundInfo, ...]
) -> str:
    """The slips as one HTML document, a page per person (A5)."""
    return render_page(
        "slips.html", heading=session_heading(spec), slips=build_slips(spec, roster, plan, rounds)
    )
