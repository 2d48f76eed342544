"""Check a `PlanRequest` before any search and lay each pool out for it.

    check_request ─▶ pair checks ─▶ per pool: capacity ─▶ balance ─▶ hosts ─▶ language
                                                ─▶ keep-apart ─▶ keep-together ─▶ PoolLayout

A malformed request (unknown ids, duplicate names) is an `InputError`; an instance that
no seating can satisfy is an `InfeasibleError` naming the constraint, with numbers. The
language and host checks are exact Hall conditions, computed as maximum flows from kinds
of people (the set of place languages they can use) to classes of places (places that
share a language): a seating exists for sizes in the water-filling ranges iff the flow
meets every class's lower bound first and seats everyone after (see `flow.py`). The flow
ignores that keep-together groups move as one, so those get their own checks below and the
search raises if it still cannot seat a group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pollinate.core.planner.flow import UNLIMITED, FlowNetwork
from pollinate.core.planner.model import Place, PlanRequest
from pollinate.core.planner.sizes import describe_seats, water_level
from pollinate.core.roster import Attendance, Participant
from pollinate.errors import InfeasibleError, InputError


@dataclass(frozen=True, slots=True)
class PoolLayout:
    """One attendance pool, checked and laid out; indices are local to the pool.

    Person `i` is `people[i]` and place `j` is `places[j]`. `sizes[j]` is how many people
    place `j` seats in every round; `hosts` maps a place to its designated host; a place's
    language class is `place_class[j]` and person `i` may use the classes in `allowed[i]`.
    `blocks` are the keep-together groups (two or more people); `apart[i]` holds whom
    person `i` must never sit with.
    """

    online: bool
    people: tuple[Participant, ...]
    places: tuple[Place, ...]
    sizes: tuple[int, ...]
    hosts: Mapping[int, int]
    place_class: tuple[int, ...]
    allowed: tuple[frozenset[int], ...]
    blocks: tuple[tuple[int, ...], ...]
    apart: tuple[frozenset[int], ...]

    @property
    def noun(self) -> str:
        """What a place of this pool is called: "room" online, "table" onsite."""
        return "room" if self.online else "table"


def pool_words(online: bool) -> tuple[str, str]:
    """The pool's adjective and its places' noun, for messages."""
    return ("online", "room") if online else ("onsite", "table")


def plural(count: int, noun: str) -> str:
    """ "1 table", "3 tables"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def list_names(names: Iterable[str], limit: int = 5) -> str:
    """ "A, B and C"; long lists end with "and N more"."""
    items = list(names)
    if len(items) > limit:
        return f"{', '.join(items[:limit])} and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def check_request(request: PlanRequest) -> None:
    """Raise `InputError` for a request no caller should have built (not an infeasibility)."""
    if request.rounds < 1:
        raise InputError(
            f"a plan needs at least one round, not {request.rounds}",
            field="rounds",
            advice="Add a round block to the agenda.",
        )
    ids = Counter(p.id for p in request.participants)
    twice = sorted(i for i, n in ids.items() if n > 1)
    if twice:
        raise InputError(
            f"participant ids must be unique; repeated: {list_names(twice)}",
            field="id",
            advice="Give each person their own id.",
        )
    names = Counter(place.name for place in request.places)
    doubled = sorted(name for name, n in names.items() if n > 1)
    if doubled:
        raise InputError(
            f"place names must be unique; repeated: {list_names(doubled)}",
            field="name",
            advice="Name every table and room differently.",
        )
    for place in request.places:
        if place.capacity < 1:
            raise InputError(
                f"{place.name} has capacity {place.capacity}",
                field="capacity",
                advice="Give every table and room at least one seat, or remove it.",
            )
    for label, pairs in (
        ("keep_apart", request.keep_apart),
        ("keep_together", request.keep_together),
    ):
        for a, b in sorted(pairs):
            for pid in (a, b):
                if pid not in ids:
                    raise InputError(
                        f"{label} names '{pid}', who is not on the roster",
                        field=label,
                        advice="Use participant ids from the roster.",
                    )
            if a == b:
                raise InputError(
                    f"{label} pairs '{a}' with themself",
                    field=label,
                    advice="Name two different participants.",
                )


def together_groups(
    ids: Iterable[str], pairs: Iterable[tuple[str, str]]
) -> dict[str, frozenset[str]]:
    """Each id's keep-together group: keep-together is transitive (A with B, B with C)."""
    parent = {pid: pid for pid in ids}

    def root(pid: str) -> str:
        while parent[pid] != pid:
            parent[pid] = parent[parent[pid]]
            pid = parent[pid]
        return pid

    for a, b in sorted(pairs):
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    members: dict[str, set[str]] = {}
    for pid in parent:
        members.setdefault(root(pid), set()).add(pid)
    return {pid: frozenset(members[root(pid)]) for pid in parent}


