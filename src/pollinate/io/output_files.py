"""What a writer hands back: the files it wrote, each with a line saying what it is for.

The CLI prints these so an organiser sees where everything went; warnings are sentences
an organiser can act on (a missing email, a room Zoom cannot take).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


class WrittenFile(NamedTuple):
    """One file on disk and a one-line description; unpacks as `path, description`."""

    path: Path
    description: str


@dataclass(frozen=True, slots=True)
class PlanOutputs:
    """Everything `write_plan_outputs` wrote, in the order written, and its warnings."""

    files: tuple[WrittenFile, ...] = ()
    warnings: tuple[str, ...] = ()

    def path(self, name: str) -> Path:
        """The written file called `name` (e.g. "plan.json"); `KeyError` if none was."""
        for written in self.files:
            if written.path.name == name:
                return written.path
        raise KeyError(name)

    def __add__(self, other: PlanOutputs) -> PlanOutputs:
        return PlanOutputs(self.files + other.files, self.warnings + other.warnings)
