"""The `pollinate` command line: one small function per command, calling actions/ or core/.

Errors a user can cause (`InputError`, `InfeasibleError`) are printed as one sentence on
standard error with a non-zero exit status, never as a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from pollinate.errors import ExportBlocked, InfeasibleError, InputError, PollinateError

if TYPE_CHECKING:
    from pollinate.actions.live import Store
    from pollinate.actions.planning import PlanOutcome
    from pollinate.actions.sessions import CreatedSession
    from pollinate.config import Settings
    from pollinate.core.planner.model import PlanRequest
    from pollinate.core.roster import Roster
    from pollinate.core.session import SessionSpec

app = typer.Typer(
    name="pollinate",
    help="Plan, run, harvest and report hybrid World Café sessions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
roster_app = typer.Typer(help="Check and generate rosters.", no_args_is_help=True)
app.add_typer(roster_app, name="roster")
session_app = typer.Typer(
    help="Store planned sessions for the live app and hand out their links.",
    no_args_is_help=True,
)
app.add_typer(session_app, name="session")
notes_app = typer.Typer(help="Export a session's notes for further analysis.", no_args_is_help=True)
app.add_typer(notes_app, name="notes")

T = TypeVar("T")

# soft_wrap: never break a printed path or link across lines; people copy them.
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


# ── session files ─────────────────────────────────────────────────────────────────────


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the session file.")] = Path(
        "session.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a commented starter session file, valid as it stands, to edit for your session."""
    from pollinate.io.session_file import write_starter

    written = write_starter(path, force=force)
    out.print(f"Wrote a starter session file to {written}", markup=False, highlight=False)


# ── rosters ───────────────────────────────────────────────────────────────────────────


@roster_app.command("check")
def roster_check(file: Annotated[Path, typer.Argument(help="Roster file (CSV or XLSX).")]) -> None:
    """Show a roster's mix (stakeholders, regions, attendance, hosts, languages) and warnings.

    Exit status 0 even with warnings; 2, with the reason, when the roster cannot be used.
    """
    from pollinate.io.render.roster_summary import roster_summary, warning_lines
    from pollinate.io.roster_file import read_roster

    imported = read_roster(file)
    out.print(roster_summary(imported.roster, source=str(file)))
    out.print(warning_lines(imported.warnings), soft_wrap=True)


@roster_app.command("generate")
def roster_generate(
    n: Annotated[int, typer.Option("--n", "-n", min=1, help="How many people.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File: .xlsx, else CSV.")],
    online: Annotated[float, typer.Option(min=0.0, max=1.0, help="Share of people online.")] = 0.2,
    seed: Annotated[int, typer.Option(help="The same seed gives the same roster.")] = 0,
    hosts: Annotated[
        int | None, typer.Option(min=0, help="Hosts (default: 1 per 8 onsite, 1 per 6 online).")
    ] = None,
) -> None:
    """Write a synthetic roster with the IGF 2022 stakeholder and regional mix, for demos."""
    from pollinate.core.synthetic_roster import generate_roster
    from pollinate.io.roster_file import write_roster

    if hosts is not None and hosts > n:
        raise InputError(f"{hosts} hosts for {n} people", field="--hosts", advice="Ask for fewer.")
    roster = generate_roster(n, online_fraction=online, seed=seed, hosts=hosts)
    write_roster(roster, output)
    host_count = sum(1 for p in roster if p.is_host)
    message = f"Wrote {len(roster)} people ({host_count} hosts) to {output}"
    out.print(message, markup=False, highlight=False, soft_wrap=True)  # a path must not break


# ── planning ──────────────────────────────────────────────────────────────────────────


