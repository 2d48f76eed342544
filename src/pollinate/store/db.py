"""Engines, sessions and schema upgrades for SQLite and PostgreSQL.

Nothing here runs at import time: an entry point builds `Settings`, then calls
`create_engine_for(settings.db_url)`, `upgrade(engine)` and `session_factory(engine)`.

SQLite durability. Every connection runs in WAL mode with `synchronous=FULL`, so a commit
returns only after its WAL frames reach the disk: once the server answers 2xx to a note,
the note survives a killed process and a power cut alike. `synchronous=NORMAL` would
survive a killed process too, since committed frames sit in the OS page cache, but may
lose the last commits on power loss (https://www.sqlite.org/pragma.html#pragma_synchronous,
https://www.sqlite.org/wal.html "Performance Considerations"). A café writes a few notes a
second at most; `bench/bench_sqlite_sync.py` measures what FULL costs per commit
(docs/operations.md quotes the figures), and `tests/store/test_db.py` kills a process right
after its commit and finds the note.

Outages. `database_unavailable(error)` tells a passing outage (PostgreSQL restarting, failing
over, refusing or timing out connections; SQLite locked past its busy timeout) from a bug:
the web answers the first with 503 and Retry-After, the second stays a 500. A PostgreSQL
connection attempt gives up after `PG_CONNECT_TIMEOUT_SECONDS`, so a server that is
unreachable rather than refusing cannot hold a request for the minutes TCP would wait.

SQLite checkpoints. A WAL grows until a checkpoint copies its pages back into the database
file and syncs that. By default SQLite does so inside whichever commit takes the WAL past
1,000 pages, and that commit waits: under a plenary's burst of notes, those commits took
50-260 ms instead of 1-2 (bench/live.py, timed around the commit). The web app's engine
(`checkpoint_in_background=True`) turns that off and calls `checkpoint` every second from
a task of its own (web/app.py), so no answer waits for one; other engines (the CLI, tests)
keep SQLite's default. Durability does not depend on checkpoints: a commit is durable once
its WAL frames are synced.

SQLite transactions. The sqlite3 module begins a transaction at its first write, so reads
before it see the latest committed data, much like PostgreSQL's default READ COMMITTED.
Writes that depend on what was read therefore compare and set in one statement
(`outbox.append`, `repositories.save_run_state`), which is correct on both databases.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
import weakref
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from pollinate.errors import InputError

if TYPE_CHECKING:
    from alembic.config import Config

# psycopg (about 9 MB) is loaded by SQLAlchemy with the first PostgreSQL engine, so a
# server on SQLite and its clustering helper never carry it.
# Alembic is imported where it is used: a server's workers never migrate (`serve` does,
# once, before it starts them), and it is the largest import they would otherwise carry
# (~40 MB of a worker's memory, bench/live.py).

# libpq waits for ever by default, and TCP gives up on an unanswered connect only after
# about two minutes (Linux tcp_syn_retries=6); a refused connect fails at once anyway.
# 5 s covers a slow handshake across a data centre many times over. A connect_timeout in
# the URL's query string takes precedence.
PG_CONNECT_TIMEOUT_SECONDS = 5

# How long a SQLite writer waits for another writer's lock before giving up. Writes here
# are single-row and take well under a millisecond; 10 s only matters under a stall.
SQLITE_BUSY_TIMEOUT_MS = 10_000

URL_ADVICE = (
    "Use sqlite:///path/to/pollinate.db for a file, or "
    "postgresql://user@host:5432/dbname for PostgreSQL."
)


@dataclass(frozen=True, slots=True)
class SchemaUpgrade:
    """The schema revision before and after `upgrade`; equal when nothing was pending."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def database_url(url: str) -> URL:
    """Parse and normalise a database URL; PostgreSQL always goes through psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise InputError(
            f"{url!r} is not a database URL", field="POLLINATE_DB_URL", advice=URL_ADVICE
        ) from error
    backend = parsed.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.get_driver_name() in {"", "pysqlite"}:
        return parsed
    raise InputError(
        f"pollinate does not support the database {parsed.drivername!r}",
        field="POLLINATE_DB_URL",
        advice=URL_ADVICE,
    )


def create_engine_for(url: str, *, checkpoint_in_background: bool = False) -> Engine:
    """An engine for `url`, with SQLite tuned for durable concurrent use (see module doc);
    with `checkpoint_in_background`, its commits never checkpoint the WAL, and the caller
    must call `checkpoint` regularly."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "postgresql":
        connect_args = {}
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_SECONDS
        engine = create_engine(parsed, connect_args=connect_args)
        event.listen(engine, "connect", _mark_returned)
        event.listen(engine, "checkin", _mark_returned)
        event.listen(engine, "checkout", partial(_ping_if_idle, engine))
        return engine
    # check_same_thread off: the pool hands a connection to one thread at a time, and
    # FastAPI runs sync handlers on a thread pool.
    engine = create_engine(parsed, connect_args={"check_same_thread": False})
    tune = partial(_tune_sqlite, checkpoint_on_commit=not checkpoint_in_background)
    event.listen(engine, "connect", tune)
    return engine


