from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.agenda import (
    MAX_BROADCAST_CHARS,
    Broadcast,
    Command,
    Extend,
    Finish,
    Next,
    Pause,
    Previous,
    Resume,
    RunPhase,
    RunState,
    Start,
    apply,
    current_block,
    current_round,
    next_round_number,
    round_number,
    time_left,
    time_over,
)
from pollinate.core.events import (
    BlockStarted,
    BroadcastSent,
    SessionFinished,
    TimerExtended,
    TimerPaused,
    TimerResumed,
    event_from_payload,
)
from pollinate.core.session import AgendaBlock, BlockKind, SessionSpec
from pollinate.errors import AgendaError, InputError, PollinateError

NOW = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)


def igf_spec() -> SessionSpec:
    """A 90-minute IGF-style café: intro, three rounds, report back, next steps."""
    return SessionSpec(
        title="Trust in local networks",
        duration_minutes=90,
        agenda=(
            AgendaBlock(BlockKind.INTRO, "Welcome and level-setting", 10),
            AgendaBlock(BlockKind.ROUND, "Round 1", 20, "What builds trust?"),
            AgendaBlock(BlockKind.ROUND, "Round 2", 20, "What breaks it?"),
            AgendaBlock(BlockKind.ROUND, "Round 3", 20, "What should change?"),
            AgendaBlock(BlockKind.REPORT_BACK, "Report back", 15),
            AgendaBlock(BlockKind.NEXT_STEPS, "Next steps", 5),
        ),
    )


SPEC = igf_spec()


def run(*commands: Command, start: datetime = NOW, step: timedelta = timedelta(0)) -> RunState:
    state = RunState()
    now = start
    for command in commands:
        state, _ = apply(state, command, spec=SPEC, now=now)
        now += step
    return state


def state_in(phase: RunPhase) -> RunState:
    """A state in `phase`; running and paused sit on Round 1 so Previous is possible."""
    return {
        RunPhase.NOT_STARTED: RunState(),
        RunPhase.RUNNING: run(Start(), Next()),
        RunPhase.PAUSED: run(Start(), Next(), Pause()),
        RunPhase.FINISHED: run(Start(), Finish()),
    }[phase]


COMMANDS: dict[str, Command] = {
    "start": Start(),
    "pause": Pause(),
    "resume": Resume(),
    "extend": Extend(5),
    "next": Next(),
    "previous": Previous(),
    "broadcast": Broadcast("Five minutes left"),
    "finish": Finish(),
}

NS, RUN, PAU, FIN = RunPhase.NOT_STARTED, RunPhase.RUNNING, RunPhase.PAUSED, RunPhase.FINISHED
# phase -> command -> phase afterwards, or None when the command is refused.
TRANSITIONS: dict[RunPhase, dict[str, RunPhase | None]] = {
    NS: {"start": RUN, "pause": None, "resume": None, "extend": None, "next": None,
         "previous": None, "broadcast": NS, "finish": None},
    RUN: {"start": None, "pause": PAU, "resume": None, "extend": RUN, "next": RUN,
          "previous": RUN, "broadcast": RUN, "finish": FIN},
    PAU: {"start": None, "pause": None, "resume": RUN, "extend": PAU, "next": RUN,
          "previous": RUN, "broadcast": PAU, "finish": FIN},
    FIN: {"start": None, "pause": None, "resume": None, "extend": None, "next": None,
          "previous": None, "broadcast": FIN, "finish": None},
}  # fmt: skip


@pytest.mark.parametrize(
    ("phase", "name"),
    [(phase, name) for phase in RunPhase for name in COMMANDS],
    ids=str,
)
def test_every_command_in_every_phase_moves_or_is_refused(phase: RunPhase, name: str):
    state = state_in(phase)
    expected = TRANSITIONS[phase][name]
    if expected is None:
        with pytest.raises(AgendaError) as refused:
            apply(state, COMMANDS[name], spec=SPEC, now=NOW + timedelta(minutes=1))
        assert str(refused.value).endswith(".")
        return
    after, events = apply(state, COMMANDS[name], spec=SPEC, now=NOW + timedelta(minutes=1))
    assert after.phase is expected
    assert after.version == state.version + 1
    assert events