def _pairs(values: list[str] | None, flag: str) -> frozenset[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for value in values or []:
        ids = [part.strip() for part in value.split(",")]
        if len(ids) != 2 or not all(ids) or ids[0] == ids[1]:
            raise InputError(
                f"{value!r} is not a pair of two different ids",
                field=flag,
                advice=f"Write {flag} ID1,ID2 (repeat the flag for more pairs).",
            )
        pairs.add((ids[0], ids[1]))
    return frozenset(pairs)


@app.command()
def plan(
    roster: Annotated[Path, typer.Argument(help="Roster file (CSV or XLSX).")],
    session: Annotated[
        Path | None, typer.Option("--session", "-s", help="Session file (YAML).")
    ] = None,
    rounds: Annotated[int | None, typer.Option(help="Rounds (default: the session's).")] = None,
    tables: Annotated[int | None, typer.Option(help="Onsite tables (overrides the file).")] = None,
    capacity: Annotated[int | None, typer.Option(help="Seats per onsite table.")] = None,
    online_rooms: Annotated[int | None, typer.Option(help="Online breakout rooms.")] = None,
    online_capacity: Annotated[int | None, typer.Option(help="Seats per online room.")] = None,
    auto_hosts: Annotated[
        bool, typer.Option("--auto-hosts/--no-auto-hosts", help="Pick hosts where none is set.")
    ] = True,
    keep_apart: Annotated[
        list[str] | None, typer.Option(help="ID1,ID2: never at the same table (repeatable).")
    ] = None,
    keep_together: Annotated[
        list[str] | None, typer.Option(help="ID1,ID2: always at the same table (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same plan.")] = 0,
    time_limit: Annotated[float, typer.Option(help="Cap on search time in seconds.")] = 30.0,
    join_url: Annotated[
        str | None, typer.Option(help="Join URL for table-card QR codes (else the file's).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write every output here.")
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also write PDF slips and cards (slower).")
    ] = True,
) -> None:
    """Seat everyone for every round and print the plan's metrics beside their bounds."""
    # Imported here so that light commands (init, roster check) start fast without the
    # planner, numpy and the PDF renderer.
    from pollinate.actions.planning import SeatingFlags, build_request
    from pollinate.io.roster_file import read_roster
    from pollinate.io.session_file import load_session

    spec = load_session(session) if session is not None else None
    imported = read_roster(roster)
    _print_problems(imported.warnings)
    flags = SeatingFlags(
        rounds=rounds,
        tables=tables,
        capacity=capacity,
        online_rooms=online_rooms,
        online_capacity=online_capacity,
        auto_hosts=auto_hosts,
        seed=seed,
        time_limit=time_limit,
        keep_apart=_pairs(keep_apart, "--keep-apart"),
        keep_together=_pairs(keep_together, "--keep-together"),
    )
    request = build_request(imported.roster, spec, flags)
    outcome = _plan_with_progress(request)
    _print_metrics(outcome)
    if out is not None:
        _write_outputs(out, spec, imported.roster, outcome, join_url, pdf=pdf)


@app.command()
def replan(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `pollinate plan --out`.")],
    after_round: Annotated[int, typer.Option(help="Keep rounds 1..K exactly as they are.")],
    arrive: Annotated[
        Path | None, typer.Option(help="Roster file with the people who arrived.")
    ] = None,
    leave: Annotated[
        str | None, typer.Option(help="Comma-separated ids of people who left.")
    ] = None,
    session: Annotated[
        Path | None, typer.Option("--session", "-s", help="Session file, for questions on cards.")
    ] = None,
    join_url: Annotated[str | None, typer.Option(help="Join URL for table-card QR codes.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write (default: PLAN_DIR).")
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also write PDF slips and cards (slower).")
    ] = True,
) -> None:
    """Seat late arrivals and drop leavers for the rounds after K, moving as few as possible."""
    from pollinate.actions.planning import moved_people, replan_session
    from pollinate.core.roster import Participant, Roster
    from pollinate.io.plan_file import read_plan
    from pollinate.io.plan_request import read_request
    from pollinate.io.roster_file import read_roster
    from pollinate.io.session_file import load_session

    before = read_plan(plan_dir / "plan.json")
    roster_import = read_roster(plan_dir / "roster.csv")
    request = read_request(
        plan_dir / "request.json",
        participants=roster_import.roster.participants,
        places=before.places,
    )
    arrivals: tuple[Participant, ...] = ()
    if arrive is not None:
        arrived = read_roster(arrive)
        _print_problems(arrived.warnings)
        arrivals = arrived.roster.participants
    leavers = [part.strip() for part in (leave or "").split(",") if part.strip()]
    outcome = replan_session(
        request, before, after_round=after_round, arrivals=arrivals, leavers=leavers
    )
    moves = moved_people(before, outcome.plan, after_round)
    err.print(
        f"Re-planned after round {after_round}: {len(arrivals)} arrived, {len(leavers)} left, "
        f"{moves} planned seats changed."
    )
    _print_metrics(outcome)
    target = out or plan_dir
    if target == plan_dir:
        # Keep the previous plan so a mistaken replan can be undone by renaming one file.
        (plan_dir / "plan.previous.json").write_bytes((plan_dir / "plan.json").read_bytes())
        err.print(f"Previous plan kept as {plan_dir / 'plan.previous.json'}")
    roster_all = Roster(roster_import.roster.participants + arrivals)
    spec = load_session(session) if session is not None else None
    _write_outputs(target, spec, roster_all, outcome, join_url, pdf=pdf)


# ── the live app ──────────────────────────────────────────────────────────────────────

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL: sqlite:///file.db or postgresql://user@host/db "
        "[default: POLLINATE_DB_URL, else sqlite:///pollinate.db].",
    ),
]
HostOption = Annotated[
    str | None,
    typer.Option(
        help="Address to listen on [default: POLLINATE_HOST, else 127.0.0.1]; 0.0.0.0 "
        "serves the network and then needs POLLINATE_SECRET_KEY."
    ),
]
PortOption = Annotated[
    int | None,
    typer.Option(min=1, max=65535, help="Port [default: POLLINATE_PORT, else 8000]."),
]