def lay_out(request: PlanRequest) -> tuple[PoolLayout, ...]:
    """Check `request` and lay out each pool that has people; raise if it cannot work."""
    check_request(request)
    by_id = {p.id: p for p in request.participants}
    groups = together_groups(by_id, request.keep_together)
    _check_pairs(request, by_id, groups)
    layouts = []
    for online in (False, True):
        people = tuple(p for p in request.participants if _is_online(p) == online)
        places = tuple(place for place in request.places if place.online == online)
        if people:
            layouts.append(_lay_out_pool(request, online, people, places, groups))
    return tuple(layouts)


def _is_online(person: Participant) -> bool:
    return person.attendance is Attendance.ONLINE


def _name(person: Participant) -> str:
    return person.name or person.id


def _check_pairs(
    request: PlanRequest, by_id: Mapping[str, Participant], groups: Mapping[str, frozenset[str]]
) -> None:
    for a, b in sorted(request.keep_apart):
        if b in groups[a]:
            how = (
                ""
                if (a, b) in request.keep_together or (b, a) in request.keep_together
                else (" (through their keep-together group)")
            )
            raise InfeasibleError(
                "keep_together",
                f"{_name(by_id[a])} and {_name(by_id[b])} are to be kept apart but also kept "
                f"together{how}",
            )
    seen: set[frozenset[str]] = set()
    for group in groups.values():
        if len(group) < 2 or group in seen:
            continue
        seen.add(group)
        members = sorted(group)
        kinds = {by_id[pid].attendance for pid in members}
        if len(kinds) > 1:
            onsite = next(pid for pid in members if not _is_online(by_id[pid]))
            online = next(pid for pid in members if _is_online(by_id[pid]))
            raise InfeasibleError(
                "keep_together",
                f"{_name(by_id[onsite])} takes part onsite and {_name(by_id[online])} online, "
                "so they cannot sit together",
            )
        hosts = [pid for pid in members if by_id[pid].is_host]
        if len(hosts) > 1:
            raise InfeasibleError(
                "keep_together",
                f"hosts {list_names(_name(by_id[h]) for h in hosts)} are kept together, but "
                "each host stays at their own place",
            )


@dataclass(slots=True)
class _Classes:
    """The pool's places grouped by language (None: no set language)."""

    keys: list[str | None]
    spelling: list[str | None]
    members: list[list[int]]

    @classmethod
    def of(cls, places: Sequence[Place]) -> _Classes:
        keys: list[str | None] = []
        spelling: list[str | None] = []
        members: list[list[int]] = []
        for j, place in enumerate(places):
            key = place.language.casefold() if place.language else None
            if key not in keys:
                keys.append(key)
                spelling.append(place.language or None)
                members.append([])
            members[keys.index(key)].append(j)
        return cls(keys, spelling, members)

    def usable_by(self, person: Participant) -> frozenset[int]:
        return frozenset(c for c, lang in enumerate(self.spelling) if person.speaks(lang))

    def describe(self, classes: Iterable[int], places: Sequence[Place], noun: str) -> str:
        parts = []
        for c in sorted(classes, key=lambda c: (self.keys[c] is not None, str(self.keys[c]))):
            names = list_names(places[j].name for j in self.members[c])
            kind = f"{self.spelling[c]}-only" if self.spelling[c] else "no-set-language"
            parts.append(f"the {kind} {noun}s ({names})")
        return " and ".join(parts)


