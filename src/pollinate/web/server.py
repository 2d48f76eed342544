"""Running the app under uvicorn: migrations first, logs on stderr, streams end on exit.

    serve(settings) ─▶ check the secret ─▶ upgrade the database (one line says so)
                    ─▶ create_app ─▶ uvicorn on host:port
    Ctrl-C / SIGTERM ─▶ uvicorn stops accepting ─▶ bus.close() ends every live stream
                    ─▶ open requests finish ─▶ lifespan shutdown ─▶ exit 0

    serve(settings, workers=N) ─▶ the same in N processes on one socket (web/supervisor.py
                                  restarts a worker that dies), each built by `worker_app`
                                  from the settings handed down as POLLINATE_*; one
                                  clustering service for them all (web/clustering_process.py)

uvicorn waits for open connections before it runs the app's shutdown, and an event
stream never finishes by itself; so the exit signal itself closes the bus
(`EndStreamsOnExit`), otherwise every open phone would hold the server for
`timeout_graceful_shutdown`.
Access logs go to stderr like everything else, with link tokens cut out of `/l/…` paths
(web/supervisor.py).
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

import uvicorn
from pydantic import SecretStr
from starlette.types import Message, Receive, Scope, Send

from pollinate.config import Settings
from pollinate.errors import InputError
from pollinate.live.factory import bus_is_local
from pollinate.web.supervisor import supervisor_command, uvicorn_options

if TYPE_CHECKING:
    from fastapi import FastAPI

    from pollinate.web.deps import Runtime

# The app is imported where it is used: with several workers this process only migrates,
# then becomes the supervisor (`run`), which needs none of it.

EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class EndStreamsOnExit:
    """The app, plus: an exit signal (Ctrl-C, SIGTERM) closes the bus, ending live streams.

    uvicorn installs its own SIGINT/SIGTERM handlers before the app starts, in the single
    process and in each worker alike; once the app has started, this chains a handler in
    front of uvicorn's, and puts uvicorn's back when the app stops. Pure ASGI, so event
    streams pass straight through.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        restore: dict[int, Any] = {}

        async def send_and_hook(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                restore.update(_chain_exit_signals(self.app))
            elif message["type"].startswith("lifespan.shutdown"):
                for number, handler in restore.items():
                    signal.signal(number, handler)
            await send(message)

        await self.app(scope, receive, send_and_hook)


def _chain_exit_signals(app: FastAPI) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}  # signals reach the main thread only (an in-thread test server)
    runtime: Runtime = app.state.runtime
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {}

    def close_bus(number: int, frame: FrameType | None) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(lambda: loop.create_task(runtime.bus.close()))
        handler = previous[number]
        if callable(handler):
            handler(number, frame)

    for number in EXIT_SIGNALS:
        previous[number] = signal.signal(number, close_bus)
    return previous


# Python's cyclic collector runs its oldest generation after 10 x 10 younger runs of 700
# allocations by default. A server holding thousands of open streams has hundreds of
# thousands of long-lived objects, and each full pass over them stalls every request for
# a moment; collecting far less often (young generation 100,000) took the p99 of a note
# burst at 500 open phones from 135 to 103-105 ms in bench/live.py runs. Memory freed by
# reference counting, nearly all of it, is unaffected.
COLLECTOR_THRESHOLDS = (100_000, 50, 1_000)


def tune_collector() -> None:
    """Set this server process's garbage collector thresholds (`COLLECTOR_THRESHOLDS`)."""
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def worker_app() -> EndStreamsOnExit:
    """The app of one worker among several: settings come from the environment.

    `run` hands its settings to the workers as `POLLINATE_*` variables before it starts
    them (`settings_environment`), so each worker builds the same `Settings`.
    """
    from pollinate.actions.clustering_address import ServiceAddress
    from pollinate.web.app import create_app

    tune_collector()
    service = ServiceAddress.from_environment()
    return EndStreamsOnExit(create_app(Settings(), clustering_service=service))


def settings_environment(settings: Settings) -> dict[str, str]:
    """`settings` as the `POLLINATE_*` variables that rebuild them in another process."""
    environment = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        environment[f"POLLINATE_{name.upper()}"] = str(value)
    return environment


def migrate(settings: Settings, say: Callable[[str], None]) -> None:
    """Upgrade the database to the newest schema and say so in one line."""
    where, before, after = _upgrade(settings.db_url)
    if before != after:
        say(f"Database {where}: migrated from {before or 'empty'} to {after}.")
    else:
        say(f"Database {where}: schema up to date ({after}).")


def _upgrade(db_url: str) -> tuple[str, str | None, str | None]:
    """Upgrade the database at `db_url`; its printable URL, revision before and after."""
    from sqlalchemy.exc import DBAPIError

    from pollinate.store.db import create_engine_for, database_unavailable, upgrade

    engine = create_engine_for(db_url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        report = upgrade(engine)
    except DBAPIError as error:
        if not database_unavailable(error):
            raise
        cause = str(error.orig or error).strip().splitlines()[0]
        raise InputError(
            f"cannot reach the database {where}: {cause}",
            field="POLLINATE_DB_URL",
            advice="Check that the database server is running, and the URL's host, port, "
            "user and database name.",
        ) from None
    finally:
        engine.dispose()
    return where, report.before, report.after


def run(settings: Settings, *, workers: int = 1) -> None:
    """Serve `settings` until interrupted (the database must be migrated already).

    With `workers` above one, this process becomes the supervisor (web/supervisor.py):
    it starts that many processes on one listening socket and restarts any that dies;
    they share the database and the bus, so the bus must reach across processes
    (`check_workers`).
    """
    if workers == 1:
        from pollinate.web.app import create_app

        tune_collector()
        app = EndStreamsOnExit(create_app(settings))
        uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings.host, settings.port))).run()
        return
    # One secret for all: generated (or read) here once, then handed down like the rest.
    shared = settings.model_copy(update={"secret_key": SecretStr(settings.secret())})
    os.environ.update(settings_environment(shared))
    sys.stdout.flush()
    sys.stderr.flush()
    # The supervisor only watches: it starts afresh without this process's imports
    # (the CLI, pydantic, the settings; 70 MB against 27 MB), keeping its pid.
    command = supervisor_command(workers, settings.host, settings.port)
    os.execv(sys.executable, command)  # noqa: S606 (our own interpreter and module)


def check_workers(settings: Settings, workers: int) -> None:
    """Refuse several workers on a bus that stays inside one process."""
    if workers > 1 and bus_is_local(settings.bus_url):
        raise InputError(
            f"{workers} workers cannot share live updates over {settings.bus_url}",
            field="--workers",
            advice="Give a shared bus, for example --bus redis://127.0.0.1:6379/0, "
            "or run one worker.",
        )
