"""The planner's input and output values.

    PlanRequest ──plan_seating()──▶ Plan ──measure()──▶ PlanMetrics
         │                            │
         └──────── replan(plan, request, after_round, arrivals, leavers) ──▶ Plan

A `Place` is an onsite table or an online room; the planner treats both alike except
that onsite participants only sit at onsite places and online participants only in
online ones. Rounds are numbered from 1 everywhere outside this module's tuples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pollinate.core.roster import Participant


@dataclass(frozen=True, slots=True)
class Place:
    """Where a group sits in a round: an onsite table or an online breakout room.

    >>> Place("Table 1", capacity=6).online
    False
    """

    name: str
    capacity: int
    online: bool = False
    language: str | None = None
    video_link: str | None = None


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything the planner needs; validated by `plan_seating` before any search.

    `keep_apart` and `keep_together` hold pairs of participant ids. `time_limit` caps the
    improvement search in seconds; the constructive first plan is always completed.
    """

    participants: tuple[Participant, ...]
    places: tuple[Place, ...]
    rounds: int
    auto_hosts: bool = True
    keep_apart: frozenset[tuple[str, str]] = frozenset()
    keep_together: frozenset[tuple[str, str]] = frozenset()
    seed: int = 0
    time_limit: float = 10.0


@dataclass(frozen=True, slots=True)
class Plan:
    """A seating for every round.

    `seating[r]` maps participant id to place name for round `r + 1`. `hosts` maps a
    place name to the id of its host, who sits there in every round; `auto_hosts` names
    the places whose host the planner chose (among that place's first-round sitters),
    which every output marks as such.
    """

    places: tuple[Place, ...]
    seating: tuple[Mapping[str, str], ...]
    hosts: Mapping[str, str] = field(default_factory=dict)
    auto_hosts: frozenset[str] = frozenset()

    @property
    def rounds(self) -> int:
        """How many rounds the plan seats."""
        return len(self.seating)

    def place_of(self, participant_id: str, round_number: int) -> str | None:
        """Where the participant sits in round `round_number` (from 1); None if absent."""
        return self.seating[round_number - 1].get(participant_id)

    def sitters(self, place_name: str, round_number: int) -> list[str]:
        """Ids of everyone at `place_name` in round `round_number`, in a stable order."""
        return sorted(p for p, t in self.seating[round_number - 1].items() if t == place_name)

    def host_of(self, participant_id: str) -> str | None:
        """The place this participant hosts, or None."""
        for place, host in self.hosts.items():
            if host == participant_id:
                return place
        return None


@dataclass(frozen=True, slots=True)
class PlanMetrics:
    """How good a plan is, each figure beside the bound the instance alone allows.

    `diversity_score` is in [0, 1]; 1 means every table in every round reaches the most
    distinct stakeholder groups and regions that the roster's counts make achievable.
    """

    repeated_pairs: int
    repeated_pairs_lower_bound: int
    diversity_score: float
    distinct_groups: int
    distinct_groups_bound: int
    distinct_regions: int
    distinct_regions_bound: int
    size_spread: int
    participants: int
    rounds: int