def _settings(**overrides: object) -> Settings:
    from pollinate.config import Settings

    # Flags given win; the rest comes from POLLINATE_* variables or the defaults.
    given: dict[str, Any] = {name: value for name, value in overrides.items() if value is not None}
    return Settings(**given)


def _organizer_link(settings: Settings) -> str:
    from pollinate.web.auth import organizer_token

    return f"{settings.public_base_url}/l/{organizer_token(settings.secret())}"


WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        max=64,
        help="Server processes sharing the port. More than one needs a shared --bus "
        "(Redis) and is best on PostgreSQL; about one per CPU core.",
    ),
]
BusOption = Annotated[
    str | None,
    typer.Option(
        "--bus",
        help="Live event bus: memory:// (one process) or redis://host:6379/0 (several workers) "
        "[default: POLLINATE_BUS_URL, else memory://].",
    ),
]


@app.command()
def serve(
    db: DbOption = None,
    host: HostOption = None,
    port: PortOption = None,
    bus: BusOption = None,
    workers: WorkersOption = 1,
) -> None:
    """Run the live web app: facilitator console, projector, phones, hosts and rooms.

    Applies database migrations first (one line says so), prints the organizer's link on
    standard error, logs to standard error, and stops cleanly on Ctrl-C or SIGTERM.
    """
    from pollinate.web.server import check_workers, migrate, run

    settings = _settings(db_url=db, host=host, port=port, bus_url=bus)
    settings.check_secret()
    check_workers(settings, workers)
    migrate(settings, err.print)
    err.print(f"Organizer: {_organizer_link(settings)}", markup=False, highlight=False)
    processes = f" with {workers} workers" if workers > 1 else ""
    err.print(f"Serving on {settings.public_base_url}{processes} (Ctrl-C stops)", markup=False)
    run(settings, workers=workers)


