"""JSON documents for the core values a session row keeps: its session file and run state.

    SessionSpec ──spec_document()──▶ sessions.spec_json ──spec_from_document()──▶ SessionSpec
    RunState ──run_state_document()──▶ sessions.run_state_json ──run_state_from_document()─┘

The translation is written out field by field rather than with `dataclasses.asdict`, so a
renamed core field breaks a test here instead of silently dropping data from old rows.
The run state's `version` is not in the document: the row's `run_version` column is the
one counter (`repositories.save_run_state` compares and sets it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from pollinate.core.agenda import RunPhase, RunState
from pollinate.core.session import (
    AgendaBlock,
    BlockKind,
    Reading,
    Roles,
    Room,
    SessionSpec,
    Table,
)


def spec_document(spec: SessionSpec) -> dict[str, Any]:
    """The session file as a JSON-ready dict (dates and times in ISO 8601)."""
    return {
        "title": spec.title,
        "duration_minutes": spec.duration_minutes,
        "agenda": [
            {"kind": b.kind.value, "title": b.title, "minutes": b.minutes, "question": b.question}
            for b in spec.agenda
        ],
        "event": spec.event,
        "date": spec.date.isoformat() if spec.date else None,
        "start_time": spec.start_time.isoformat() if spec.start_time else None,
        "timezone": spec.timezone,
        "chatham_house": spec.chatham_house,
        "roles": {
            "onsite_moderator": spec.roles.onsite_moderator,
            "online_moderator": spec.roles.online_moderator,
            "rapporteur": spec.roles.rapporteur,
        },
        "tables": [
            {"name": t.name, "capacity": t.capacity, "language": t.language} for t in spec.tables
        ],
        "rooms": [
            {
                "name": r.name,
                "capacity": r.capacity,
                "video_link": r.video_link,
                "language": r.language,
            }
            for r in spec.rooms
        ],
        "video_platform": spec.video_platform,
        "room_link_template": spec.room_link_template,
        "languages": list(spec.languages),
        "sdg_targets": list(spec.sdg_targets),
        "reading": [{"title": r.title, "url": r.url} for r in spec.reading],
        "join_url": spec.join_url,
        "participant_notes": spec.participant_notes,
    }


def spec_from_document(doc: Mapping[str, Any]) -> SessionSpec:
    """The `SessionSpec` that `spec_document` wrote."""
    roles = doc.get("roles") or {}
    return SessionSpec(
        title=doc["title"],
        duration_minutes=doc["duration_minutes"],
        agenda=tuple(
            AgendaBlock(BlockKind(b["kind"]), b["title"], b["minutes"], b.get("question"))
            for b in doc["agenda"]
        ),
        event=doc.get("event"),
        date=date.fromisoformat(doc["date"]) if doc.get("date") else None,
        start_time=time.fromisoformat(doc["start_time"]) if doc.get("start_time") else None,
        timezone=doc.get("timezone", "UTC"),
        chatham_house=doc.get("chatham_house", True),
        roles=Roles(
            onsite_moderator=roles.get("onsite_moderator"),
            online_moderator=roles.get("online_moderator"),
            rapporteur=roles.get("rapporteur"),
        ),
        tables=tuple(Table(t["name"], t["capacity"], t.get("language")) for t in doc["tables"]),
        rooms=tuple(
            Room(r["name"], r["capacity"], r.get("video_link"), r.get("language"))
            for r in doc["rooms"]
        ),
        video_platform=doc.get("video_platform"),
        room_link_template=doc.get("room_link_template"),
        languages=tuple(doc.get("languages", ())),
        sdg_targets=tuple(doc.get("sdg_targets", ())),
        reading=tuple(Reading(r["title"], r.get("url")) for r in doc.get("reading", ())),
        join_url=doc.get("join_url"),
        participant_notes=doc.get("participant_notes", False),
    )


def run_state_document(state: RunState) -> dict[str, Any]:
    """The run state as a JSON-ready dict, without its version (see the module docstring)."""
    return {
        "phase": state.phase.value,
        "block_index": state.block_index,
        "ends_at": _moment(state.ends_at),
        "remaining_seconds": state.remaining_seconds,
        "started_at": _moment(state.started_at),
    }


def run_state_from_document(doc: Mapping[str, Any] | None, *, version: int) -> RunState:
    """The stored run state at `version`; a session never run is NOT_STARTED."""
    if doc is None:
        return RunState(version=version)
    return RunState(
        phase=RunPhase(doc["phase"]),
        block_index=doc.get("block_index"),
        ends_at=_parse(doc.get("ends_at")),
        remaining_seconds=doc.get("remaining_seconds"),
        started_at=_parse(doc.get("started_at")),
        version=version,
    )


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
