"""The one hierarchy of errors pollinate raises on purpose.

    PollinateError            anything pollinate raises deliberately
    ├── InputError            a user can cause it and fix it: a file, row, field and advice
    │   ├── (raised by io/ parsers, CLI flags and web forms)
    │   └── ExportBlocked     an export still names someone on the roster (the leak check)
    ├── AgendaError           a facilitator command does not fit the run state (Pause before Start)
    ├── NotAllowed            the link's role or table does not grant this action (web: 403)
    └── InfeasibleError       the instance cannot satisfy a hard constraint (which one is named)

The CLI prints `str(error)` and exits with status 2 (input) or 3 (infeasible); the web
layer renders the same sentence in the form. Neither shows a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class PollinateError(Exception):
    """Base of every error pollinate raises deliberately."""


class InputError(PollinateError):
    """Something a user brought is wrong; the message says where and what to do.

    >>> str(InputError("no name", file="roster.csv", row=7, field="name", advice="Add one."))
    "roster.csv, row 7, field 'name': no name. Add one."
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        line: int | None = None,
        field: str | None = None,
        advice: str = "",
    ) -> None:
        self.problem = problem
        self.file = file
        self.row = row
        self.line = line
        self.field = field
        self.advice = advice
        super().__init__(self.message)

    @property
    def where(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.problem}" if self.where else self.problem
        if not text.endswith("."):
            text += "."
        return f"{text} {self.advice}".strip()


class ExportBlocked(InputError):
    """An export failed the leak check, so nothing was written (Chatham House Rule).

    `str()` says which kind of leak is where (a participant id and character positions),
    never the leaked words, because the web shows it and logs may keep it. `leaked` holds
    those words for the organiser's terminal only (`pollinate report` prints them there).
    """

    def __init__(self, what: str, places: Sequence[str], leaked: Sequence[str]) -> None:
        self.places = tuple(places)
        self.leaked = tuple(leaked)
        shown = "; ".join(self.places[:MAX_PLACES_SHOWN])
        more = len(self.places) - MAX_PLACES_SHOWN
        super().__init__(
            f"export blocked: the {what} still names people on the roster in "
            f"{_places(len(self.places))} ({shown}{f'; and {more} more' if more > 0 else ''})",
            advice="Take the name out of each text named here (or withdraw that note), "
            "then export again.",
        )


MAX_PLACES_SHOWN = 10
"""How many leaks an `ExportBlocked` message lists; the rest are counted."""


def _places(count: int) -> str:
    return "1 place" if count == 1 else f"{count} places"


class AgendaError(PollinateError):
    """A facilitator command does not fit the session's run state; the message says what to do.

    >>> str(AgendaError("The session has not started yet; press Start first."))
    'The session has not started yet; press Start first.'
    """


class NotAllowed(PollinateError):
    """The link in hand does not grant this action (another table's notes, a past round).

    >>> str(NotAllowed("Only the host of Table 2 can write its notes."))
    'Only the host of Table 2 can write its notes.'
    """


class InfeasibleError(PollinateError):
    """The seating instance cannot meet a hard constraint; `constraint` names which one."""

    def __init__(self, constraint: str, detail: str) -> None:
        self.constraint = constraint
        self.detail = detail
        super().__init__(f"Cannot meet the {constraint} constraint: {detail}")
