"""The session report: load everything for a session, redact, check, render.

    store ─▶ spec · roster + presence · agenda moments · notes · (board: takeaways, votes)
        ─▶ scrub every typed text (Redactor) ─▶ core.report.build_report ─▶ Report
        ─▶ report_leaks (text by text)         any leak ─▶ ExportBlocked, nothing written
        ─▶ render md | html | pdf | docx ─▶ rendered_leaks (the file's whole text) ─▶ bytes

`pollinate report` and the rapporteur page's downloads both come through `export_report`,
so a report is checked the same way wherever it is made.

Texts are redacted again here although notes are redacted before they are stored: the
roster may have grown since (walk-ins), and the issue asks for redaction before every
export. The leak check that follows is independent of the redactor (core/leaks.py), so a
name the redactor misses still blocks the export.

The agenda as run comes from the moments the agenda action keeps beside its
`block.started` and `session.finished` events (store/agenda_log.py): the outbox is
pruned after `outbox_retention_hours`, and a report is often written the day after.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from pollinate.actions import voting
from pollinate.actions.live import Store, load_live
from pollinate.actions.redaction import role_people
from pollinate.core.export_check import refuse_leaks, rendered_leaks, report_leaks
from pollinate.core.harvest import votes as votes_core
from pollinate.core.harvest.takeaways import Takeaway, TakeawayKind
from pollinate.core.harvest.theme import Theme
from pollinate.core.notes import Note
from pollinate.core.redact import Redactor
from pollinate.core.report import (
    AgendaMoment,
    Discussion,
    Report,
    ThemeSummary,
    VoteResult,
    build_report,
    count_participation,
)
from pollinate.core.roster import Roster
from pollinate.core.session import SessionSpec
from pollinate.store import agenda_log, harvest, repositories
from pollinate.store.tables import Presence

Scrub = Callable[[str], str]
"""Turns a typed text into its redacted form."""


class ReportFormat(StrEnum):
    """The file formats a report is exported in; the value is the file extension."""

    MARKDOWN = "md"  # CommonMark with pipe tables, no charts
    HTML = "html"  # one self-contained page with SVG charts
    PDF = "pdf"  # that page printed by WeasyPrint
    DOCX = "docx"  # a Word document with PNG charts


MEDIA_TYPES = {
    ReportFormat.MARKDOWN: "text/markdown; charset=utf-8",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True, slots=True)
class SessionReport:
    """A session's report and the roster it is checked against (never exported)."""

    report: Report
    roster: Roster


@dataclass(frozen=True, slots=True)
class Exported:
    """A file ready to hand out: its bytes, media type and a file name."""

    content: bytes
    media_type: str
    filename: str


def scrubber(roster: Roster, spec: SessionSpec) -> Scrub:
    """The session's redaction: roster people, and role holders named outside their role."""
    redactor = Redactor.from_roster(roster, extra_names=role_people(spec))
    return lambda text: redactor.redact(text).text


def agenda_moments(db: Session, session_id: str) -> list[AgendaMoment]:
    """When each block started and the session finished (store/agenda_log.py)."""
    return agenda_log.moments(db, session_id)


def load_report(db: Session, session_id: str, *, scrub: Scrub | None = None) -> SessionReport:
    """The report of a stored session, texts redacted (with `scrub`, else the roster's
    redactor); `SessionNotFound` for an unknown id. Not yet leak-checked."""
    live = load_live(db, session_id)
    roster = repositories.load_roster(db, session_id)
    scrub = scrub or scrubber(roster, live.spec)
    presence = repositories.presences(db, session_id)
    participation = count_participation(
        roster,
        present=[pid for pid, state in presence.items() if state is Presence.PRESENT],
        absent=[pid for pid, state in presence.items() if state is Presence.ABSENT],
    )
    notes = repositories.list_notes(db, session_id)
    takeaways = rapporteur_takeaways(db, session_id)
    votes = vote_result(db, session_id)
    report = build_report(
        live.spec,
        moments=agenda_moments(db, session_id),
        participation=participation,
        discussions=discussions(live.spec, notes, scrub, saved_board(db, session_id), votes),
        key_takeaways=[scrub(t.text) for t in takeaways if t.kind is TakeawayKind.TAKEAWAY],
        calls_to_action=[scrub(t.text) for t in takeaways if t.kind is TakeawayKind.CALL_TO_ACTION],
        votes=_vote_rows(votes, scrub),
    )
    return SessionReport(report, roster)


def _vote_rows(votes: votes_core.VoteResult | None, scrub: Scrub) -> list[VoteResult]:
    if votes is None:
        return []
    return [VoteResult(scrub(theme.label), theme.dots) for theme in votes.ranking]


