"""How many people sit at each place: water-filling a pool over its places.

Balance is a hard rule: within a pool (onsite or online) place sizes differ by at most
one, except where a place's capacity stops it from taking its share. Pouring the pool's
people like water into places of capacities c_1..c_m reaches a level t; every place then
holds min(c_j, t) or min(c_j, t + 1) people. Which places take the "+1" is the planner's
choice (languages and hosts may decide it), so this module gives each place a range.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def water_level(capacities: Sequence[int], people: int) -> int:
    """The largest level t with Σ min(c_j, t) ≤ people, never above the largest capacity.

    >>> water_level([6, 6, 4], 15)
    5
    """
    low, high = 0, max(capacities, default=0)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(c, middle) for c in capacities) <= people:
            low = middle
        else:
            high = middle - 1
    return low


def size_ranges(capacities: Sequence[int], people: int) -> list[tuple[int, int]]:
    """The (fewest, most) people each place may hold when `people` fill the pool evenly.

    >>> size_ranges([6, 6, 4], 15)
    [(5, 6), (5, 6), (4, 4)]
    """
    level = water_level(capacities, people)
    return [(min(c, level), min(c, level + 1)) for c in capacities]


def sizes_fit(sizes: Sequence[int], capacities: Sequence[int]) -> bool:
    """True when `sizes` is an even filling of places with these capacities.

    Used by the rule checker: the head count is the sizes' sum, so the level is known.
    """
    ranges = size_ranges(capacities, sum(sizes))
    return all(low <= size <= high for size, (low, high) in zip(sizes, ranges, strict=True))


def describe_seats(capacities: Sequence[int], noun: str) -> str:
    """Say how many seats there are: "8 tables × 6" or "2 rooms × 6 + 1 room × 4".

    >>> describe_seats([6, 6, 4], "room")
    '2 rooms × 6 + 1 room × 4'
    """
    counts = Counter(capacities)
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'} × {capacity}"
        for capacity, count in sorted(counts.items(), key=lambda item: (-item[1], -item[0]))
    ]
    return " + ".join(parts)
