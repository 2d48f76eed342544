"""Shared fixtures: real databases and buses, and the gate for services a test needs.

`db` runs a test once on SQLite (a fresh file per test) and once on PostgreSQL (one fresh
database per test run and xdist worker, dropped at the end). Tests on the shared
PostgreSQL database stay apart by creating their own session rows. `empty_database`
makes an unmigrated database for the migration tests. `bus` runs a test once per live
bus (memory and Redis); `redis_bus` makes Redis buses that stand for separate workers.
Every test gets its own Redis channel prefix, so xdist workers never hear each other.

Outside CI a missing PostgreSQL or Redis skips its tests with a hint; with CI=true it
fails them, because CI is where they must run (`require_service`). The browser will use
the same gate.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pollinate.live.bus import Bus
from pollinate.live.memory import MemoryBus
from pollinate.live.redis import RedisBus
from pollinate.store.db import create_engine_for, session_factory, upgrade

PG_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_HOW_TO_ENABLE = (
    "start PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) or set "
    "POLLINATE_TEST_PG_URL to a server URL whose user may CREATE DATABASE"
)


def require_service(name: str, reachable: bool, how_to_enable: str) -> None:
    """Go on if the service is there; else skip with a hint, or fail when CI=true."""
    if reachable:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required in CI but is not reachable: {how_to_enable}")
    pytest.skip(f"{name} is not reachable; to run this test, {how_to_enable}")


# ── PostgreSQL ────────────────────────────────────────────────────────────────────────


def _libpq(url: str) -> str:
    """The psycopg form of a SQLAlchemy URL (no "+psycopg" driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class PostgresServer:
    """A reachable server on which tests create (and finally drop) their own databases."""

    url: str
    created: list[str]

    def create_database(self) -> str:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"pollinate_test_{worker}_{secrets.token_hex(4)}"
        with psycopg.connect(_libpq(self.url), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # name is ours: no injection
        self.created.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with psycopg.connect(_libpq(self.url), autocommit=True) as connection:
            for name in self.created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get("POLLINATE_TEST_PG_URL", PG_SERVER_URL)
    require_service("PostgreSQL", _reachable(url), PG_HOW_TO_ENABLE)
    server = PostgresServer(url, [])
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def postgres_engine(postgres_server: PostgresServer) -> Iterator[Engine]:
    """This worker's migrated PostgreSQL database, shared by its tests."""
    engine = create_engine_for(postgres_server.create_database())
    upgrade(engine)
    yield engine
    engine.dispose()


# ── SQLite ────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies: one upgrade per worker, not per test."""
    path = tmp_path_factory.mktemp("template") / "pollinate.db"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    # Disposing closes the last connection, which checkpoints the WAL into the file and
    # removes it, so copying the one file copies the whole database.
    engine.dispose()
    return path


# ── the fixtures tests use ────────────────────────────────────────────────────────────

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass
class Database:
    """A migrated database for one test: `with db.session() as s:` opens a session."""

    backend: str
    engine: Engine
    session: sessionmaker[Session]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("postgres_engine")
        yield Database("postgresql", engine, session_factory(engine))
        return
    path = tmp_path / "pollinate.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    engine = create_engine_for(f"sqlite:///{path}")
    yield Database("sqlite", engine, session_factory(engine))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """A factory of URLs of new, empty (unmigrated) databases on the parametrised backend."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.create_database
    counter = iter(range(1_000_000))
    return lambda: f"sqlite:///{tmp_path / f'empty-{next(counter)}.db'}"


# ── Redis ─────────────────────────────────────────────────────────────────────────────

REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_HOW_TO_ENABLE = (
    "start Redis on 127.0.0.1:6379 (redis-server --daemonize yes --bind 127.0.0.1) or set "
    "POLLINATE_TEST_REDIS_URL to another server's URL"
)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("POLLINATE_TEST_REDIS_URL", REDIS_URL)
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3) as client:
            reachable = bool(client.ping())
    except redis.RedisError:
        reachable = False
    require_service("Redis", reachable, REDIS_HOW_TO_ENABLE)
    return url


def unique_channel_prefix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"pollinate-test:{worker}:{secrets.token_hex(4)}:"


def new_redis_bus(url: str, **options: Any) -> RedisBus:
    options.setdefault("channel_prefix", unique_channel_prefix())
    options.setdefault("client_name", f"pollinate-test-{secrets.token_hex(4)}")
    return RedisBus(url, **options)


@pytest.fixture
async def redis_bus(redis_url: str, anyio_backend: str) -> AsyncIterator[Callable[..., RedisBus]]:
    """A factory of Redis buses, each one a worker; all share a prefix unique to the test.

    Each bus has its own client name, so a test can find and kill its connections alone.
    """
    prefix = unique_channel_prefix()
    made: list[RedisBus] = []

    def make(**options: Any) -> RedisBus:
        options.setdefault("channel_prefix", prefix)
        made.append(new_redis_bus(options.pop("url", redis_url), **options))
        return made[-1]

    yield make
    for made_bus in made:
        await made_bus.close()


BUSES = ["memory", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture
def anyio_backend() -> str:
    # The live code uses asyncio primitives, and so does uvicorn; trio is not a target.
    return "asyncio"


@pytest.fixture(params=BUSES)
async def bus(request: pytest.FixtureRequest, anyio_backend: str) -> AsyncIterator[Bus]:
    # getfixturevalue cannot reach the async redis_bus fixture from here, hence the helper.
    live: Bus
    if request.param == "redis":
        live = new_redis_bus(request.getfixturevalue("redis_url"))
    else:
        live = MemoryBus()
    yield live
    await live.close()