@pytest.mark.parametrize(
    ("state", "command", "sentence"),
    [
        (RunState(), Pause(), "The session has not started yet; press Start first."),
        (RunState(), Next(), "The session has not started yet; press Start first."),
        (state_in(RUN), Start(), "The session is already running; use Next to move on."),
        (state_in(RUN), Resume(), "The timer is already running; there is nothing to resume."),
        (state_in(PAU), Pause(), "The timer is already paused; press Resume to continue."),
        (state_in(FIN), Start(), "The session has finished; its agenda cannot run again."),
        (run(Start()), Previous(), "This is the first block of the agenda; there is no previous."),
    ],
)
def test_refusals_tell_the_facilitator_what_to_do(state, command, sentence):
    with pytest.raises(AgendaError, match=sentence.replace("?", r"\?")) as refused:
        apply(state, command, spec=SPEC, now=NOW)
    assert str(refused.value) == sentence
    assert isinstance(refused.value, PollinateError)


def test_next_walks_the_whole_agenda_then_finishes():
    state, events = apply(RunState(), Start(), spec=SPEC, now=NOW)
    rounds = [current_round(state, SPEC)]
    questions = [events[0].question if isinstance(events[0], BlockStarted) else "?"]
    for minute in range(1, len(SPEC.agenda)):
        state, events = apply(state, Next(), spec=SPEC, now=NOW + timedelta(minutes=minute))
        (started,) = events
        assert isinstance(started, BlockStarted)
        assert started.block_index == state.block_index == minute
        assert started.round == current_round(state, SPEC)
        rounds.append(started.round)
        questions.append(started.question)
    assert rounds == [None, 1, 2, 3, None, None]
    asked = ["What builds trust?", "What breaks it?", "What should change?"]
    assert questions == [None, *asked, None, None]
    finished, events = apply(state, Next(), spec=SPEC, now=NOW + timedelta(hours=2))
    assert finished.phase is RunPhase.FINISHED
    assert finished.block_index is None
    assert events == (SessionFinished(NOW + timedelta(hours=2)),)
    assert current_block(finished, SPEC) is None
    assert time_left(finished, NOW) is None


def test_next_and_previous_start_the_target_block_with_its_full_time():
    state = run(Start(), Next(), Next())  # on Round 2
    later = NOW + timedelta(minutes=7)
    back, (event,) = apply(state, Previous(), spec=SPEC, now=later)
    assert back.block_index == 1
    assert back.phase is RunPhase.RUNNING
    assert back.started_at == later
    assert time_left(back, later) == 20 * 60
    assert event == BlockStarted(1, BlockKind.ROUND, "Round 1", 1, "What builds trust?", 20,
                                 later + timedelta(minutes=20))  # fmt: skip


def test_next_from_a_paused_block_runs_the_next_block():
    paused = run(Start(), Pause())
    state, _ = apply(paused, Next(), spec=SPEC, now=NOW + timedelta(minutes=30))
    assert state.phase is RunPhase.RUNNING
    assert state.remaining_seconds is None
    assert time_left(state, NOW + timedelta(minutes=30)) == 20 * 60


def test_pause_freezes_the_time_left():
    running = run(Start())
    paused, events = apply(running, Pause(), spec=SPEC, now=NOW + timedelta(minutes=4))
    assert paused.remaining_seconds == 6 * 60
    assert paused.ends_at is None
    assert events == (TimerPaused(0, 360.0),)
    assert time_left(paused, NOW + timedelta(hours=3)) == 360.0


def test_resume_ends_the_block_after_the_frozen_time_from_now():
    paused = run(Start(), Pause(), step=timedelta(minutes=4))
    resumed_at = NOW + timedelta(minutes=30)
    running, events = apply(paused, Resume(), spec=SPEC, now=resumed_at)
    assert running.ends_at == resumed_at + timedelta(minutes=6)
    assert running.started_at == NOW
    assert events == (TimerResumed(0, resumed_at + timedelta(minutes=6)),)
    assert time_left(running, resumed_at + timedelta(minutes=1)) == 5 * 60


def test_extend_while_running_moves_the_end_later():
    running = run(Start())
    extended, events = apply(running, Extend(5), spec=SPEC, now=NOW + timedelta(minutes=2))
    assert extended.ends_at == NOW + timedelta(minutes=15)
    assert events == (TimerExtended(0, 5, NOW + timedelta(minutes=15), None),)
    assert time_left(extended, NOW + timedelta(minutes=2)) == 13 * 60


def test_extend_while_paused_adds_to_the_frozen_time():
    paused = run(Start(), Pause(), step=timedelta(minutes=4))
    extended, events = apply(paused, Extend(3), spec=SPEC, now=NOW + timedelta(minutes=20))
    assert extended.phase is RunPhase.PAUSED
    assert extended.remaining_seconds == (6 + 3) * 60
    assert events == (TimerExtended(0, 3, None, 540.0),)


def test_extend_after_an_overrun_gives_the_minutes_from_now():
    running = run(Start())
    late = NOW + timedelta(minutes=13)  # three minutes past the 10-minute intro
    extended, _ = apply(running, Extend(5), spec=SPEC, now=late)
    assert time_left(extended, late) == 5 * 60


