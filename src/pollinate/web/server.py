"""Running the app under uvicorn: migrations first, logs on stderr, streams end on exit.

    serve(settings) ─▶ check the secret ─▶ upgrade the database (one line says so)
                    ─▶ create_app ─▶ uvicorn on host:port
    Ctrl-C / SIGTERM ─▶ uvicorn stops accepting ─▶ bus.close() ends every live stream
                    ─▶ open requests finish ─▶ lifespan shutdown ─▶ exit 0

uvicorn waits for open connections before it runs the app's shutdown, and an event
stream never finishes by itself; so the exit signal itself closes the bus (`_Server`),
otherwise every open phone would hold the server for `timeout_graceful_shutdown`.
Access logs go to stderr like everything else, with link tokens cut out of `/l/…` paths.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from pollinate.config import Settings
from pollinate.store.db import create_engine_for, upgrade
from pollinate.web.app import create_app
from pollinate.web.deps import Runtime

GRACEFUL_SECONDS = 5  # requests still running get this long after the streams closed
_LINK_PATH = re.compile(r"/l/[^/?\s\"]+")


class RedactLinkTokens(logging.Filter):
    """Replace the token of `/l/TOKEN` in access-log lines: a log must not hold keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _LINK_PATH.sub("/l/…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, all on stderr (stdout carries only machine-readable output)."""
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactLinkTokens}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
                "filters": ["redact"],
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "pollinate": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }
    return config


class _Server(uvicorn.Server):
    """uvicorn's server, which also ends the live streams when asked to exit."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.pollinate_app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        runtime: Runtime = self.pollinate_app.state.runtime
        loop: asyncio.AbstractEventLoop | None = getattr(self.pollinate_app.state, "loop", None)
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(lambda: loop.create_task(runtime.bus.close()))


def migrate(settings: Settings, say: Callable[[str], None]) -> None:
    """Upgrade the database to the newest schema and say so in one line."""
    engine = create_engine_for(settings.db_url)
    try:
        report = upgrade(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if report.changed:
        say(f"Database {where}: migrated from {report.before or 'empty'} to {report.after}.")
    else:
        say(f"Database {where}: schema up to date ({report.after}).")


def run(settings: Settings) -> None:
    """Serve `settings` until interrupted (the database must be migrated already)."""
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=log_config(),
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        proxy_headers=True,
    )
    _Server(config, app).run()
