"""The rapporteur's edits to the theme board, and how they survive re-clustering.

    board (themes) ──ThemeEdits.merge / split / rename / star──▶ ThemeEdits
    notes ──method──▶ clusters ──apply_moves(edits)──▶ clusters ──▶ themes (+ renamed_label)

Clustering runs again whenever notes arrive, so an edit cannot name a theme by its place
on the board; it names notes. Every edit keeps the notes it was about and `seen`, every
note on the board when it was made. Notes that arrived later are left out when an edit
is matched against new clusters, so a theme that grows keeps its edits.

- A merge pins its notes together: they always end in one theme, and so does any new
  cluster whose older notes are mostly pinned ones (the merged theme's new notes).
- A split pins the notes moved out together, as a merge does, and keeps them apart from
  the rest of the theme they left.
- A rename holds while the theme's identity persists: a Jaccard overlap of at least 0.5
  between the renamed theme's notes and a new theme's notes that were already seen; it
  goes to the one theme it overlaps most.
- Edits apply in the order they were made, so a split after a merge carves the merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pollinate.core.harvest.theme import Theme
from pollinate.errors import InputError

SAME_THEME = 0.5
"""Least Jaccard overlap at which a new theme is taken to be an edited one (issue 4)."""


@dataclass(frozen=True, slots=True)
class Move:
    """Notes pinned into one theme (`together`) and kept out of it (`apart`).

    A merge has an empty `apart`; a split keeps the rest of the theme it left `apart`.
    `seen` is every note on the board when the edit was made.
    """

    together: frozenset[str]
    apart: frozenset[str]
    seen: frozenset[str]


@dataclass(frozen=True, slots=True)
class Rename:
    """A label the rapporteur gave to the theme made of `note_ids` at that moment."""

    note_ids: frozenset[str]
    label: str
    seen: frozenset[str]


@dataclass(frozen=True, slots=True)
class ThemeEdits:
    """Every edit the rapporteur made on one board, oldest first; each method adds one.

    >>> board = [Theme("t-a", "Trust", ("a1", "a2"), 2, ("T1",), (1,), ("a1",), ()),
    ...          Theme("t-b", "Money", ("b1",), 1, ("T2",), (1,), ("b1",), ())]
    >>> edits = ThemeEdits().merge(board, "t-a", "t-b").rename(board, "t-a", "Funding trust")
    >>> sorted(edits.moves[0].together), edits.renames[0].label
    (['a1', 'a2', 'b1'], 'Funding trust')
    """

    moves: tuple[Move, ...] = ()
    renames: tuple[Rename, ...] = ()
    stars: frozenset[str] = frozenset()

    def merge(self, board: Sequence[Theme], *theme_ids: str) -> ThemeEdits:
        """These edits plus a merge of the named themes of `board` into one."""
        if len(set(theme_ids)) < 2:
            raise InputError(
                "a merge needs two different themes",
                field="themes",
                advice="Pick at least two themes to merge.",
            )
        together = frozenset(n for t in theme_ids for n in _theme(board, t).note_ids)
        return replace(self, moves=(*self.moves, Move(together, frozenset(), _seen(board))))

    def split(self, board: Sequence[Theme], note_ids: Iterable[str]) -> ThemeEdits:
        """These edits plus moving `note_ids` (all from one theme) to a theme of their own."""
        moved = frozenset(note_ids)
        homes = [t for t in board if moved & set(t.note_ids)]
        if not moved or len(homes) != 1 or not moved <= set(homes[0].note_ids):
            raise InputError(
                "a split moves notes of one theme, and only notes on the board",
                field="notes",
                advice="Select some notes of a single theme, then split.",
            )
        rest = frozenset(homes[0].note_ids) - moved
        if not rest:
            return self
        return replace(self, moves=(*self.moves, Move(moved, rest, _seen(board))))

    def rename(self, board: Sequence[Theme], theme_id: str, label: str) -> ThemeEdits:
        """These edits plus a new label for the named theme (at most 80 characters)."""
        label = " ".join(label.split())
        if not label or len(label) > 80:
            raise InputError(
                "a theme label must have 1 to 80 characters",
                field="label",
                advice="Type a short label of a few words.",
            )
        note_ids = frozenset(_theme(board, theme_id).note_ids)
        return replace(self, renames=(*self.renames, Rename(note_ids, label, _seen(board))))

    def star(self, note_id: str, *, starred: bool = True) -> ThemeEdits:
        """These edits with the note starred (or, with `starred=False`, unstarred)."""
        stars = self.stars | {note_id} if starred else self.stars - {note_id}
        return replace(self, stars=stars)


def _theme(board: Sequence[Theme], theme_id: str) -> Theme:
    for theme in board:
        if theme.id == theme_id:
            return theme
    raise InputError(
        f"there is no theme {theme_id!r} on the board",
        field="theme",
        advice="The board has changed since the page was loaded; reload it and try again.",
    )


def _seen(board: Sequence[Theme]) -> frozenset[str]:
    return frozenset(n for theme in board for n in theme.note_ids)


def overlap(then: frozenset[str], seen: frozenset[str], now: Iterable[str]) -> float:
    """Jaccard overlap of an edited theme (`then`) with a new one, new notes left out.

    Notes of `now` that were not `seen` when the edit was made arrived later; counting
    them would make every growing theme drift away from its own edits.

    >>> overlap(frozenset({"a", "b"}), frozenset({"a", "b", "c"}), {"a", "b", "new"})
    1.0
    """
    current = {n for n in now if n in seen}
    union = then | current
    return len(then & current) / len(union) if union else 0.0


def apply_moves(clusters: Sequence[frozenset[str]], edits: ThemeEdits) -> list[frozenset[str]]:
    """The clusters after every merge and split, in order; empty clusters are dropped."""
    parts = [c for c in clusters if c]
    for move in edits.moves:
        parts = _gather(parts, move)
    return parts


def _gather(parts: list[frozenset[str]], move: Move) -> list[frozenset[str]]:
    present = frozenset(n for part in parts for n in part)
    together = move.together & present
    if not together:
        return parts
    # A cluster whose older notes are mostly pinned is the edited theme grown by new
    # notes; it joins whole, less the notes the edit keeps apart.
    joined: set[str] = set(together)
    kept: list[frozenset[str]] = []
    for part in parts:
        older = part & move.seen
        if part & together and 2 * len(part & together) >= len(older):
            joined |= part - move.apart
            rest = part & move.apart
            if rest:
                kept.append(frozenset(rest))
        else:
            kept.append(part - together)
    return [*(part for part in kept if part), frozenset(joined)]


def renamed_labels(
    edits: ThemeEdits, clusters: Sequence[frozenset[str]], present: frozenset[str]
) -> dict[int, str]:
    """The rapporteur's labels by index of the cluster each renamed theme persists in.

    Each rename goes to the cluster it overlaps most, if at least `SAME_THEME`; a newer
    rename of the same theme replaces an older one. `present` is every note being
    clustered, so notes withdrawn since the rename do not count against its identity.
    """
    labels: dict[int, str] = {}
    for rename in edits.renames:
        then = rename.note_ids & present
        scores = [overlap(then, rename.seen, cluster) for cluster in clusters]
        if scores and max(scores) >= SAME_THEME:
            labels[scores.index(max(scores))] = rename.label
    return labels
