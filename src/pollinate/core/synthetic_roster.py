"""Synthetic rosters for demos, tests and benchmarks, shaped like a real IGF audience.

The mix follows the IGF 2022 (Addis Ababa) participation statistics published by the
IGF Secretariat, https://intgovforum.org/en/content/igf-2022-participation-and-programme-statistics:
"civil society (32%) and Governments (29%), followed by the private sector (16%),
technical community (11%), intergovernmental organizations (11%) and press (1%)", and
"Africa (44%), followed by WEOG (21%), Asia-Pacific (15%), GRULAC (8%), Eastern Europe
(4%) while 8% indicated to be members of the intergovernmental organizations".

Two departures, both deliberate:
- pollinate has no press group, so that 1 % goes to academia; and because the sessions
  pollinate was built for bring sustainable investors to the table, 4 of the private
  sector's 16 points become `investors` (12 % private sector, 4 % investors).
- the 8 % who named an intergovernmental organisation instead of a region get no region
  (as on a real roster); they are drawn from the intergovernmental stakeholders first.

Shares are apportioned exactly (largest remainder), not sampled, so even a roster of 30
has the published mix as closely as whole people allow.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

from pollinate.core.roster import Attendance, Participant, Region, Roster, StakeholderGroup
from pollinate.core.synthetic_names import synthetic_organisation, synthetic_person

_Item = TypeVar("_Item")

STAKEHOLDER_SHARES: Mapping[StakeholderGroup, int] = {
    StakeholderGroup.CIVIL_SOCIETY: 32,
    StakeholderGroup.GOVERNMENT: 29,
    StakeholderGroup.PRIVATE_SECTOR: 12,
    StakeholderGroup.INVESTORS: 4,
    StakeholderGroup.TECHNICAL_COMMUNITY: 11,
    StakeholderGroup.INTERGOVERNMENTAL: 11,
    StakeholderGroup.ACADEMIA: 1,
}

REGION_SHARES: Mapping[Region | None, int] = {
    Region.AFRICA: 44,
    Region.WEOG: 21,
    Region.ASIA_PACIFIC: 15,
    Region.GRULAC: 8,
    Region.EASTERN_EUROPE: 4,
    None: 8,  # "members of the intergovernmental organizations": no region given
}

ONSITE_PER_HOST = 8  # one host per table of about eight people in the room
ONLINE_PER_HOST = 6  # breakout rooms work best smaller: one host per six online

PEOPLE_PER_ORGANISATION = 3  # colleagues come together; the planner should part them


def apportion(total: int, shares: Sequence[float]) -> list[int]:
    """Whole numbers in proportion to `shares` that add up to `total` (largest remainder).

    Ties go to the earlier share, so the result depends on nothing but the arguments.

    >>> apportion(10, [32, 29, 16, 11, 11, 1])
    [3, 3, 2, 1, 1, 0]
    """
    weight = sum(shares)
    if total == 0 or weight == 0:
        return [0] * len(shares)
    exact = [total * share / weight for share in shares]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _spread(rng: random.Random, counts: Mapping[_Item, int]) -> list[_Item]:
    """Each item repeated as often as counted, in random order."""
    items = [item for item, count in counts.items() for _ in range(count)]
    rng.shuffle(items)
    return items


def _shares(total: int, shares: Mapping[_Item, int]) -> dict[_Item, int]:
    return dict(zip(shares, apportion(total, list(shares.values())), strict=True))


def generate_roster(
    n: int, *, online_fraction: float = 0.2, seed: int = 0, hosts: int | None = None
) -> Roster:
    """A roster of `n` invented people; the same arguments always give the same roster.

    `round(n * online_fraction)` people attend online. Without `hosts`, one onsite person
    in eight and one online person in six (rounded up) are table or room hosts; with
    `hosts`, that many are split between onsite and online in the same proportion. Ids
    are "p0001", "p0002" …; emails are unique addresses at example.org (RFC 2606).

    >>> roster = generate_roster(30, seed=1)
    >>> len(roster), roster.count_by("attendance")["online"]
    (30, 6)
    """
    if n < 1:
        raise ValueError(f"a roster needs at least one person, not {n}")
    if not 0 <= online_fraction <= 1:
        raise ValueError(f"online_fraction must be between 0 and 1, not {online_fraction}")
    if hosts is not None and not 0 <= hosts <= n:
        raise ValueError(f"hosts must be between 0 and {n}, not {hosts}")
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    groups = _spread(rng, _shares(n, STAKEHOLDER_SHARES))
    regions = _regions(rng, groups)
    online = round(n * online_fraction)
    attendance = _spread(rng, {Attendance.ONLINE: online, Attendance.ONSITE: n - online})
    host_flags = _hosts(rng, attendance, hosts)
    organisations = _organisations(rng, groups)
    width = max(4, len(str(n)))
    emails: dict[str, int] = {}
    participants = []
    for i in range(n):
        region = regions[i]
        name, handle, languages = synthetic_person(rng, region)
        emails[handle] = emails.get(handle, 0) + 1
        suffix = str(emails[handle]) if emails[handle] > 1 else ""
        participants.append(
            Participant(
                id=f"p{i + 1:0{width}d}",
                name=name,
                email=f"{handle}{suffix}@example.org",
                organization=rng.choice(organisations[groups[i]]),
                stakeholder_group=groups[i].value,
                region=region.value if region else None,
                attendance=attendance[i],
                languages=languages,
                is_host=host_flags[i],
            )
        )
    return Roster(tuple(participants))


def _regions(rng: random.Random, groups: Sequence[StakeholderGroup]) -> list[Region | None]:
    """Regions in the published shares; intergovernmental staff are the first without one."""
    counts = _shares(len(groups), REGION_SHARES)
    igo = [i for i, g in enumerate(groups) if g is StakeholderGroup.INTERGOVERNMENTAL]
    others = [i for i, g in enumerate(groups) if g is not StakeholderGroup.INTERGOVERNMENTAL]
    rng.shuffle(igo)
    rng.shuffle(others)
    without = counts.pop(None)
    regionless = set((igo + others)[:without])
    known = iter(_spread(rng, counts))
    return [None if i in regionless else next(known) for i in range(len(groups))]


def _hosts(rng: random.Random, attendance: Sequence[Attendance], hosts: int | None) -> list[bool]:
    onsite = [i for i, a in enumerate(attendance) if a is Attendance.ONSITE]
    online = [i for i, a in enumerate(attendance) if a is Attendance.ONLINE]
    wanted = [math.ceil(len(onsite) / ONSITE_PER_HOST), math.ceil(len(online) / ONLINE_PER_HOST)]
    if hosts is not None:
        # Split as the defaults would, then let the other side take what one cannot.
        wanted[0] = min(len(onsite), apportion(hosts, wanted)[0])
        wanted[1] = min(len(online), hosts - wanted[0])
        wanted[0] = hosts - wanted[1]
    chosen = set(rng.sample(onsite, wanted[0])) | set(rng.sample(online, wanted[1]))
    return [i in chosen for i in range(len(attendance))]


def _organisations(
    rng: random.Random, groups: Sequence[StakeholderGroup]
) -> dict[StakeholderGroup, list[str]]:
    """Distinct invented organisations per group, about three people to each.

    A large roster can exhaust the name patterns; its people then share more.
    """
    pools: dict[StakeholderGroup, list[str]] = {}
    for group in STAKEHOLDER_SHARES:
        size = max(1, math.ceil(groups.count(group) / PEOPLE_PER_ORGANISATION))
        pool: list[str] = []
        for _ in range(size * 20):  # bounded: the patterns may hold fewer names than `size`
            if len(pool) == size:
                break
            organisation = synthetic_organisation(rng, group)
            if organisation not in pool:
                pool.append(organisation)
        pools[group] = pool
    return pools
