"""From a session's notes to the themes the rapporteur reports back: the one entry point.

    notes ──near_duplicates──▶ distinct ideas ──ThemeMethod.group──▶ clusters
          ──apply_moves(edits)──▶ clusters ──▶ ids, labels, representatives ──▶ Theme, …

Near-duplicates are grouped first and only one note of each group is clustered, so a
slogan written at five tables weighs as one idea and its copies always share a theme.
The rapporteur's merges and splits are applied after clustering; renames and theme
ids follow a theme while at least half of its notes persist (edits.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from pollinate.core.harvest.dedupe import near_duplicates
from pollinate.core.harvest.edits import SAME_THEME, ThemeEdits, apply_moves, overlap
from pollinate.core.harvest.edits import renamed_labels as _renamed_labels
from pollinate.core.harvest.labels import theme_labels
from pollinate.core.harvest.methods import Grouping, TfidfThemes, ThemeMethod
from pollinate.core.harvest.theme import Theme
from pollinate.core.notes import Note
from pollinate.errors import InputError

__all__ = ["TfidfThemes", "Theme", "ThemeMethod", "find_themes"]

REPRESENTATIVES = 3
"""Notes shown for each theme: the distinct ideas nearest its centre."""


def find_themes(
    notes: Sequence[Note],
    *,
    method: ThemeMethod | None = None,
    seed: int = 0,
    n_themes: int | None = None,
    pinned: ThemeEdits | None = None,
    previous: Sequence[Theme] = (),
) -> tuple[Theme, ...]:
    """The notes' themes, largest first; the same notes, seed and edits give the same themes.

    `method` defaults to `TfidfThemes()`. `n_themes` is the rapporteur's choice of how
    many themes (None lets the method choose); edits are applied after clustering, so a
    merge can make one fewer. `pinned` holds the rapporteur's edits. `previous` is the
    board as last shown: clustering starts from its themes, and a theme that keeps at
    least half of its notes keeps its id. Without it, a theme is named after its
    earliest note.

    >>> from datetime import UTC, datetime
    >>> at = datetime(2025, 6, 24, 9, 30, tzinfo=UTC)
    >>> texts = ["Rural broadband now", "Fund rural broadband", "Teach media literacy",
    ...          "Media literacy at school", "Rural broadband now!"]
    >>> notes = [Note(f"n{i}", 1, "Table 1", t, at) for i, t in enumerate(texts)]
    >>> [(t.label, t.note_ids, t.duplicates) for t in find_themes(notes, n_themes=2)]
    [('Rural broadband', ('n0', 'n1', 'n4'), (('n0', 'n4'),)), ('Media literacy', ('n2', 'n3'), ())]
    """
    if n_themes is not None and n_themes < 1:
        raise InputError(
            f"cannot make {n_themes} themes",
            field="n_themes",
            advice="Ask for one theme or more, or leave it empty to let pollinate choose.",
        )
    if len({note.id for note in notes}) != len(notes):
        raise ValueError("every note must have its own id")
    if not notes:
        return ()
    ordered = sorted(notes, key=lambda note: (note.taken_at, note.id))
    groups = near_duplicates([note.text for note in ordered])
    group_of = {ordered[i].id: g for g, members in enumerate(groups) for i in members}
    # The board as last shown seeds the clustering, so themes stay put as notes arrive.
    anchors = [sorted({group_of[n] for n in t.note_ids if n in group_of}) for t in previous]
    grouping = (method or TfidfThemes()).group(
        [ordered[group[0]].text for group in groups],
        seed=seed,
        n_themes=n_themes,
        anchors=anchors,
    )
    clusters: dict[int, set[str]] = {}
    for group, theme in zip(groups, grouping.assignment.tolist(), strict=True):
        clusters.setdefault(theme, set()).update(ordered[i].id for i in group)
    edits = pinned or ThemeEdits()
    parts = apply_moves([frozenset(c) for _, c in sorted(clusters.items())], edits)
    return _themes(parts, ordered, groups, grouping, edits, previous)


def _themes(
    parts: list[frozenset[str]],
    ordered: list[Note],
    groups: tuple[tuple[int, ...], ...],
    grouping: Grouping,
    edits: ThemeEdits,
    previous: Sequence[Theme],
) -> tuple[Theme, ...]:
    position = {note.id: i for i, note in enumerate(ordered)}
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    present = frozenset(position)
    members = [sorted(part, key=position.__getitem__) for part in parts]
    # Per part, its distinct ideas: (group index, the part's notes in that group).
    ideas = [_ideas(ids, position, group_of) for ids in members]
    automatic = theme_labels([[ordered[notes[0]].text for _, notes in idea] for idea in ideas])
    manual = _renamed_labels(edits, parts, present)
    ids = _theme_ids(members, previous, present)
    themes = []
    for index, note_ids in enumerate(members):
        notes = [ordered[position[n]] for n in note_ids]
        themes.append(
            Theme(
                id=ids[index],
                label=manual.get(index, automatic[index]),
                note_ids=tuple(note_ids),
                size=len(note_ids),
                tables=tuple(sorted({n.table for n in notes}, key=_natural)),
                rounds=tuple(sorted({n.round for n in notes})),
                representatives=_representatives(ideas[index], ordered, grouping),
                duplicates=tuple(
                    tuple(ordered[i].id for i in same) for _, same in ideas[index] if len(same) > 1
                ),
                starred=tuple(n for n in note_ids if n in edits.stars),
            )
        )
    themes.sort(key=lambda t: (-t.size, position[t.note_ids[0]]))
    return tuple(themes)


def _ideas(
    note_ids: list[str], position: dict[str, int], group_of: dict[int, int]
) -> list[tuple[int, list[int]]]:
    found: dict[int, list[int]] = {}
    for note_id in note_ids:
        found.setdefault(group_of[position[note_id]], []).append(position[note_id])
    return list(found.items())


def _representatives(
    ideas: list[tuple[int, list[int]]], ordered: list[Note], grouping: Grouping
) -> tuple[str, ...]:
    """The earliest note of each of the (up to) three ideas nearest the theme's centre."""
    rows = grouping.vectors[[group for group, _ in ideas]]
    weights = np.array([len(notes) for _, notes in ideas], dtype=np.float64)
    centre = np.asarray(rows.T @ weights).ravel() / weights.sum()
    closeness = np.asarray(rows @ centre).ravel()
    # Nearest first; equal closeness keeps the earlier idea, so the choice is stable.
    nearest = sorted(range(len(ideas)), key=lambda i: (-round(float(closeness[i]), 9), i))
    return tuple(ordered[ideas[i][1][0]].id for i in nearest[:REPRESENTATIVES])


