"""Turn a session's tables and online rooms, or plain counts from flags, into places.

The planner only knows `Place`; this module is the one way a `SessionSpec` or the
`--tables/--capacity/--online-rooms/--online-capacity` flags become places, so the CLI
and the web app cannot disagree on table names.
"""

from __future__ import annotations

from pollinate.core.planner.model import Place
from pollinate.core.session import SessionSpec


def places_from_session(spec: SessionSpec) -> tuple[Place, ...]:
    """Onsite tables first, then online rooms with their resolved video links.

    >>> from pollinate.core.session import AgendaBlock, BlockKind, Room, Table
    >>> spec = SessionSpec("Café", 20, (AgendaBlock(BlockKind.ROUND, "R1", 20, "Why?"),),
    ...     tables=(Table("Table 1", 6),), rooms=(Room("Room A", 5),),
    ...     room_link_template="https://meet.example.org/{room}")
    >>> [(p.name, p.online, p.video_link) for p in places_from_session(spec)]
    [('Table 1', False, None), ('Room A', True, 'https://meet.example.org/Room%20A')]
    """
    tables = tuple(
        Place(t.name, t.capacity, online=False, language=t.language) for t in spec.tables
    )
    rooms = tuple(
        Place(r.name, r.capacity, online=True, language=r.language, video_link=spec.room_link(r))
        for r in spec.rooms
    )
    return tables + rooms


def places_from_counts(
    *,
    tables: int,
    capacity: int,
    online_rooms: int = 0,
    online_capacity: int | None = None,
) -> tuple[Place, ...]:
    """Numbered tables ("Table 1" …) and rooms ("Room 1" …) of uniform capacity.

    >>> [p.name for p in places_from_counts(tables=2, capacity=6, online_rooms=1)]
    ['Table 1', 'Table 2', 'Room 1']
    """
    room_capacity = capacity if online_capacity is None else online_capacity
    return tuple(Place(f"Table {i}", capacity) for i in range(1, tables + 1)) + tuple(
        Place(f"Room {i}", room_capacity, online=True) for i in range(1, online_rooms + 1)
    )
