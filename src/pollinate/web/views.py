"""View models: the allow-listed dicts that the state API, the pages and the tests share.

    LiveSession + viewer + now ──state_view()──▶ {"kind", "round", "question", "ends_at",
                                                 "server_time", "paused", …, "my": {…}}
    state view + replayed event ──apply_event()──▶ the state view a fresh fetch would give

`state_view` builds each value from named fields of the core values and nothing else: no
roster row ever enters it, so neither the JSON API nor a template can leak a name it was
never given (ARCHITECTURE.md, "What reaches a participant"). `apply_event` is the Python
twin of the reducer in `static/live.js`; the live consistency tests hold the pair to
"stale state + replayed events == fresh state" (STYLE.md 16).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pollinate.actions.live import BROADCASTS_KEPT, LiveSession, Snapshot
from pollinate.core.agenda import RunPhase, current_block, current_round, next_round_number
from pollinate.core.planner.model import Place, Plan
from pollinate.core.roles import Role
from pollinate.core.session import SessionSpec
from pollinate.io.breakouts import room_link
from pollinate.web.auth import Viewer

# Keys `apply_event` cannot derive from an event: a page re-fetches the state instead.
REFETCH = "refetch"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def run_view(live: LiveSession) -> dict[str, Any]:
    """The agenda part every role sees: block, round, question and timer."""
    state, spec = live.state, live.spec
    block = current_block(state, spec)
    return {
        "phase": state.phase.value,
        "block_index": state.block_index,
        "block_title": block.title if block else None,
        "kind": block.kind.value if block else None,
        "round": current_round(state, spec),
        "question": block.question if block else None,
        "ends_at": _iso(state.ends_at),
        "remaining_seconds": state.remaining_seconds,
        "paused": state.phase is RunPhase.PAUSED,
        "finished": state.phase is RunPhase.FINISHED,
    }


def my_view(
    live: LiveSession, *, role: Role, participant_id: str | None, table: str | None
) -> dict[str, Any] | None:
    """Where this participant or host sits: now (or in the coming round) and next round."""
    if role not in (Role.PARTICIPANT, Role.HOST) or live.plan is None:
        return None
    plan = live.plan
    number = current_round(live.state, live.spec) or next_round_number(live.state, live.spec)
    if number is None or number > plan.rounds:
        return {"table": table, "round": None, "video_link": None, "next_table": None}
    here = _seat(plan, participant_id, table, number)
    later = _seat(plan, participant_id, table, number + 1) if number < plan.rounds else None
    return {
        "table": here,
        "round": number,
        "video_link": _video_link(plan, live.spec, here),
        "next_table": later,
    }


def _seat(plan: Plan, participant_id: str | None, table: str | None, number: int) -> str | None:
    if table is not None:  # a host stays at their table every round
        return table
    if participant_id is None:
        return None
    return plan.place_of(participant_id, number)


def _video_link(plan: Plan, spec: SessionSpec, place_name: str | None) -> str | None:
    place = _place(plan, place_name)
    if place is None or not place.online:
        return None
    return room_link(place, spec)


def _place(plan: Plan, name: str | None) -> Place | None:
    return next((place for place in plan.places if place.name == name), None)


def viewer_state(snapshot: Snapshot, who: Viewer, now: datetime) -> dict[str, Any]:
    """`state_view` for the viewer holding a link, exactly as the state API answers them,
    so a page's first render and `GET /api/sessions/{id}/state` cannot disagree."""
    return state_view(
        snapshot.live,
        role=who.role,
        now=now,
        last_event_id=snapshot.last_event_id,
        broadcasts=snapshot.broadcasts,
        participant_id=who.participant_id,
        table=who.table,
    )