def test_overrun_shows_zero_and_the_block_stays_until_the_facilitator_moves_on():
    running = run(Start())
    late = NOW + timedelta(minutes=12)
    assert time_left(running, late) == 0.0
    assert time_over(running, late) == 120.0
    assert current_block(running, SPEC) == SPEC.agenda[0]
    paused, _ = apply(running, Pause(), spec=SPEC, now=late)
    assert paused.remaining_seconds == 0.0
    assert time_over(paused, late) is None


def test_time_left_counts_down_with_server_now_only():
    running = run(Start())
    assert time_left(running, NOW) == 600.0
    assert time_left(running, NOW + timedelta(seconds=90.5)) == 509.5
    assert time_over(running, NOW) == 0.0


def test_a_reload_at_the_same_moment_shows_the_same_time_left():
    running = run(Start(), Extend(2), step=timedelta(seconds=17))
    # The store may hand the state back with its datetimes in another zone.
    oslo = ZoneInfo("Europe/Oslo")
    reloaded = dataclasses.replace(
        running,
        ends_at=running.ends_at.astimezone(oslo) if running.ends_at else None,
        started_at=running.started_at.astimezone(oslo) if running.started_at else None,
    )
    moment = NOW + timedelta(minutes=3, seconds=2)
    assert time_left(reloaded, moment) == time_left(running, moment) == 538.0
    assert time_left(running, moment.astimezone(timezone(timedelta(hours=-5)))) == 538.0


def test_a_page_reckoning_from_the_block_started_payload_agrees_with_the_server():
    state, (event,) = apply(RunState(), Start(), spec=SPEC, now=NOW)
    payload = event.to_payload()
    page_view = event_from_payload(event.type, payload)
    assert isinstance(page_view, BlockStarted)
    moment = NOW + timedelta(minutes=4, seconds=30)
    assert (page_view.ends_at - moment).total_seconds() == time_left(state, moment)


def test_the_timer_keeps_real_time_across_a_daylight_saving_change():
    berlin = ZoneInfo("Europe/Berlin")
    spec = SessionSpec("Night café", 20, (AgendaBlock(BlockKind.ROUND, "Round 1", 20, "Why?"),))
    # 02:50 summer time, then the clocks go back from 03:00 to 02:00 (26 October 2025).
    started = datetime(2025, 10, 26, 2, 50, tzinfo=berlin)
    state, _ = apply(RunState(), Start(), spec=spec, now=started)
    ten_real_minutes_later = datetime(2025, 10, 26, 2, 0, fold=1, tzinfo=berlin)
    assert time_left(state, ten_real_minutes_later) == 600.0
    assert time_left(state, started + timedelta(hours=1)) == 0.0


