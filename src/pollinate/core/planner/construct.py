"""Build one round greedily: hosts first, then keep-together groups, then everyone else.

Everyone else is dealt to language classes by a small flow (so the classes fill to their
sizes exactly), then seated one by one at the place of their class with room that
minimises, in this order of weight:

    keep-apart clashes  ≫  people there already met  ≫  their group or region already there

People whose group or region is rarest choose first (ties in an order drawn from the
seeded random source), and ties between places are broken by a per-round random order
of places rather than by index, which would crowd the first tables. The local search in
`improve.py` repairs what greed leaves behind.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from pollinate.core.planner.chart import SeatingChart
from pollinate.core.planner.feasibility import PoolLayout, list_names, pool_words
from pollinate.core.planner.flow import UNLIMITED, FlowNetwork
from pollinate.errors import InfeasibleError

CLASH = 1000.0  # a keep-apart clash outweighs any number of repeats in one place
REPEAT = 10.0  # a repeat outweighs both diversity terms (at most 2)
_REGION_KEYS = 1 << 20  # offsets region codes from group codes in one counter


def seat_round(
    layout: PoolLayout,
    chart: SeatingChart,
    r: int,
    fixed: Mapping[int, int],
    rng: random.Random,
    *,
    present: Collection[int] | None = None,
    sizes: Sequence[int] | None = None,
) -> None:
    """Seat everyone `present` (default: the whole pool) in round `r` of `chart`.

    `fixed` maps people who must sit at a given place (hosts) to that place; `sizes`
    (default: the layout's) says how many each place seats. Raises `InfeasibleError`
    when a keep-together group finds no place, which the up-front checks cannot rule out.
    """
    m = len(layout.places)
    here = set(range(len(layout.people))) if present is None else set(present)
    room = np.array(sizes if sizes is not None else layout.sizes, dtype=np.int64)
    ranks = np.array(rng.sample(range(m), m), dtype=np.float64) / (2.0 * m)
    for p, j in sorted(fixed.items()):
        if p in here:
            chart.sit(p, r, j)
            room[j] -= 1
    _seat_blocks(layout, chart, r, here, room, ranks, rng)
    singles = sorted(p for p in here if chart.seat[r][p] < 0)
    rng.shuffle(singles)
    # people of rare groups or regions choose first: they are the ones who can add a
    # value a place lacks, while the common groups fill whatever seats remain
    frequency = Counter(chart.group[p] for p in singles) + Counter(
        chart.region[p] + _REGION_KEYS for p in singles
    )
    singles.sort(
        key=lambda p: min(
            frequency[chart.group[p]] if chart.group[p] >= 0 else len(singles),
            frequency[chart.region[p] + _REGION_KEYS] if chart.region[p] >= 0 else len(singles),
        )
    )
    place_sets = _deal_to_classes(layout, singles, room, rng)
    groups = np.zeros((m, max(chart.group, default=-1) + 2), dtype=np.int64)
    regions = np.zeros((m, max(chart.region, default=-1) + 2), dtype=np.int64)
    for j in range(m):
        for q in chart.members[r][j]:
            groups[j, chart.group[q]] += 1
            regions[j, chart.region[q]] += 1
    # column -1 collects unknowns, which never count as duplicates
    groups[:, -1] = 0
    regions[:, -1] = 0
    for p in singles:
        places = place_sets[p]
        score = _crowding(chart, r, p, m) + ranks
        score += (groups[:, chart.group[p]] > 0) + (regions[:, chart.region[p]] > 0)
        score = np.where(room > 0, score, np.inf)
        j = int(places[np.argmin(score[places])])
        chart.sit(p, r, j)
        room[j] -= 1
        if chart.group[p] >= 0:
            groups[j, chart.group[p]] += 1
        if chart.region[p] >= 0:
            regions[j, chart.region[p]] += 1


def _crowding(chart: SeatingChart, r: int, p: int, m: int) -> np.ndarray:
    """Per place: REPEAT × people there whom `p` met before, plus CLASH × keep-apart mates."""
    score = np.zeros(m, dtype=np.float64)
    seat_r = chart.seat[r]
    for q in chart.met[p]:
        j = seat_r[q]
        if j >= 0:
            score[j] += REPEAT
    for q in chart.apart[p]:
        j = seat_r[q]
        if j >= 0:
            score[j] += CLASH
    return score


def _seat_blocks(
    layout: PoolLayout,
    chart: SeatingChart,
    r: int,
    here: set[int],
    room: np.ndarray,
    ranks: np.ndarray,
    rng: random.Random,
) -> None:
    blocks = [block for block in layout.blocks if any(p in here for p in block)]
    rng.shuffle(blocks)
    blocks.sort(key=len, reverse=True)  # stable: random order among equal sizes
    for block in blocks:
        members = [p for p in block if p in here and chart.seat[r][p] < 0]
        anchors = {chart.seat[r][p] for p in block if chart.seat[r][p] >= 0}
        if anchors:
            candidates = sorted(anchors)
        else:
            usable = layout.allowed[block[0]]
            candidates = [j for j, c in enumerate(layout.place_class) if c in usable]
        score = np.full(len(layout.places), np.inf)
        for j in candidates:
            if room[j] >= len(members):
                score[j] = ranks[j]
        for p in members:
            score += _crowding(chart, r, p, len(layout.places))
        j = int(np.argmin(score))
        if not np.isfinite(score[j]):
            kind, noun = pool_words(layout.online)
            names = list_names(layout.people[p].name or layout.people[p].id for p in block)
            raise InfeasibleError(
                "keep_together",
                f"round {r + 1}: no {kind} {noun} has room for {names} together",
            )
        for p in members:
            chart.sit(p, r, j)
        room[j] -= len(members)


def _deal_to_classes(
    layout: PoolLayout, singles: Sequence[int], room: np.ndarray, rng: random.Random
) -> dict[int, np.ndarray]:
    """The places each single person may take this round, one language class each."""
    members: dict[int, list[int]] = {}
    for j, c in enumerate(layout.place_class):
        members.setdefault(c, []).append(j)
    everywhere = np.arange(len(layout.places))
    if len(members) == 1:
        return dict.fromkeys(singles, everywhere)
    arrays = {c: np.array(js) for c, js in members.items()}
    net = FlowNetwork()
    kinds = Counter(layout.allowed[p] for p in singles)
    edges = {}
    for usable, count in sorted(kinds.items(), key=lambda item: sorted(item[0])):
        net.add_edge("source", usable, count)
        for c in sorted(usable):
            edges[usable, c] = net.add_edge(usable, ("class", c), UNLIMITED)
    for c, js in sorted(members.items()):
        net.add_edge(("class", c), "sink", int(sum(room[j] for j in js)))
    if net.augment("source", "sink") < len(singles):
        kind, noun = pool_words(layout.online)
        raise InfeasibleError(
            "keep_together",
            f"once keep-together groups are seated, the {kind} {noun}s left cannot seat "
            "everyone in a language they speak",
        )
    share = {key: net.flow(edge) for key, edge in edges.items()}
    dealt: dict[int, np.ndarray] = {}
    for p in singles:  # singles are already in random order
        usable = layout.allowed[p]
        c = next(c for c in sorted(usable) if share[usable, c] > 0)
        share[usable, c] -= 1
        dealt[p] = arrays[c]
    return dealt
