"""Who comes to a session: participants as the planner and the live app see them.

A `Participant` is inert data parsed at the door (`io/roster_file.py`). Stakeholder
groups and regions are plain strings: known spellings are normalised to the canonical
names below, unknown values are kept exactly as the roster gave them, so nothing a
registration form said is silently lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Attendance(StrEnum):
    """Where a participant takes part; the planner never mixes the two."""

    ONSITE = "onsite"  # in the room: seated at onsite tables
    ONLINE = "online"  # remote: placed in online breakout rooms


class StakeholderGroup(StrEnum):
    """The canonical stakeholder groups of a multistakeholder forum such as the IGF."""

    CIVIL_SOCIETY = "civil society"
    GOVERNMENT = "government"
    PRIVATE_SECTOR = "private sector"
    TECHNICAL_COMMUNITY = "technical community"
    INTERGOVERNMENTAL = "intergovernmental organisation"
    ACADEMIA = "academia"
    INVESTORS = "investors"  # only where the roster names investors as their own group


class Region(StrEnum):
    """The five UN regional groups."""

    AFRICA = "Africa"
    ASIA_PACIFIC = "Asia-Pacific"
    EASTERN_EUROPE = "Eastern Europe"
    GRULAC = "Latin America and Caribbean"
    WEOG = "Western Europe and Others"


@dataclass(frozen=True, slots=True)
class Participant:
    """One person on the roster.

    `id` is stable across imports of the same file (generated from name and email
    when the roster has none), so plans and links survive a re-import.

    >>> Participant(id="p1", name="Amina Yusuf", attendance=Attendance.ONLINE).is_host
    False
    """

    id: str
    name: str
    email: str | None = None
    organization: str | None = None
    stakeholder_group: str | None = None
    region: str | None = None
    attendance: Attendance = Attendance.ONSITE
    languages: tuple[str, ...] = ()
    is_host: bool = False

    def speaks(self, language: str | None) -> bool:
        """True when `language` is unset or is one this person listed (case-insensitive).

        A person who listed no language is assumed to follow the session's main language,
        which is what an unset table language means.
        """
        if language is None:
            return True
        if not self.languages:
            return False
        return language.casefold() in {lang.casefold() for lang in self.languages}


@dataclass(frozen=True, slots=True)
class Roster:
    """An ordered, id-unique collection of participants.

    >>> r = Roster((Participant(id="a", name="A"), Participant(id="b", name="B")))
    >>> len(r), r.by_id("b").name
    (2, 'B')
    """

    participants: tuple[Participant, ...] = ()
    _index: dict[str, Participant] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {p.id: p for p in self.participants}
        if len(index) != len(self.participants):
            dupes = [k for k, n in Counter(p.id for p in self.participants).items() if n > 1]
            raise ValueError(f"participant ids must be unique; repeated: {', '.join(dupes)}")
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.participants)

    def __iter__(self) -> Iterator[Participant]:
        return iter(self.participants)

    def __contains__(self, participant_id: object) -> bool:
        return participant_id in self._index

    def by_id(self, participant_id: str) -> Participant:
        """The participant with this id; `KeyError` if there is none."""
        return self._index[participant_id]

    def count_by(self, attribute: str) -> Counter[str]:
        """How many participants share each value of `attribute` ("unknown" for empty)."""
        return Counter(str(getattr(p, attribute) or "unknown") for p in self.participants)