def test_a_naive_clock_is_refused():
    naive = datetime(2025, 6, 24, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="timezone-aware"):
        apply(RunState(), Start(), spec=SPEC, now=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        time_left(run(Start()), naive)


def test_broadcast_is_sent_in_any_phase_and_leaves_the_timer_alone():
    for phase in RunPhase:
        state = state_in(phase)
        after, events = apply(state, Broadcast(" Coffee is served \r\n"), spec=SPEC, now=NOW)
        assert events == (BroadcastSent("Coffee is served", NOW),)
        assert after == dataclasses.replace(state, version=state.version + 1)


@pytest.mark.parametrize("message", ["", "   ", "\r\n\t", "x" * (MAX_BROADCAST_CHARS + 1)])
def test_an_empty_or_overlong_broadcast_is_refused(message: str):
    with pytest.raises(InputError) as refused:
        Broadcast(message)
    assert refused.value.field == "message"


def test_a_broadcast_of_exactly_the_limit_is_accepted():
    assert len(Broadcast("y" * MAX_BROADCAST_CHARS).message) == MAX_BROADCAST_CHARS


@pytest.mark.parametrize("minutes", [0, -1, 121, True])
def test_extend_needs_one_to_120_minutes(minutes: int):
    with pytest.raises(InputError, match="from 1 to 120") as refused:
        Extend(minutes)
    assert refused.value.field == "minutes"


def test_extend_by_120_minutes_is_accepted():
    assert Extend(120).minutes == 120


def test_starting_an_empty_agenda_is_refused():
    empty = SessionSpec("Empty", 0, ())
    with pytest.raises(AgendaError, match="no blocks"):
        apply(RunState(), Start(), spec=empty, now=NOW)


def test_an_agenda_shortened_under_a_running_session_still_lets_the_facilitator_finish():
    state = run(Start(), Next(), Next(), Next(), Next())  # on block 5 of 6
    shorter = dataclasses.replace(SPEC, agenda=SPEC.agenda[:3])
    with pytest.raises(AgendaError, match="block 5, but the agenda now has only 3"):
        apply(state, Next(), spec=shorter, now=NOW)
    assert current_block(state, shorter) is None
    broadcast, _ = apply(state, Broadcast("One moment"), spec=shorter, now=NOW)
    finished, _ = apply(broadcast, Finish(), spec=shorter, now=NOW)
    assert finished.phase is RunPhase.FINISHED


def test_finish_ends_a_paused_session():
    state, events = apply(state_in(PAU), Finish(), spec=SPEC, now=NOW)
    assert state == RunState(RunPhase.FINISHED, version=state_in(PAU).version + 1)
    assert events == (SessionFinished(NOW),)


@pytest.mark.parametrize(
    "fields",
    [
        {"phase": RunPhase.RUNNING, "block_index": 0, "started_at": NOW},
        {"phase": RunPhase.PAUSED, "block_index": 0, "started_at": NOW, "remaining_seconds": -1.0},
        {"phase": RunPhase.NOT_STARTED, "block_index": 0},
        {"phase": RunPhase.FINISHED, "ends_at": NOW},
        {
            "phase": RunPhase.RUNNING,
            "block_index": 0,
            "started_at": NOW,
            "ends_at": datetime(2025, 6, 24),  # noqa: DTZ001 - the point of the test
        },
        {"version": -1},
    ],
)
def test_a_run_state_that_breaks_its_invariants_cannot_be_built(fields):
    with pytest.raises(ValueError, match=r"\S"):
        RunState(**fields)


def test_rounds_are_numbered_from_one_among_round_blocks():
    assert [round_number(SPEC, index) for index in range(6)] == [None, 1, 2, 3, None, None]


def test_next_round_number_looks_ahead_from_the_current_block():
    assert next_round_number(RunState(), SPEC) == 1
    on_intro = run(Start())
    assert (current_round(on_intro, SPEC), next_round_number(on_intro, SPEC)) == (None, 1)
    on_round_1 = run(Start(), Next())
    assert (current_round(on_round_1, SPEC), next_round_number(on_round_1, SPEC)) == (1, 2)
    on_round_3 = run(Start(), Next(), Next(), Next())
    assert (current_round(on_round_3, SPEC), next_round_number(on_round_3, SPEC)) == (3, None)
    assert next_round_number(state_in(FIN), SPEC) is None
    assert current_round(RunState(), SPEC) is None


def assert_sound(before: RunState, command: Command, after: RunState, events, now: datetime):
    assert after.version == before.version + 1
    assert events
    if after.phase is RunPhase.RUNNING:
        assert after.ends_at is not None
        if not isinstance(command, Broadcast):
            assert after.ends_at >= now  # a timer just set never starts in the past
    if after.phase is RunPhase.PAUSED:
        assert after.remaining_seconds is not None
        assert after.remaining_seconds >= 0
    if after.phase in (RunPhase.RUNNING, RunPhase.PAUSED):
        assert after.block_index is not None
        assert 0 <= after.block_index < len(SPEC.agenda)
    else:
        assert after.block_index is None
    left = time_left(after, now)
    assert left is None or left >= 0
    if after.phase is RunPhase.FINISHED and before.phase is not RunPhase.FINISHED:
        assert isinstance(events[-1], SessionFinished)
    for event in events:
        assert event_from_payload(event.type, event.to_payload()) == event


@settings(max_examples=150, deadline=None)
@given(data=st.data(), finish_allowed=st.booleans())
def test_any_sequence_of_legal_commands_keeps_the_run_state_sound(data, finish_allowed):
    state = RunState()
    now = NOW
    # Without Finish on offer, a run walks far enough to finish by Next on the last block.
    for _ in range(data.draw(st.integers(1, 40), label="commands")):
        now += timedelta(seconds=data.draw(st.integers(0, 3600), label="seconds later"))
        minutes = data.draw(st.integers(1, 120), label="extend by")
        offered: list[Command] = [Start(), Pause(), Resume(), Extend(minutes), Next(), Previous()]
        offered += [Broadcast("Please return to your tables")]
        offered += [Finish()] if finish_allowed else []
        outcomes = {}
        for command in offered:
            try:
                outcomes[command] = apply(state, command, spec=SPEC, now=now)
            except AgendaError:
                continue
            assert_sound(state, command, *outcomes[command], now)
        chosen = data.draw(st.sampled_from(list(outcomes)), label="command")
        state = outcomes[chosen][0]
        if state.phase is RunPhase.FINISHED:
            break
