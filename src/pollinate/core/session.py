"""What a session is: its agenda, rounds, tables, online rooms and public roles.

`SessionSpec` is the validated, frozen form of a session file (`io/session_file.py`
parses YAML into it). Rounds are the agenda blocks of kind `round`, numbered from 1 in
agenda order; everything else in pollinate refers to rounds by that number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from urllib.parse import quote


class BlockKind(StrEnum):
    """The kinds of agenda block a World Café is made of."""

    INTRO = "intro"  # level-setting introduction in plenary
    ROUND = "round"  # small-group conversation at tables; has a question
    REPORT_BACK = "report_back"  # table hosts or the rapporteur report to everyone
    NEXT_STEPS = "next_steps"  # plenary on what happens after the session
    OTHER = "other"  # anything else (a break, a keynote)


@dataclass(frozen=True, slots=True)
class AgendaBlock:
    """One block of the agenda, in order; a round carries its question.

    >>> AgendaBlock(BlockKind.ROUND, "Round 1", 15, question="What works?").is_round
    True
    """

    kind: BlockKind
    title: str
    minutes: int
    question: str | None = None

    @property
    def is_round(self) -> bool:
        """True for the blocks in which people sit at tables."""
        return self.kind is BlockKind.ROUND


@dataclass(frozen=True, slots=True)
class Table:
    """An onsite table: a name, how many seats, and optionally the language spoken there."""

    name: str
    capacity: int
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Room:
    """An online breakout room; `video_link` is its own meeting link when it has one."""

    name: str
    capacity: int
    video_link: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Roles:
    """The publicly named roles (the Chatham House Rule covers participants, not these)."""

    onsite_moderator: str | None = None
    online_moderator: str | None = None
    rapporteur: str | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """An item of the reading list."""

    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """A whole session plan, validated: the agenda fits the duration, rounds have questions.

    >>> spec = SessionSpec(title="Café", duration_minutes=30, agenda=(
    ...     AgendaBlock(BlockKind.ROUND, "Round 1", 15, "Why?"),
    ...     AgendaBlock(BlockKind.ROUND, "Round 2", 15, "How?")))
    >>> spec.round_count, spec.question(2)
    (2, 'How?')
    """

    title: str
    duration_minutes: int
    agenda: tuple[AgendaBlock, ...]
    event: str | None = None
    date: date | None = None
    start_time: time | None = None
    timezone: str = "UTC"
    chatham_house: bool = True
    roles: Roles = field(default_factory=Roles)
    tables: tuple[Table, ...] = ()
    rooms: tuple[Room, ...] = ()
    video_platform: str | None = None
    room_link_template: str | None = None
    languages: tuple[str, ...] = ()
    sdg_targets: tuple[str, ...] = ()
    reading: tuple[Reading, ...] = ()
    join_url: str | None = None
    participant_notes: bool = False

    @property
    def rounds(self) -> tuple[AgendaBlock, ...]:
        """The round blocks in agenda order; round n is `rounds[n - 1]`."""
        return tuple(block for block in self.agenda if block.is_round)

    @property
    def round_count(self) -> int:
        """How many rounds the agenda has."""
        return len(self.rounds)

    def question(self, round_number: int) -> str | None:
        """The question of round `round_number` (numbered from 1)."""
        return self.rounds[round_number - 1].question

    def room_link(self, room: Room) -> str | None:
        """The room's own link, else the session's link template filled with its name."""
        if room.video_link:
            return room.video_link
        if self.room_link_template:
            # Room names have spaces ("Room 1"); a link must not.
            return self.room_link_template.replace("{room}", quote(room.name, safe=""))
        return None