def _lay_out_pool(
    request: PlanRequest,
    online: bool,
    people: tuple[Participant, ...],
    places: tuple[Place, ...],
    groups: Mapping[str, frozenset[str]],
) -> PoolLayout:
    kind, noun = pool_words(online)
    n, m = len(people), len(places)
    capacities = [place.capacity for place in places]
    if m == 0:
        raise InfeasibleError(
            "capacity", f"{plural(n, f'{kind} participant')} but no {kind} {noun}s"
        )
    if n > sum(capacities):
        raise InfeasibleError(
            "capacity",
            f"{plural(n, f'{kind} participant')} but only {sum(capacities)} {kind} seats "
            f"({describe_seats(capacities, noun)})",
        )
    if n < m:
        raise InfeasibleError(
            "balance",
            f"{plural(n, f'{kind} participant')} cannot fill {plural(m, f'{kind} {noun}')}: "
            f"every {noun} is used in every round",
        )
    hosts = [i for i, p in enumerate(people) if p.is_host]
    if len(hosts) > m:
        raise InfeasibleError(
            "hosts", f"{plural(len(hosts), f'{kind} host')} but {plural(m, f'{kind} {noun}')}"
        )
    classes = _Classes.of(places)
    allowed = _allowed_classes(people, classes, groups)
    for i, usable in enumerate(allowed):
        if not usable and len(groups[people[i].id]) > 1:
            names = list_names(_name(p) for p in people if p.id in groups[people[i].id])
            raise InfeasibleError(
                "keep_together",
                f"{names} are kept together but no {kind} {noun} uses a language they all speak",
            )
    _check_hosts(people, places, classes, hosts, kind, noun)
    class_seats, host_class = _fill_classes(people, places, classes, allowed, kind, noun)
    sizes, host_place = _size_places(places, classes, class_seats, host_class, people, groups)
    local = {p.id: i for i, p in enumerate(people)}
    apart = [set[int]() for _ in people]
    for a, b in request.keep_apart:
        if a in local and b in local:
            apart[local[a]].add(local[b])
            apart[local[b]].add(local[a])
            if m == 1:
                raise InfeasibleError(
                    "keep_apart",
                    f"{_name(people[local[a]])} and {_name(people[local[b]])} must sit apart but "
                    f"there is only one {kind} {noun}",
                )
    blocks = sorted(
        {tuple(sorted(local[pid] for pid in groups[p.id])) for p in people if len(groups[p.id]) > 1}
    )
    place_class = [0] * m
    for c, members in enumerate(classes.members):
        for j in members:
            place_class[j] = c
    layout = PoolLayout(
        online=online,
        people=people,
        places=places,
        sizes=tuple(sizes),
        hosts=host_place,
        place_class=tuple(place_class),
        allowed=tuple(allowed),
        blocks=tuple(blocks),
        apart=tuple(frozenset(s) for s in apart),
    )
    _check_blocks(layout)
    return layout


def _allowed_classes(
    people: Sequence[Participant], classes: _Classes, groups: Mapping[str, frozenset[str]]
) -> list[frozenset[int]]:
    own = {p.id: classes.usable_by(p) for p in people}
    allowed = []
    for p in people:
        usable = own[p.id]
        for other in groups[p.id]:
            # a keep-together group sits at one place, so it needs a language all speak
            usable = usable & own[other]
        allowed.append(usable)
    return allowed


def _check_hosts(
    people: Sequence[Participant],
    places: Sequence[Place],
    classes: _Classes,
    hosts: Sequence[int],
    kind: str,
    noun: str,
) -> None:
    """Raise naming the hosts who cannot each get a place of their own in their language."""
    net = FlowNetwork()
    kinds = Counter(classes.usable_by(people[h]) for h in hosts)
    for usable, count in kinds.items():
        net.add_edge("source", ("hosts", usable), count)
        for c in usable:
            net.add_edge(("hosts", usable), ("class", c), UNLIMITED)
    for c, members in enumerate(classes.members):
        net.add_edge(("class", c), "sink", len(members))
    if net.augment("source", "sink") < len(hosts):
        # Hall's condition fails for the hosts still reachable from the source: all of
        # them can only use the reachable classes, whose places are all taken.
        side = net.reachable("source")
        stuck = [h for h in hosts if ("hosts", classes.usable_by(people[h])) in side]
        open_classes = [c for c in range(len(classes.keys)) if ("class", c) in side]
        count = sum(len(classes.members[c]) for c in open_classes)
        where = classes.describe(open_classes, places, noun) if open_classes else "none"
        raise InfeasibleError(
            "hosts",
            f"{plural(len(stuck), f'{kind} host')} ({list_names(_name(people[h]) for h in stuck)}) "
            f"speak the language of only {plural(count, f'{kind} {noun}')}: {where}",
        )


