"""The session report as data: what the forum is told, in no file format.

    SessionSpec ─┐
    AgendaMoment…├─ build_report() ─▶ Report ─▶ io/render/report_{md,html,pdf,docx}.py
    Roster+who   │                       │
    themes, …   ─┘                       └─▶ core/report_check.py (leak check)

The structure follows what the Internet Governance Forum asks of its session organisers.
Its reporting template for workshop sessions (IGF 2015 and 2016, "Reporting Template for
IGF Workshop Sessions", apps.intgovforum.org/en/content/igf-2015-reporting-template-
workshop-sessions and intgovforum.org/cms/igf-2016-workshop-reporting-template) asks
for the session title, date and time, the chairperson or moderator, the rapporteur, the
key issues raised, the discussions that took place, and the way forward, next steps and
key takeaways. The MAG's 2019 reporting discussion (igfmaglist, "Ideas on IGF reporting
and concluding sessions structure", October 2019) speaks of the "key messages of the
short reports" feeding later sessions. So a `Report` has a *short report* (key takeaways
and calls to action, read first) and a *long report* (the agenda as run, the discussion
per question with its themes, votes, next steps and participation), as issue 4 asks.

Under the Chatham House Rule the report names the publicly named roles of the session
file (moderators, rapporteur) and nobody else: participation is counted, never listed.
Every text here has already been redacted by the action that built it; the leak check
(`core/report_check.py`) is the independent second look before anything is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pollinate.core.events import BlockStarted, Event, SessionFinished
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.session import BlockKind, SessionSpec

UNKNOWN = "unknown"
"""The label of people whose roster row left a stakeholder group or region empty."""


@dataclass(frozen=True, slots=True)
class AgendaMoment:
    """A moment the live agenda moved: block `block_index` began, or (None) the session ended.

    The agenda action keeps one for each `block.started` and `session.finished` event
    (`agenda_moment`, store/agenda_log.py).

    >>> from datetime import UTC
    >>> AgendaMoment(datetime(2025, 6, 24, 9, 0, tzinfo=UTC), 0).block_index
    0
    """

    at: datetime
    block_index: int | None


def agenda_moment(event: Event, *, at: datetime) -> AgendaMoment | None:
    """The moment `event`, logged at `at`, marks in the agenda; None for other events.

    >>> from datetime import UTC
    >>> when = datetime(2025, 6, 24, 10, 0, tzinfo=UTC)
    >>> agenda_moment(SessionFinished(when), at=when) == AgendaMoment(when, None)
    True
    """
    if isinstance(event, BlockStarted):
        return AgendaMoment(at, event.block_index)
    if isinstance(event, SessionFinished):
        return AgendaMoment(event.finished_at, None)
    return None


@dataclass(frozen=True, slots=True)
class AgendaRow:
    """One agenda block as planned and as run; times are in the session's time zone.

    Planned times exist only when the session file gives a date and a start time; actual
    times only when the live app ran the block (`None`: not run, or not recorded).
    """

    title: str
    kind: BlockKind
    minutes: int
    question: str | None = None
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    actual_start: datetime | None = None
    actual_end: datetime | None = None

    @property
    def actual_minutes(self) -> int | None:
        """Whole minutes the block ran, rounded; None when start or end is unknown."""
        if self.actual_start is None or self.actual_end is None:
            return None
        return round((self.actual_end - self.actual_start).total_seconds() / 60)


@dataclass(frozen=True, slots=True)
class Count:
    """How many people share one value (a stakeholder group, a region).

    >>> Count("civil society", 12)
    Count(label='civil society', count=12)
    """

    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Participation:
    """Counts of the people who took part; never who they were.

    `basis` says whom the counts cover: "checked in" when the facilitator marked
    presence, else "registered" (everyone on the roster not marked absent).
    """

    total: int
    onsite: int
    online: int
    by_stakeholder_group: tuple[Count, ...]
    by_region: tuple[Count, ...]
    basis: str


@dataclass(frozen=True, slots=True)
class ThemeSummary:
    """A theme of one question's notes: its label, size, where it came from, examples.

    `representatives` are two or three note texts, redacted; `votes` is the dots it got,
    or None when no vote was held on it.
    """

    label: str
    size: int
    tables: tuple[str, ...]
    rounds: tuple[int, ...]
    representatives: tuple[str, ...]
    votes: int | None = None


@dataclass(frozen=True, slots=True)
class Discussion:
    """What was said about one round's question: its themes, largest first."""

    round: int
    title: str
    question: str | None
    note_count: int
    themes: tuple[ThemeSummary, ...]


