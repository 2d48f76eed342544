"""Table cards: one printed card per onsite table, readable from across the room.

A card names its table, its language, its host (hosts are introduced at their table, so
naming them is expected; a host the planner chose is marked as such), every round's
question and a QR code for joining the live session. Online rooms get no card: their
people read the room lists and slips instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from pollinate.core.planner.model import Plan
from pollinate.core.roster import Roster
from pollinate.core.session import SessionSpec
from pollinate.io.render.html import render_page, session_heading
from pollinate.io.render.qr import qr_svg
from pollinate.io.rounds import RoundInfo


@dataclass(frozen=True, slots=True)
class TableCard:
    """One onsite table's card; `host` is the host's name, None when it has no host."""

    name: str
    host: str | None = None
    auto_host: bool = False
    language: str | None = None


def build_cards(roster: Roster, plan: Plan) -> tuple[TableCard, ...]:
    """A card per onsite table, in plan order."""
    cards: list[TableCard] = []
    for place in plan.places:
        if place.online:
            continue
        host_id = plan.hosts.get(place.name)
        cards.append(
            TableCard(
                name=place.name,
                host=roster.by_id(host_id).name if host_id else None,
                auto_host=host_id is not None and place.name in plan.auto_hosts,
                language=place.language,
            )
        )
    return tuple(cards)


def render_cards(
    spec: SessionSpec | None,
    roster: Roster,
    plan: Plan,
    rounds: tuple[RoundInfo, ...],
    *,
    join_url: str | None,
) -> str:
    """The cards as one HTML document, a page per table (A4 landscape, large type).

    With a `join_url` each card carries its QR code; without, a note says how to add one.
    """
    return render_page(
        "cards.html",
        heading=session_heading(spec),
        cards=build_cards(roster, plan),
        rounds=rounds,
        join_url=join_url,
        qr=qr_svg(join_url) if join_url else None,
    )