# A pooled PostgreSQL connection that sat unused this long is pinged before it is handed
# out: a worker that outlives a database restart then reconnects instead of failing its
# first request on a closed connection. SQLAlchemy's `pool_pre_ping` pings at every
# checkout, a round trip per transaction; a busy worker reuses its connections within
# milliseconds, and under 200 notes a second those pings were about one round trip in
# five. A connection that dies while in steady use fails its transaction, which answers
# 503 (`database_unavailable`), and SQLAlchemy then replaces every pooled connection.
PING_AFTER_IDLE_SECONDS = 1.0


def _mark_returned(_dbapi_connection: Any, record: Any) -> None:
    record.info["returned"] = time.monotonic()


def _ping_if_idle(engine: Engine, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """SQLAlchemy's "pessimistic disconnect handling", only after `PING_AFTER_IDLE_SECONDS`:
    a dead connection raises `DisconnectionError`, and the pool connects afresh."""
    if time.monotonic() - record.info.get("returned", 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    import psycopg  # loaded already: this is a PostgreSQL engine

    try:
        engine.dialect.do_ping(dbapi_connection)
    except psycopg.OperationalError as error:  # the connection is closed or broken
        raise DisconnectionError(str(error)) from error


def checkpoint(engine: Engine) -> tuple[int, int, int] | None:
    """Copy what it can of a SQLite WAL into the database, without waiting for readers or
    writers (PASSIVE); SQLite's (busy, WAL frames, frames checkpointed). None elsewhere."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as connection:
        row = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return int(row[0]), int(row[1]), int(row[2])


def database_unavailable(error: BaseException) -> bool:
    """True when `error` means the database cannot be reached or used just now, so the
    same request may well succeed in a few seconds; False for anything else (a bug).

    PostgreSQL: psycopg's OperationalError covers refused and timed-out connections and
    the server shutting down, starting up ("the database system is starting up") or out
    of connection slots; SQLAlchemy also flags any error it recognised as a dropped
    connection (`connection_invalidated`). A pool with no free connection within its
    timeout is the same condition. SQLite: only "database is locked" (another writer
    held the lock past `SQLITE_BUSY_TIMEOUT_MS`); its other OperationalErrors, such as
    "no such table", are bugs or a missed migration and must not look transient.
    """
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    cause = error.orig
    # psycopg is loaded by the first PostgreSQL engine; without one, no error is its.
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(cause, psycopg.OperationalError):
        return True
    return isinstance(cause, sqlite3.OperationalError) and cause.sqlite_errorcode in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def writer_turn(store: sessionmaker[Session]) -> AbstractContextManager[object]:
    """Queue this process's SQLite writers; on PostgreSQL, nothing to do.

    SQLite lets one transaction write at a time, and a writer that finds the lock taken
    sleeps in growing steps of up to 100 ms before it tries again (its busy handler), so
    forty threads writing notes at once spent most of their time asleep with the lock
    free: 117 notes a second where one writer at a time manages more (bench/live.py).
    Waiting here instead hands the turn on the moment the last writer commits. Other
    processes on the same file still meet the busy timeout, as before.
    """
    engine = store.kw.get("bind")
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return nullcontext()
    with _WRITERS_LOCK:
        lock = _WRITERS.setdefault(engine, threading.Lock())
    return lock


def _tune_sqlite(dbapi_connection: Any, _record: Any, *, checkpoint_on_commit: bool) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the one writer
        cursor.execute("PRAGMA synchronous=FULL")  # see the module docstring
        cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not checkpoint_on_commit:  # see the module docstring, "SQLite checkpoints"
            cursor.execute("PRAGMA wal_autocheckpoint=0")
    finally:
        cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def migrations_folder() -> Path:
    """The Alembic scripts shipped inside the package, wherever it is installed."""
    # pollinate is installed as files, never zipped, so the traversable is a real folder.
    return Path(str(resources.files("pollinate.store") / "migrations"))


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration that needs no `alembic.ini` and works from any folder."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    if url is not None:
        # ConfigParser treats % as interpolation; a password may contain one.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest revision the shipped migrations know."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(target: Engine | str) -> SchemaUpgrade:
    """Bring the database to the newest schema (`alembic upgrade head`), in one transaction."""
    from alembic import command

    engine = target if isinstance(target, Engine) else create_engine_for(target)
    try:
        before = current_revision(engine)
        with engine.begin() as connection:
            config = alembic_config()
            # env.py runs on this connection, so the engine's pragmas apply to migrations too.
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return SchemaUpgrade(before=before, after=current_revision(engine))
    finally:
        if engine is not target:
            engine.dispose()