def _fill_classes(
    people: Sequence[Participant],
    places: Sequence[Place],
    classes: _Classes,
    allowed: Sequence[frozenset[int]],
    kind: str,
    noun: str,
) -> tuple[list[int], dict[int, int]]:
    """People per language class each round (within the water-filling ranges) and each
    designated host's class; raise naming the classes that cannot be filled or that
    cannot hold everyone who can only sit there.

    Hosts pass through a gate per class that lets through at most as many hosts as the
    class has places, so a host's class is chosen together with the sizes.
    """
    capacities = [place.capacity for place in places]
    level = water_level(capacities, len(people))
    lower = [sum(min(capacities[j], level) for j in members) for members in classes.members]
    upper = [sum(min(capacities[j], level + 1) for j in members) for members in classes.members]
    net = FlowNetwork()
    kinds = Counter((p.is_host, allowed[i]) for i, p in enumerate(people))
    host_edges: dict[tuple[frozenset[int], int], int] = {}
    for (is_host, usable), count in kinds.items():
        node: Hashable = ("people", is_host, usable)
        net.add_edge("source", node, count)
        for c in sorted(usable):
            if is_host:
                host_edges[usable, c] = net.add_edge(node, ("gate", c), UNLIMITED)
            else:
                net.add_edge(node, ("class", c), UNLIMITED)
    for c, members in enumerate(classes.members):
        net.add_edge(("gate", c), ("class", c), len(members))
    sink_edges = [net.add_edge(("class", c), "sink", lower[c]) for c in range(len(lower))]
    seated = net.augment("source", "sink")
    if seated < sum(lower):
        # classes cut off from the source form a set whose lower bounds exceed what
        # everyone able to sit there can supply (Hall's condition, places' side)
        side = net.reachable("source")
        short = [c for c in range(len(lower)) if ("class", c) not in side]
        need = sum(lower[c] for c in short)
        able = sum(1 for usable in allowed if usable & set(short))
        languages = list_names(str(classes.spelling[c]) for c in short if classes.spelling[c])
        raise InfeasibleError(
            "language",
            f"{classes.describe(short, places, noun)} must seat at least {need} people per round "
            f"to keep {kind} {noun} sizes within one, but only {able} {kind} participants can "
            f"sit there (speaking {languages or 'the language'})",
        )
    for c, edge in enumerate(sink_edges):
        net.raise_capacity(edge, upper[c] - lower[c])
    if seated + net.augment("source", "sink") < len(people):
        # people still reachable can only use reachable classes, which are full
        side = net.reachable("source")
        only = [c for c in range(len(lower)) if ("class", c) in side]
        count = sum(n for (h, usable), n in kinds.items() if ("people", h, usable) in side)
        raise InfeasibleError(
            "language",
            f"{plural(count, f'{kind} participant')} can only sit at "
            f"{classes.describe(only, places, noun)} (by the languages they speak), which seat "
            f"at most {sum(upper[c] for c in only)} per round with {noun} sizes within one",
        )
    left = {key: net.flow(edge) for key, edge in host_edges.items()}
    host_class: dict[int, int] = {}
    for i, p in enumerate(people):
        if p.is_host:
            c = next(c for c in sorted(allowed[i]) if left[allowed[i], c] > 0)
            left[allowed[i], c] -= 1
            host_class[i] = c
    return [net.flow(edge) for edge in sink_edges], host_class


def _size_places(
    places: Sequence[Place],
    classes: _Classes,
    class_seats: Sequence[int],
    host_class: Mapping[int, int],
    people: Sequence[Participant],
    groups: Mapping[str, frozenset[str]],
) -> tuple[list[int], dict[int, int]]:
    """Turn seats per class into seats per place, and seat each host at a place of theirs."""
    capacities = [place.capacity for place in places]
    level = water_level(capacities, len(people))
    sizes = [min(c, level) for c in capacities]
    host_place: dict[int, int] = {}
    for c, members in enumerate(classes.members):
        extra = class_seats[c] - sum(sizes[j] for j in members)
        for j in members:
            if extra > 0 and capacities[j] > level:
                sizes[j] += 1
                extra -= 1
        # hosts with the largest keep-together group take the largest places
        here = sorted(
            (h for h, hc in host_class.items() if hc == c),
            key=lambda h: (-len(groups[people[h].id]), h),
        )
        roomiest = sorted(members, key=lambda j: (-sizes[j], j))
        host_place.update(zip(roomiest, here, strict=False))
    return sizes, host_place


def _check_blocks(layout: PoolLayout) -> None:
    kind, noun = pool_words(layout.online)
    host_at = {h: j for j, h in layout.hosts.items()}
    for block in layout.blocks:
        names = list_names(_name(layout.people[i]) for i in block)
        hosted = [host_at[i] for i in block if i in host_at]
        usable = layout.allowed[block[0]]
        if hosted:
            candidates = hosted
        else:
            candidates = [j for j in range(len(layout.places)) if layout.place_class[j] in usable]
        if not candidates:
            raise InfeasibleError(
                "keep_together",
                f"{names} are kept together but no {kind} {noun} uses a language they all speak",
            )
        room = max(
            layout.sizes[j] - (0 if hosted or j not in layout.hosts else 1) for j in candidates
        )
        if room < len(block):
            raise InfeasibleError(
                "keep_together",
                f"{len(block)} people are kept together ({names}) but the {kind} "
                f"{noun}s they can use hold at most {room} of them per round with {noun} sizes "
                "within one",
            )
