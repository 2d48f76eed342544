"""pollinate: plan, run, harvest and report hybrid World Café sessions.

The names below are the library's public surface; `tests/test_public_api.py` keeps
`__all__` honest.
"""

from pollinate.core.planner.model import Place, Plan, PlanRequest
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.session import AgendaBlock, BlockKind, SessionSpec
from pollinate.errors import InputError, PollinateError

__version__ = "0.1.0"

__all__ = [
    "AgendaBlock",
    "Attendance",
    "BlockKind",
    "InputError",
    "Participant",
    "Place",
    "Plan",
    "PlanRequest",
    "PollinateError",
    "Roster",
    "SessionSpec",
    "__version__",
]