def state_view(
    live: LiveSession,
    *,
    role: Role,
    now: datetime,
    last_event_id: int,
    broadcasts: Sequence[Mapping[str, Any]] = (),
    participant_id: str | None = None,
    table: str | None = None,
) -> dict[str, Any]:
    """What `GET /api/sessions/{id}/state` answers for this viewer (see module docstring)."""
    view: dict[str, Any] = {
        "session_id": live.id,
        "session_title": live.title,
        **run_view(live),
        "server_time": now.isoformat(),
        "last_event_id": last_event_id,
        "broadcasts": [
            {"message": b["message"], "sent_at": b["sent_at"]}
            for b in list(broadcasts)[-BROADCASTS_KEPT:]
        ],
    }
    my = my_view(live, role=role, participant_id=participant_id, table=table)
    if my is not None:
        view["my"] = my
    return view


def apply_event(
    view: Mapping[str, Any],
    event_type: str,
    payload: Mapping[str, Any],
    *,
    seq: int,
) -> dict[str, Any] | str:
    """The state view after one replayed event, or `REFETCH` when a page must re-fetch.

    Block changes and seating changes move a participant's "my" seat, which no event
    carries (events name no person), so pages with a "my" part re-fetch on those.
    """
    new = dict(view)
    new["last_event_id"] = seq
    if event_type == "block.started":
        if "my" in view:
            return REFETCH
        index = payload["block_index"]
        new.update(
            phase=RunPhase.RUNNING.value,
            block_index=index,
            block_title=payload["title"],
            kind=payload["kind"],
            round=payload["round"],
            question=payload["question"],
            ends_at=payload["ends_at"],
            remaining_seconds=None,
            paused=False,
            finished=False,
        )
    elif event_type == "timer.paused":
        new.update(
            phase=RunPhase.PAUSED.value,
            ends_at=None,
            remaining_seconds=payload["remaining_seconds"],
            paused=True,
        )
    elif event_type == "timer.resumed":
        new.update(
            phase=RunPhase.RUNNING.value,
            ends_at=payload["ends_at"],
            remaining_seconds=None,
            paused=False,
        )
    elif event_type == "timer.extended":
        new.update(ends_at=payload["ends_at"], remaining_seconds=payload["remaining_seconds"])
    elif event_type == "broadcast.sent":
        sent = {"message": payload["message"], "sent_at": payload["sent_at"]}
        # A replay may repeat a broadcast the state already holds (actions/live.py).
        if sent not in view["broadcasts"]:
            new["broadcasts"] = [*view["broadcasts"], sent][-BROADCASTS_KEPT:]
    elif event_type == "session.finished":
        if "my" in view:
            return REFETCH
        new.update(
            phase=RunPhase.FINISHED.value,
            block_index=None,
            block_title=None,
            kind=None,
            round=None,
            question=None,
            ends_at=None,
            remaining_seconds=None,
            paused=False,
            finished=True,
        )
    elif event_type == "seating.changed" and "my" in view:
        return REFETCH
    return new


def seconds_left(view: Mapping[str, Any], now: datetime) -> float | None:
    """The figure a page shows: from `ends_at`, or the frozen time while paused."""
    if view["remaining_seconds"] is not None:
        return float(view["remaining_seconds"])
    if view["ends_at"] is None:
        return None
    left: timedelta = datetime.fromisoformat(view["ends_at"]) - now
    return max(0.0, left.total_seconds())


def apply_note_event(
    notes: Sequence[Mapping[str, Any]], event_type: str, payload: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """A notes list (as `GET …/notes` gives it) after one replayed note event.

    The Python twin of `showNote`/`dropNote` in `static/live.js`: added notes go to the
    end (notes arrive in the order they were taken), edits change the text in place,
    deletions drop the note; a repeated event changes nothing. The list has the export's
    fields (`io/notes_export.py`), so a highlight, which it does not carry, changes nothing.
    """
    by_id = {note["id"]: dict(note) for note in notes}
    if event_type == "note.added" and payload["note_id"] not in by_id:
        by_id[payload["note_id"]] = {
            "id": payload["note_id"],
            "round": payload["round"],
            "table": payload["table"],
            "text": payload["text"],
            "created_at": payload["taken_at"],
        }
    elif event_type == "note.edited" and payload["note_id"] in by_id:
        by_id[payload["note_id"]].update(text=payload["text"])
    elif event_type == "note.deleted":
        by_id.pop(payload["note_id"], None)
    return list(by_id.values())