def _store_live_session(
    settings: Settings, spec: SessionSpec, roster: Roster, outcome: PlanOutcome
) -> CreatedSession:
    from datetime import UTC, datetime

    from pollinate.actions.sessions import create_live_session
    from pollinate.store.db import create_engine_for, session_factory

    engine = create_engine_for(settings.db_url)
    try:
        store = session_factory(engine)
        now = datetime.now(UTC)
        return create_live_session(store, spec, roster, outcome.plan, outcome.metrics, now=now)
    finally:
        engine.dispose()


def _hand_out_links(
    settings: Settings, created: CreatedSession, sheet: Path, document_path: Path | None
) -> None:
    """Write the link sheet (and the links document); print the document on stdout."""
    import json

    from pollinate.actions.sessions import links_document
    from pollinate.io.link_sheet import write_link_sheet, write_links_json

    document = links_document(created, settings.public_base_url)
    if document_path is not None:
        write_links_json(document_path, document)
        err.print(f"Wrote the role links to {document_path}", markup=False)
    rows = write_link_sheet(sheet, created, settings.public_base_url)
    err.print(
        f"Wrote {rows} personal links to {sheet} for a mail merge; keep it private, "
        "as each link opens that person's page.",
        markup=False,
    )
    err.print(f"Join code for walk-ins: {created.join_code}", markup=False)
    err.print(f"Organizer: {_organizer_link(settings)}", markup=False, highlight=False)
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    sys.stdout.flush()


