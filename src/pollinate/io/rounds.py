"""The rounds as the day's paperwork shows them: number, question, length, start time.

Every output that names a round takes it from `describe_rounds`, so a slip, a card and a
room list never disagree. A plan made from command-line flags has no session file, so
its rounds are called "Round 1", "Round 2", … with no question of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from pollinate.core.session import SessionSpec


@dataclass(frozen=True, slots=True)
class RoundInfo:
    """One round as printed: `question` falls back to the title, never empty."""

    number: int
    title: str
    question: str
    minutes: int | None = None
    starts_at: str | None = None  # "14:20" in the session's time zone, when it has a start


def describe_rounds(spec: SessionSpec | None, rounds: int) -> tuple[RoundInfo, ...]:
    """One `RoundInfo` per plan round; rounds the session file lacks get plain labels."""
    described: list[RoundInfo] = []
    starts = _round_starts(spec) if spec else []
    blocks = spec.rounds if spec else ()
    for number in range(1, rounds + 1):
        if number <= len(blocks):
            block = blocks[number - 1]
            described.append(
                RoundInfo(
                    number=number,
                    title=block.title,
                    question=block.question or block.title,
                    minutes=block.minutes,
                    starts_at=starts[number - 1] if starts else None,
                )
            )
        else:
            described.append(
                RoundInfo(number=number, title=f"Round {number}", question=f"Round {number}")
            )
    return tuple(described)


def _round_starts(spec: SessionSpec) -> list[str]:
    """Clock time at which each round begins: the start plus every earlier block's minutes."""
    if spec.start_time is None:
        return []
    elapsed = spec.start_time.hour * 60 + spec.start_time.minute
    starts: list[str] = []
    for block in spec.agenda:
        if block.is_round:
            # A session running past midnight wraps; the date is on the slip's header.
            starts.append(f"{elapsed // 60 % 24:02d}:{elapsed % 60:02d}")
        elapsed += block.minutes
    return starts