def _theme_ids(
    members: list[list[str]], previous: Sequence[Theme], present: frozenset[str]
) -> list[str]:
    """Ids carried from the previous board by overlap, else from each theme's first note."""
    ids: list[str | None] = [None] * len(members)
    seen = frozenset(n for theme in previous for n in theme.note_ids)
    pairs = []
    for i, note_ids in enumerate(members):
        for j, old in enumerate(previous):
            score = overlap(frozenset(old.note_ids) & present, seen, note_ids)
            if score >= SAME_THEME:
                pairs.append((-score, i, j))
    used_parts: set[int] = set()
    used_old: set[int] = set()
    for _, i, j in sorted(pairs):
        if i not in used_parts and j not in used_old:
            ids[i] = previous[j].id
            used_parts.add(i)
            used_old.add(j)
    taken = {theme_id for theme_id in ids if theme_id}
    for i, note_ids in enumerate(members):
        if ids[i] is None:
            ids[i] = _fresh_id(note_ids, taken)
            taken.add(ids[i] or "")
    return [theme_id or "" for theme_id in ids]


def _fresh_id(note_ids: list[str], taken: set[str]) -> str:
    for note_id in note_ids:
        if f"theme-{note_id}" not in taken:
            return f"theme-{note_id}"
    suffix = 2
    while f"theme-{note_ids[0]}-{suffix}" in taken:
        suffix += 1
    return f"theme-{note_ids[0]}-{suffix}"


def _natural(name: str) -> list[str | int]:
    """Sort key that puts "Table 2" before "Table 10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]