@session_app.command("create")
def session_create(
    session_file: Annotated[Path, typer.Argument(help="Session file (YAML).")],
    roster: Annotated[Path, typer.Argument(help="Roster file (CSV or XLSX).")],
    db: DbOption = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Address people reach the server at, for the links "
            "[default: POLLINATE_BASE_URL, else http://127.0.0.1:8000]."
        ),
    ] = None,
    links_csv: Annotated[
        Path | None,
        typer.Option(
            help="Where to write everyone's personal link [default: "
            "links-SESSION_ID.csv in the working folder]."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same plan.")] = 0,
    time_limit: Annotated[float, typer.Option(help="Cap on search time in seconds.")] = 30.0,
) -> None:
    """Plan a session and store it for the live app, with a link for every role and person.

    Prints {"base_url", "session_id", "links": {role: url}, "tokens": {role: token}} on
    standard output (one link per role: facilitator, projector, rapporteur,
    online_moderator, host, participant, online_participant) and writes every host's and
    participant's personal link to a CSV for a mail merge. Links are shown only now:
    pollinate stores their fingerprints, and the organizer page can reissue any of them.
    """
    from pollinate.actions.planning import SeatingFlags, build_request
    from pollinate.io.roster_file import read_roster
    from pollinate.io.session_file import load_session
    from pollinate.web.server import migrate

    settings = _settings(db_url=db, base_url=base_url)
    spec = load_session(session_file)
    imported = read_roster(roster)
    _print_problems(imported.warnings)
    migrate(settings, err.print)
    request = build_request(imported.roster, spec, SeatingFlags(seed=seed, time_limit=time_limit))
    outcome = _plan_with_progress(request)
    _print_metrics(outcome)
    created = _store_live_session(settings, spec, imported.roster, outcome)
    sheet = links_csv or Path(f"links-{created.session_id}.csv")
    _hand_out_links(settings, created, sheet, None)


# ── the harvest and the report ──────────────────────────────────────────────────────

ReportFormatOption = Annotated[
    Literal["md", "html", "pdf", "docx"],
    typer.Option("--format", "-f", help="md, html, pdf or docx; pdf and docx need -o."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
]


@app.command()
def report(
    session_id: Annotated[str, typer.Argument(help="The session's id (from `session create`).")],
    format: ReportFormatOption = "md",
    db: DbOption = None,
    output: OutputOption = None,
) -> None:
    """Write the session report: key takeaways and calls to action, then the discussion,
    the agenda as run, votes, next steps and participation figures (counts only).

    Every report passes the leak check first; exit status 2, naming the places, when
    it still names someone on the roster (the names show on this terminal only).
    """
    from pollinate.actions.report import ReportFormat, export_report

    if output is None and format in ("pdf", "docx"):
        raise InputError(f"a {format} report needs a file", field="--output", advice="Add -o FILE.")
    exported = _from_store(db, lambda store: export_report(store, session_id, ReportFormat(format)))
    _deliver(exported.content, output)


@notes_app.command("export")
def notes_export(
    session_id: Annotated[str, typer.Argument(help="The session's id (from `session create`).")],
    db: DbOption = None,
    format: Annotated[
        Literal["json", "csv"], typer.Option("--format", "-f", help="json, or csv (Excel-safe).")
    ] = "json",
    output: OutputOption = None,
) -> None:
    """Export every note of a session, redacted and leak-checked, as
    [{"id", "round", "table", "text", "created_at"}] in JSON or CSV."""
    from pollinate.actions.note_exports import NotesFormat, note_records, notes_file

    def work(store: Store) -> str:
        with store.begin() as session:
            records, roster = note_records(session, session_id)
        return notes_file(records, roster, NotesFormat(format))

    _deliver(_from_store(db, work).encode("utf-8"), output)


def _from_store(db: str | None, work: Callable[[Store], T]) -> T:
    """Run `work` against the database, printing any leaked words on this terminal only."""
    from pollinate.store.db import create_engine_for, session_factory

    engine = create_engine_for(_settings(db_url=db).db_url)
    try:
        return work(session_factory(engine))
    except ExportBlocked as blocked:
        # Whoever runs this holds the database and so the roster; the web never shows these.
        for place, words in zip(blocked.places, blocked.leaked, strict=True):
            err.print(f"[red]leak:[/red] {escape(place)}: {escape(words)!r}", highlight=False)
        raise
    finally:
        engine.dispose()


def _deliver(content: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(content.decode("utf-8"))
        sys.stdout.flush()
        return
    output.write_bytes(content)
    err.print(f"Wrote {output}", markup=False, highlight=False)


@app.command()
def demo(
    host: HostOption = None,
    port: PortOption = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo's outputs.")] = Path(
        "demo-output"
    ),
    people: Annotated[int, typer.Option(help="How many people to generate.")] = 60,
    online: Annotated[float, typer.Option(help="Fraction of them online.")] = 0.25,
    seed: Annotated[int, typer.Option(help="Seed for the roster and the planner.")] = 7,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL [default: sqlite:///OUT/demo.db]."),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also write PDF slips and cards (slower).")
    ] = True,
) -> None:
    """Run the example IGF World Café live, with a generated roster already planned.

    Writes the plan's outputs to OUT, stores the session (a SQLite file in OUT), writes
    demo-links.json (one link per role) and demo-links.csv (everyone's personal link)
    in the working folder, prints the same JSON on standard output, then serves it
    until Ctrl-C. Open the facilitator link in one window and a participant's in another.
    """
    from pollinate.actions.organizing import example_session_path as packaged_example
    from pollinate.actions.planning import SeatingFlags, build_request
    from pollinate.core.synthetic_roster import generate_roster
    from pollinate.io.roster_file import write_roster_csv
    from pollinate.io.session_file import load_session
    from pollinate.web.server import migrate, run

    out.mkdir(parents=True, exist_ok=True)
    settings = _settings(db_url=db or f"sqlite:///{out / 'demo.db'}", host=host, port=port)
    settings.check_secret()
    spec = load_session(packaged_example())
    roster = generate_roster(people, online_fraction=online, seed=seed)
    write_roster_csv(roster, out / "generated-roster.csv")
    err.print(f"Generated {len(roster)} people into {out / 'generated-roster.csv'}")
    request = build_request(roster, spec, SeatingFlags(seed=seed, time_limit=DEMO_PLAN_SECONDS))
    outcome = _plan_with_progress(request)
    _print_metrics(outcome)
    _write_outputs(out, spec, roster, outcome, spec.join_url, pdf=pdf)
    migrate(settings, err.print)
    created = _store_live_session(settings, spec, roster, outcome)
    _hand_out_links(settings, created, Path("demo-links.csv"), Path("demo-links.json"))
    err.print(f"Serving on {settings.public_base_url} (Ctrl-C stops)", markup=False)
    run(settings)


DEMO_PLAN_SECONDS = 10.0  # the demo starts within seconds; the plan is good long before


def example_session_path() -> Path:
    """The packaged example session (the IGF World Café of the seed proposal)."""
    return Path(str(resources.files("pollinate") / "examples" / "igf-world-cafe.yaml"))


def _plan_with_progress(request: PlanRequest) -> PlanOutcome:
    from pollinate.actions.planning import plan_session

    with Progress(
        TextColumn("Planning seats"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("plan", total=1.0)
        return plan_session(request, progress=lambda done: bar.update(task, completed=done))


def _print_metrics(outcome: PlanOutcome) -> None:
    m = outcome.metrics
    table = RichTable(title=f"Plan: {m.participants} people, {m.rounds} rounds")
    table.add_column("Metric")
    table.add_column("Plan", justify="right")
    table.add_column("Bound", justify="right")
    table.add_row(
        "Repeated pairings (fewer is better)",
        str(m.repeated_pairs),
        str(m.repeated_pairs_lower_bound),
    )
    table.add_row("Diversity score (1 meets the bound)", f"{m.diversity_score:.3f}", "1.000")
    table.add_row("Distinct groups, summed", str(m.distinct_groups), str(m.distinct_groups_bound))
    table.add_row(
        "Distinct regions, summed", str(m.distinct_regions), str(m.distinct_regions_bound)
    )
    table.add_row("Largest table-size spread", str(m.size_spread), "1")
    table.add_row("Seconds", f"{outcome.seconds:.2f}", "")
    err.print(table)


def _write_outputs(
    out: Path,
    spec: SessionSpec | None,
    roster: Roster,
    outcome: PlanOutcome,
    join_url: str | None,
    *,
    pdf: bool = True,
) -> None:
    from pollinate.io.exports import write_plan_outputs
    from pollinate.io.plan_request import write_request
    from pollinate.io.roster_file import write_roster_csv

    out.mkdir(parents=True, exist_ok=True)
    written = write_plan_outputs(
        out,
        spec=spec,
        roster=roster,
        plan=outcome.plan,
        metrics=outcome.metrics,
        seconds=outcome.seconds,
        join_url=join_url or (spec.join_url if spec else None),
        pdf=pdf,
    )
    write_roster_csv(roster, out / "roster.csv")
    write_request(outcome.request, out / "request.json")
    listing = RichTable(title=f"Written to {out}", show_header=False)
    for path, description in written.files:
        listing.add_row(str(path), description)
    listing.add_row(str(out / "roster.csv"), "the roster the plan was made from (organisers only)")
    listing.add_row(str(out / "request.json"), "planner settings, for `pollinate replan`")
    err.print(listing)
    for warning in written.warnings:
        _warn(str(warning))


def _print_problems(problems: Sequence[object]) -> None:
    for problem in problems:
        _warn(str(problem))


def _warn(text: str) -> None:
    # Room and person names may contain [brackets]; escape them so Rich prints them as typed.
    err.print(f"[yellow]warning:[/yellow] {escape(text)}", highlight=False)


def main() -> None:
    """Entry point of the console script: run the app, turn our errors into one sentence."""
    try:
        app()
    except InputError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        sys.exit(2)
    except InfeasibleError as error:
        err.print(f"[red]infeasible:[/red] {escape(str(error))}", highlight=False)
        sys.exit(3)
    except PollinateError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        sys.exit(1)