# ── seams for the rapporteur's board ─────────────────────────────────────────────────
# The board (issue 4, "Harvest") keeps its themes, takeaways and votes in the browser
# for now. When the store keeps them, these three read them, and the report follows.


def saved_board(db: Session, session_id: str) -> Sequence[Theme] | None:
    """The rapporteur's theme board as last saved (with their merges, splits and names);
    None when no board was ever saved, in which case each question's themes are computed
    afresh (`find_themes`)."""
    board = harvest.load_board(db, session_id)
    return board.themes if board is not None and board.themes else None


def rapporteur_takeaways(db: Session, session_id: str) -> Sequence[Takeaway]:
    """Key takeaways and calls to action as the rapporteur promoted them, board order."""
    return harvest.takeaways(db, session_id)


def vote_result(db: Session, session_id: str) -> votes_core.VoteResult | None:
    """The tally of the latest closed dot vote; None if none was held."""
    return voting.vote_result(db, session_id)


def discussions(
    spec: SessionSpec,
    notes: Sequence[Note],
    scrub: Scrub,
    board: Sequence[Theme] | None = None,
    votes: votes_core.VoteResult | None = None,
) -> list[Discussion]:
    """Each round's question with its note count and themes, largest first, redacted.

    Themes come from the saved board when there is one (a board theme spanning rounds
    is shown under each of them), else from clustering each round's notes on its own:
    the report is read question by question.
    """
    # Imported here: scikit-learn takes a second to import, which the notes export and
    # the live pages that import this module should not pay.
    from pollinate.core.harvest.cluster import find_themes

    texts = {note.id: note.text for note in notes}
    result = []
    for number, block in enumerate(spec.rounds, 1):
        of_round = [note for note in notes if note.round == number]
        themes = (
            [theme for theme in board if number in theme.rounds]
            if board is not None
            else find_themes(of_round)
        )
        result.append(
            Discussion(
                round=number,
                title=block.title,
                question=block.question,
                note_count=len(of_round),
                themes=tuple(_summary(theme, texts, scrub, votes) for theme in themes),
            )
        )
    return result


def _summary(
    theme: Theme, texts: Mapping[str, str], scrub: Scrub, votes: votes_core.VoteResult | None
) -> ThemeSummary:
    voted = votes is not None and any(v.theme_id == theme.id for v in votes.ranking)
    return ThemeSummary(
        label=scrub(theme.label),
        size=theme.size,
        tables=theme.tables,
        rounds=theme.rounds,
        representatives=tuple(scrub(texts[i]) for i in theme.representatives if i in texts),
        votes=votes.dots_for(theme.id) if votes is not None and voted else None,
    )


def checked_report(db: Session, session_id: str, *, scrub: Scrub | None = None) -> SessionReport:
    """`load_report`, then the leak check on each of its texts (`ExportBlocked` on any)."""
    loaded = load_report(db, session_id, scrub=scrub)
    refuse_leaks("report", report_leaks(loaded.report, loaded.roster))
    return loaded


def render_report(loaded: SessionReport, report_format: ReportFormat) -> bytes:
    """The report file, after the leak check on its whole text (`ExportBlocked` on any)."""
    report, roster = loaded.report, loaded.roster
    public = [role.name for role in report.roles]
    what = f"report ({report_format.value})"

    def checked(text: str) -> str:
        refuse_leaks(what, rendered_leaks(text, roster, what=what, public=public))
        return text

    # Renderers are imported here: WeasyPrint, python-docx and matplotlib take a second
    # to import, which the notes export and the live app should not pay.
    match report_format:
        case ReportFormat.MARKDOWN:
            from pollinate.io.render.report_md import render_markdown

            return checked(render_markdown(report)).encode("utf-8")
        case ReportFormat.HTML:
            from pollinate.io.render.report_html import render_html

            return checked(render_html(report)).encode("utf-8")
        case ReportFormat.PDF:
            from pollinate.io.render.report_html import render_html
            from pollinate.io.render.report_pdf import render_pdf

            return render_pdf(checked(render_html(report, paged=True)))
        case ReportFormat.DOCX:
            from pollinate.io.render.report_docx import build_docx, document_text, docx_bytes

            document = build_docx(report)
            checked(document_text(document))
            return docx_bytes(document)


def export_report(
    store: Store, session_id: str, report_format: ReportFormat, *, scrub: Scrub | None = None
) -> Exported:
    """The session's report as a checked file; `ExportBlocked` names any leak's place.

    The database is read in one short transaction; rendering (a PDF takes a second or
    two) happens after it is closed. Call it on a worker thread from async code.
    """
    with store.begin() as db:
        loaded = checked_report(db, session_id, scrub=scrub)
    content = render_report(loaded, report_format)
    name = f"report-{session_id}.{report_format.value}"
    return Exported(content, MEDIA_TYPES[report_format], name)
