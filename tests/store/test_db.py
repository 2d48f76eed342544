from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from pollinate.errors import InputError
from pollinate.store import db as store_db
from pollinate.store import repositories
from pollinate.store.db import (
    SQLITE_BUSY_TIMEOUT_MS,
    checkpoint,
    create_engine_for,
    current_revision,
    database_unavailable,
    database_url,
    head_revision,
    migrations_folder,
    session_factory,
    upgrade,
)
from tests.conftest import PostgresServer

# Commits a note, says so, then dies by SIGKILL before any clean shutdown: no engine
# dispose, no WAL checkpoint, connection still open.
KILLED_WRITER = """
import os, signal, sys
from datetime import UTC, datetime
from pollinate.core.notes import take_note
from pollinate.store import repositories
from pollinate.store.db import create_engine_for, session_factory

now = datetime.now(UTC)
with session_factory(create_engine_for(sys.argv[1])).begin() as s:
    session_id = repositories.create_session(s, title="Café", spec={}, now=now)
    note = take_note("n1", round=1, table="Table 1", text="Trust is local.", taken_at=now)
    repositories.add_note(s, session_id, note, now=now)
print(session_id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def sqlite_pragma(url: str, name: str) -> object:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_full_sync_foreign_keys_and_busy_timeout(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert sqlite_pragma(url, "journal_mode") == "wal"
    assert sqlite_pragma(url, "synchronous") == 2  # FULL
    assert sqlite_pragma(url, "foreign_keys") == 1
    assert sqlite_pragma(url, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS


def test_postgres_urls_of_every_spelling_use_psycopg():
    for url in ("postgres://u@h/d", "postgresql://u@h/d", "postgresql+psycopg://u@h/d"):
        assert database_url(url).drivername == "postgresql+psycopg"


@pytest.mark.parametrize("url", ["mysql://u@h/d", "not a url", "sqlite+aiosqlite:///x.db"])
def test_unsupported_database_urls_are_input_errors_naming_the_setting(url: str):
    with pytest.raises(InputError) as caught:
        database_url(url)
    assert caught.value.field == "POLLINATE_DB_URL"
    assert "sqlite:///" in caught.value.advice


def newest_revision_file() -> str:
    """The revision id of the highest-numbered file in versions/ (ids are file prefixes)."""
    files = sorted((migrations_folder() / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return files[-1].name.split("_", 1)[0]


def test_migrations_ship_inside_the_package():
    folder = migrations_folder()
    assert (folder / "env.py").is_file()
    assert (folder / "script.py.mako").is_file()
    assert head_revision() == newest_revision_file()


def test_upgrade_works_from_any_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    report = upgrade("sqlite:///relative.db")
    assert (report.before, report.after, report.changed) == (None, newest_revision_file(), True)
    assert (tmp_path / "relative.db").is_file()


def test_upgrading_an_up_to_date_database_changes_nothing(tmp_path: Path):
    engine = create_engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    upgrade(engine)
    again = upgrade(engine)
    head = newest_revision_file()
    assert (again.before, again.after, again.changed) == (head, head, False)
    assert current_revision(engine) == head
    engine.dispose()


def test_sqlite_enforces_foreign_keys(tmp_path: Path):
    engine = create_engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    upgrade(engine)
    with engine.connect() as connection, pytest.raises(Exception, match="FOREIGN KEY"):
        connection.execute(
            text("INSERT INTO plans (session_id, plan_json, version) VALUES ('nope', '{}', 1)")
        )
    engine.dispose()


@pytest.mark.slow
def test_note_committed_on_sqlite_survives_the_process_being_killed(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    upgrade(url)
    writer = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, url], capture_output=True, text=True, timeout=60
    )
    assert writer.returncode == -signal.SIGKILL, writer.stderr
    session_id = writer.stdout.strip()
    engine = create_engine_for(url)
    with session_factory(engine)() as s:
        notes = repositories.list_notes(s, session_id)
    engine.dispose()
    assert [note.text for note in notes] == ["Trust is local."]


def _write_pages(engine: Engine, pages: int) -> None:
    """Commit about `pages` 4 KB pages of scratch rows, a page per commit."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS scratch (blob BLOB)")
    for _ in range(pages):
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO scratch VALUES (randomblob(3500))")


def test_commits_leave_the_wal_to_background_checkpoints(tmp_path: Path):
    """With SQLite's default a commit checkpoints once the WAL passes 1,000 pages; the
    web app's engine leaves that to `checkpoint`, which then copies everything."""
    default = create_engine_for(f"sqlite:///{tmp_path / 'default.db'}")
    background = create_engine_for(
        f"sqlite:///{tmp_path / 'background.db'}", checkpoint_in_background=True
    )
    for engine in (default, background):
        _write_pages(engine, 1500)
    with background.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    waiting_by_default = checkpoint(default)
    waiting_in_background = checkpoint(background)
    assert waiting_by_default is not None
    assert waiting_in_background is not None
    assert waiting_by_default[1] < 1100  # a commit checkpointed and the WAL started over
    busy, frames, copied = waiting_in_background
    assert (busy, frames > 1500, copied) == (0, True, frames)
    for engine in (default, background):
        engine.dispose()


def test_checkpoint_is_for_sqlite_only():
    engine = create_engine_for("postgresql://nobody@127.0.0.1:1/none")
    assert checkpoint(engine) is None


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _terminate(database_url: str, pid: int) -> None:
    other = create_engine_for(database_url)
    with other.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
    other.dispose()


@pytest.mark.postgres
def test_an_idle_postgres_connection_is_pinged_and_replaced_when_dead(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
):
    url = postgres_server.create_database()
    engine = create_engine_for(url)
    first = _backend_pid(engine)
    _terminate(url, first)
    monkeypatch.setattr(store_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout is idle
    assert _backend_pid(engine) != first  # no error: the dead one was found and replaced
    engine.dispose()


@pytest.mark.postgres
def test_a_postgres_connection_in_steady_use_is_not_pinged(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
):
    """No round trip before each transaction; a connection that died in use fails its
    one transaction as an outage (503), and the next gets a fresh connection."""
    url = postgres_server.create_database()
    engine = create_engine_for(url)
    monkeypatch.setattr(store_db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    pings: list[object] = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection))
    first = _backend_pid(engine)
    _backend_pid(engine)
    assert pings == []
    _terminate(url, first)
    with pytest.raises(DBAPIError) as failed:
        _backend_pid(engine)
    assert database_unavailable(failed.value)
    assert _backend_pid(engine) != first
    engine.dispose()
