"""Clustering as a helper process calls it: plain positional arguments, lazy imports.

A web worker clusters the board in a separate process (actions/board.py), so that the
second or so of numpy and scikit-learn work on a large board never holds the worker's
interpreter while notes arrive. The function sent there is named by its module, which
the worker must import without loading scikit-learn itself: hence this small module,
whose imports happen in the helper when it first clusters.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import suppress

from pollinate.core.harvest.edits import ThemeEdits
from pollinate.core.harvest.theme import Theme
from pollinate.core.notes import Note


def themes(
    notes: Sequence[Note],
    n_themes: int | None,
    pinned: ThemeEdits,
    previous: Sequence[Theme],
) -> tuple[Theme, ...]:
    """`find_themes(notes, n_themes=…, pinned=…, previous=…)`, for a helper process."""
    from pollinate.core.harvest.cluster import find_themes

    return find_themes(notes, n_themes=n_themes, pinned=pinned, previous=previous)


def warm() -> None:
    """Load the clustering code ahead of the first board."""
    import pollinate.core.harvest.cluster  # noqa: F401


NICENESS = 10
"""How much lower a clustering process's CPU priority is than the web workers'. A board
can wait a moment; a note's answer should not, and on a machine short of cores the
re-clustering of a few thousand notes takes a whole core while notes keep arriving. (On
this 2-core machine, three bench/live.py runs each way at 2,000 phones could not tell
the two apart: note p99 65-174 ms at the same priority, 75-113 ms lowered.)"""


def lower_priority() -> None:
    """Make this process yield the CPU to the web workers (`NICENESS`); where that is not
    allowed, clustering still works, only less politely."""
    with suppress(OSError):
        os.nice(NICENESS)
