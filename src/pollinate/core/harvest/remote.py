"""Clustering as a helper process calls it: plain positional arguments, lazy imports.

A web worker clusters the board in a separate process (actions/board.py), so that the
second or so of numpy and scikit-learn work on a large board never holds the worker's
interpreter while notes arrive. The function sent there is named by its module, which
the worker must import without loading scikit-learn itself: hence this small module,
whose imports happen in the helper when it first clusters.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    """Load the clustering code in the helper ahead of its first board."""
    import pollinate.core.harvest.cluster  # noqa: F401