@dataclass(frozen=True, slots=True)
class VoteResult:
    """The dots one theme got in the dot vote."""

    label: str
    dots: int


@dataclass(frozen=True, slots=True)
class PublicRole:
    """A role the session file names publicly, with the name as the file gives it.

    >>> PublicRole("Rapporteur", "Jan Rydzak, World Benchmarking Alliance").role
    'Rapporteur'
    """

    role: str
    name: str


@dataclass(frozen=True, slots=True)
class Report:
    """A whole session report: heading, short report, long report.

    Short report: `key_takeaways`, `calls_to_action`. Long report: `agenda`,
    `discussions`, `votes`, `next_steps`, `participation`. Everything else is the heading.
    Build one with `build_report`.
    """

    title: str
    event: str | None
    date: date | None
    timezone: str
    format: str
    planned_minutes: int
    actual_minutes: int | None
    chatham_house: bool
    roles: tuple[PublicRole, ...]
    sdg_targets: tuple[str, ...]
    key_takeaways: tuple[str, ...]
    calls_to_action: tuple[str, ...]
    agenda: tuple[AgendaRow, ...]
    discussions: tuple[Discussion, ...]
    votes: tuple[VoteResult, ...]
    next_steps: tuple[str, ...]
    next_steps_block: str | None
    participation: Participation


def build_report(
    spec: SessionSpec,
    *,
    moments: Sequence[AgendaMoment],
    participation: Participation,
    discussions: Sequence[Discussion] = (),
    key_takeaways: Sequence[str] = (),
    calls_to_action: Sequence[str] = (),
    votes: Sequence[VoteResult] = (),
) -> Report:
    """The report of a session run as `moments` say, from already redacted texts.

    Next steps are the calls to action (the rapporteur promotes them from the next steps
    block's discussion); `next_steps_block` names that block, when the agenda had one.
    """
    zone = ZoneInfo(spec.timezone)
    agenda = agenda_as_run(spec, moments)
    starts = [row.actual_start for row in agenda if row.actual_start is not None]
    ends = [row.actual_end for row in agenda if row.actual_end is not None]
    actual = round((max(ends) - min(starts)).total_seconds() / 60) if starts and ends else None
    first = min(starts) if starts else None
    return Report(
        title=spec.title,
        event=spec.event,
        date=spec.date or (first.astimezone(zone).date() if first else None),
        timezone=spec.timezone,
        format=session_format(spec),
        planned_minutes=spec.duration_minutes,
        actual_minutes=actual,
        chatham_house=spec.chatham_house,
        roles=public_roles(spec),
        sdg_targets=spec.sdg_targets,
        key_takeaways=tuple(key_takeaways),
        calls_to_action=tuple(calls_to_action),
        agenda=agenda,
        discussions=tuple(discussions),
        votes=tuple(sorted(votes, key=lambda vote: (-vote.dots, vote.label))),
        next_steps=tuple(calls_to_action),
        next_steps_block=_next_steps_block(spec),
        participation=participation,
    )


def session_format(spec: SessionSpec) -> str:
    """ "World Café, hybrid" with tables and rooms; "in person" or "online" with one kind.

    >>> session_format(SessionSpec("Café", 15, ()))
    'World Café'
    """
    kinds = {bool(spec.tables): "in person", bool(spec.rooms): "online"}
    if spec.tables and spec.rooms:
        return "World Café, hybrid"
    where = kinds.get(True)
    return f"World Café, {where}" if where else "World Café"


