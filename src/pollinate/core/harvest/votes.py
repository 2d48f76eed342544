"""Dot voting on themes: each participant spends a few dots from their phone.

    Ballot(ballot_id, dots=("theme-a", "theme-a", "theme-c")) … ──tally(themes)──▶ VoteResult

A ballot is anonymous: its id is a random token the participant's phone keeps, never a
name, and a ballot says nothing but the themes it dots. A participant may put several
dots on one theme, as on paper, where stacking dots is how a room shows strength of
feeling; the facilitator can forbid it with `per_theme=1`. Unused dots are allowed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pollinate.core.harvest.theme import Theme
from pollinate.errors import InputError

DOTS = 3
"""Dots each participant may spend unless the facilitator says otherwise."""


@dataclass(frozen=True, slots=True)
class Ballot:
    """One participant's dots: a theme id per dot, repeated for several dots on a theme.

    >>> Ballot("b-7f3a", ("theme-n1", "theme-n1", "theme-n9")).dots.count("theme-n1")
    2
    """

    ballot_id: str
    dots: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThemeVotes:
    """The dots a theme received, and from how many ballots they came."""

    theme_id: str
    label: str
    dots: int
    voters: int


@dataclass(frozen=True, slots=True)
class VoteResult:
    """Every theme's dots, most first (ties: more voters, then board order)."""

    ranking: tuple[ThemeVotes, ...]
    ballots: int
    dots_cast: int

    def dots_for(self, theme_id: str) -> int:
        """Dots on the theme with this id; 0 for a theme nobody dotted."""
        return next((votes.dots for votes in self.ranking if votes.theme_id == theme_id), 0)


def tally(
    ballots: Iterable[Ballot],
    themes: Sequence[Theme],
    *,
    dots: int = DOTS,
    per_theme: int | None = None,
) -> VoteResult:
    """Count the dots; `InputError` names the first ballot that breaks the rules.

    Each ballot may spend up to `dots` dots and at most `per_theme` (default: all of
    them) on one theme, only on themes on the board, and each ballot id counts once.

    >>> board = [Theme("t1", "Trust", ("n1",), 1, ("T1",), (1,), ("n1",), ()),
    ...          Theme("t2", "Money", ("n2",), 1, ("T2",), (1,), ("n2",), ())]
    >>> result = tally([Ballot("a", ("t2", "t2")), Ballot("b", ("t1", "t2"))], board)
    >>> [(v.label, v.dots, v.voters) for v in result.ranking]
    [('Money', 3, 2), ('Trust', 1, 1)]
    """
    if dots < 1 or (per_theme is not None and per_theme < 1):
        raise InputError(
            "a vote needs at least one dot per participant and per theme",
            field="dots",
            advice="Give each participant one dot or more.",
        )
    cap = dots if per_theme is None else min(per_theme, dots)
    order = {theme.id: index for index, theme in enumerate(themes)}
    counted: Counter[str] = Counter()
    voters: Counter[str] = Counter()
    seen: set[str] = set()
    total = 0
    for row, ballot in enumerate(ballots, start=1):
        _check(ballot, row, seen, order, dots, cap)
        seen.add(ballot.ballot_id)
        counted.update(ballot.dots)
        voters.update(set(ballot.dots))
        total += len(ballot.dots)
    ranking = sorted(
        (ThemeVotes(t.id, t.label, counted[t.id], voters[t.id]) for t in themes),
        key=lambda v: (-v.dots, -v.voters, order[v.theme_id]),
    )
    return VoteResult(tuple(ranking), len(seen), total)


def _check(
    ballot: Ballot, row: int, seen: set[str], order: dict[str, int], dots: int, cap: int
) -> None:
    if not ballot.ballot_id or ballot.ballot_id in seen:
        raise InputError(
            "this ballot is missing its id or was counted already",
            row=row,
            field="ballot_id",
            advice="Count one ballot per participant; a changed vote replaces the old one.",
        )
    if len(ballot.dots) > dots:
        raise InputError(
            f"this ballot spends {len(ballot.dots)} dots; each participant has {dots}",
            row=row,
            field="dots",
            advice=f"Take back {len(ballot.dots) - dots} of the dots.",
        )
    unknown = sorted(set(ballot.dots) - order.keys())
    if unknown:
        raise InputError(
            f"this ballot dots {', '.join(unknown)}, which is not on the board",
            row=row,
            field="dots",
            advice="The themes have changed since the vote opened; reload and vote again.",
        )
    heaviest, most = Counter(ballot.dots).most_common(1)[0] if ballot.dots else ("", 0)
    if most > cap:
        raise InputError(
            f"this ballot puts {most} dots on {heaviest}; at most {cap} may go on one theme",
            row=row,
            field="dots",
            advice="Spread the dots over more themes.",
        )
