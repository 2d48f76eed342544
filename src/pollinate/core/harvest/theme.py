"""The theme: what the rapporteur reports back, as a plain value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Theme:
    """A group of notes that say much the same thing, with what the board shows of it.

    `note_ids` lists every note of the theme, earliest first; `size` is their number.
    `representatives` are two or three notes closest to the theme's centre, one per
    group of near-duplicates, so the board never shows the same words twice;
    `duplicates` holds each group of near-duplicate note ids (two or more) found in the
    theme. `tables` and `rounds` say where the theme came from, never who raised it.
    `id` stays the same across re-clustering while the membership mostly persists.

    >>> Theme("t-n1", "Local trust", ("n1", "n2"), 2, ("Table 1",), (1,), ("n1",), ())
    ... # doctest: +ELLIPSIS
    Theme(id='t-n1', label='Local trust', note_ids=('n1', 'n2'), size=2, ...)
    """

    id: str
    label: str
    note_ids: tuple[str, ...]
    size: int
    tables: tuple[str, ...]
    rounds: tuple[int, ...]
    representatives: tuple[str, ...]
    duplicates: tuple[tuple[str, ...], ...]
    starred: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.size != len(self.note_ids):
            raise ValueError(f"size {self.size} does not match {len(self.note_ids)} note ids")
        if not self.label.strip():
            raise ValueError("a theme needs a label")
        members = set(self.note_ids)
        if not set(self.representatives) <= members or not set(self.starred) <= members:
            raise ValueError("representatives and starred notes must belong to the theme")