ROLE_TITLES = (
    ("onsite_moderator", "Onsite moderator"),
    ("online_moderator", "Online moderator"),
    ("rapporteur", "Rapporteur"),
)
"""The session file's public roles, in the order a report lists them."""


def public_roles(spec: SessionSpec) -> tuple[PublicRole, ...]:
    """The roles the session file names, as it names them; participants are never here."""
    return tuple(
        PublicRole(title, name)
        for field, title in ROLE_TITLES
        if (name := getattr(spec.roles, field))
    )


def agenda_as_run(spec: SessionSpec, moments: Iterable[AgendaMoment]) -> tuple[AgendaRow, ...]:
    """Each block with its planned and actual start and end, in the session's time zone.

    A block runs from a moment naming it to the next moment of any kind. A block run
    twice (the facilitator went back with Previous) starts at its first start and ends
    at its last end: the span in which the room was on it. A block still on when the
    moments stop has no end.
    """
    zone = ZoneInfo(spec.timezone)
    first_start: dict[int, datetime] = {}
    last_end: dict[int, datetime] = {}
    current: int | None = None
    for moment in sorted(moments, key=lambda m: m.at):
        if current is not None:
            last_end[current] = moment.at
        current = moment.block_index
        if current is not None:
            first_start.setdefault(current, moment.at)
    planned = _planned_starts(spec, zone)
    rows = []
    for index, block in enumerate(spec.agenda):
        start = planned[index] if planned else None
        rows.append(
            AgendaRow(
                title=block.title,
                kind=block.kind,
                minutes=block.minutes,
                question=block.question,
                planned_start=start,
                planned_end=start + timedelta(minutes=block.minutes) if start else None,
                actual_start=_local(first_start.get(index), zone),
                actual_end=_local(last_end.get(index), zone),
            )
        )
    return tuple(rows)


def _planned_starts(spec: SessionSpec, zone: ZoneInfo) -> list[datetime]:
    if spec.date is None or spec.start_time is None:
        return []
    moment = datetime.combine(spec.date, spec.start_time, tzinfo=zone)
    starts = []
    for block in spec.agenda:
        starts.append(moment)
        moment += timedelta(minutes=block.minutes)
    return starts


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(zone)


def count_participation(
    roster: Roster, *, present: Iterable[str] = (), absent: Iterable[str] = ()
) -> Participation:
    """Counts of those who took part: the checked-in people when anyone was checked in,
    else everyone registered and not marked absent. Ids not on the roster are ignored.

    >>> from pollinate.core.roster import Participant
    >>> roster = Roster((Participant("a", "A", stakeholder_group="academia"),
    ...                  Participant("b", "B", attendance=Attendance.ONLINE)))
    >>> p = count_participation(roster, present=["b"])
    >>> (p.total, p.onsite, p.online, p.basis)
    (1, 0, 1, 'checked in')
    """
    here = set(present)
    gone = set(absent)
    if here & {p.id for p in roster}:
        counted = [p for p in roster if p.id in here]
        basis = "checked in"
    else:
        counted = [p for p in roster if p.id not in gone]
        basis = "registered"
    online = sum(1 for p in counted if p.attendance is Attendance.ONLINE)
    return Participation(
        total=len(counted),
        onsite=len(counted) - online,
        online=online,
        by_stakeholder_group=_counts(counted, "stakeholder_group"),
        by_region=_counts(counted, "region"),
        basis=basis,
    )


def _counts(people: Sequence[Participant], attribute: str) -> tuple[Count, ...]:
    tally = Counter(str(getattr(p, attribute) or UNKNOWN) for p in people)
    # Largest first, then by name, so the same roster gives the same order every time;
    # "unknown" goes last, as it is the least informative line.
    ordered = sorted(tally.items(), key=lambda item: (item[0] == UNKNOWN, -item[1], item[0]))
    return tuple(Count(label, count) for label, count in ordered)


def _next_steps_block(spec: SessionSpec) -> str | None:
    titles = [block.title for block in spec.agenda if block.kind is BlockKind.NEXT_STEPS]
    return titles[0] if titles else None
