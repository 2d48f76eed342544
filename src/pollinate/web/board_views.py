"""View models of the harvest: the rapporteur's board, the report-back view, the ballot.

    Board + notes + takeaways + vote ──board_view()──────▶ everything the workspace shows
    Board + takeaways + vote + scrub ──report_back_view()─▶ labels, sizes, dots, takeaways
    Vote + my dots ──ballot_view()──────────────────────▶ the phone's voting form

Like `views.py`, each dict is built from named fields and nothing else. The report-back
view is what the whole room sees (the projector, and every phone while it is on), so it
has no note text at all, and its labels and takeaways pass the session's redactor once
more: the roster may have grown since they were written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pollinate.core.harvest.takeaways import TakeawayKind
from pollinate.core.harvest.votes import VoteResult
from pollinate.core.notes import Note
from pollinate.store.harvest import Board, StoredTakeaway
from pollinate.store.votes import Vote

KIND_LABELS = {
    TakeawayKind.TAKEAWAY.value: "Key takeaway",
    TakeawayKind.CALL_TO_ACTION.value: "Call to action",
}


def vote_view(
    found: tuple[Vote, VoteResult] | None, scrub: Callable[[str], str] = str
) -> dict[str, Any] | None:
    """The newest vote: its rules, whether it is open, and the dots so far, most first."""
    if found is None:
        return None
    vote, result = found
    return {
        "id": vote.id,
        "open": vote.is_open,
        "dots": vote.dots,
        "per_theme": vote.per_theme,
        "ballots": result.ballots,
        "dots_cast": result.dots_cast,
        "results": [
            {
                "theme_id": row.theme_id,
                "label": scrub(row.label),
                "dots": row.dots,
                "voters": row.voters,
            }
            for row in result.ranking
        ],
    }


def _takeaways(
    stored: Sequence[StoredTakeaway], scrub: Callable[[str], str]
) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "kind": item.takeaway.kind.value,
            "kind_label": KIND_LABELS[item.takeaway.kind.value],
            "text": scrub(item.takeaway.text),
        }
        for item in stored
    ]


def board_view(
    board: Board,
    notes: Sequence[Note],
    takeaways: Sequence[StoredTakeaway],
    vote: tuple[Vote, VoteResult] | None,
) -> dict[str, Any]:
    """The workspace: every theme with its notes (starred, representative), and the rest."""
    by_id = {note.id: note for note in notes}
    dots = {row.theme_id: row.dots for row in vote[1].ranking} if vote else {}
    themes = []
    for theme in board.themes:
        shown = [by_id[n] for n in theme.note_ids if n in by_id]
        themes.append(
            {
                "id": theme.id,
                "label": theme.label,
                "size": theme.size,
                "tables": list(theme.tables),
                "rounds": list(theme.rounds),
                "dots": dots.get(theme.id),
                "notes": [
                    {
                        "id": note.id,
                        "text": note.text,
                        "table": note.table,
                        "round": note.round,
                        "starred": note.id in theme.starred,
                        "representative": note.id in theme.representatives,
                    }
                    for note in shown
                ],
            }
        )
    return {
        "revision": board.revision,
        "shown": board.shown,
        "n_themes": board.n_themes,
        "themes": themes,
        "takeaways": _takeaways(takeaways, lambda text: text),
        "vote": vote_view(vote),
    }


def report_back_view(
    board: Board,
    takeaways: Sequence[StoredTakeaway],
    vote: tuple[Vote, VoteResult] | None,
    scrub: Callable[[str], str],
    *,
    dots_while_open: bool = True,
) -> dict[str, Any]:
    """What the room reads: themes (with their dots once a vote was held), takeaways.

    With a vote, the themes are the vote's own (as they were when it opened), most dots
    first; without, the board's, largest first. Phones get `dots_while_open=False`: the
    projector shows the dots as they come, but a phone is not where a voter should
    check how the others voted before casting their own ballot.
    """
    if vote is not None and (dots_while_open or not vote[0].is_open):
        themes = [
            {"id": row.theme_id, "label": scrub(row.label), "dots": row.dots}
            for row in vote[1].ranking
        ]
        sizes = {theme.id: theme.size for theme in vote[0].themes}
    else:
        themes = [{"id": t.id, "label": scrub(t.label), "dots": None} for t in board.themes]
        sizes = {theme.id: theme.size for theme in board.themes}
    for theme in themes:
        theme["size"] = sizes.get(str(theme["id"]), 0)
    items = _takeaways(takeaways, scrub)
    view = vote_view(vote)
    return {
        "revision": board.revision,
        "shown": board.shown,
        "themes": themes,
        "takeaways": [t for t in items if t["kind"] == TakeawayKind.TAKEAWAY.value],
        "calls_to_action": [t for t in items if t["kind"] == TakeawayKind.CALL_TO_ACTION.value],
        "vote": None if view is None else {k: view[k] for k in ("open", "dots", "ballots")},
    }


def ballot_view(
    vote: Vote | None, mine: Sequence[str] | None, scrub: Callable[[str], str]
) -> dict[str, Any] | None:
    """A participant's ballot while a vote is open: the themes, the rules, their dots."""
    if vote is None or not vote.is_open:
        return None
    counts: Mapping[str, int] = {t: list(mine or ()).count(t) for t in set(mine or ())}
    cap = vote.dots if vote.per_theme is None else min(vote.per_theme, vote.dots)
    return {
        "id": vote.id,
        "dots": vote.dots,
        "per_theme": cap,
        "cast": mine is not None,
        "mine": list(mine or ()),
        "themes": [
            {"id": t.id, "label": scrub(t.label), "mine": counts.get(t.id, 0)} for t in vote.themes
        ],
    }
