"""The supervisor of several workers: a fresh process that loads no app.

    pollinate serve --workers N ─▶ migrate ─▶ settings into POLLINATE_* ─▶ exec:
    python -m pollinate.web.supervisor N HOST PORT
        ─▶ the clustering service (web/clustering_process.py)
        ─▶ uvicorn's supervisor: N workers on one socket, each `server.worker_app`,
           a worker that dies is replaced ─▶ Ctrl-C / SIGTERM: workers stop, then the
           clustering service

`serve` replaces itself with this process (same pid, so signals and process managers
see no difference): everything the CLI loaded to parse options, check the settings and
migrate would otherwise stay in the supervisor for the whole event, about 40 MB it never
uses again. This module imports only uvicorn and the standard library, and so does the
logging it sets up: access logs go to stderr like everything else, with link tokens cut
out of `/l/…` paths.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Sequence
from typing import Any

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


def uvicorn_options(host: str, port: int) -> dict[str, Any]:
    """What uvicorn is told in one process and in several alike."""
    return {
        "host": host,
        "port": port,
        "log_config": log_config(),
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        "proxy_headers": True,
    }


def supervisor_command(workers: int, host: str, port: int) -> list[str]:
    """The command line `serve` becomes (its settings travel in the environment)."""
    return [sys.executable, "-m", __name__, str(workers), host, str(port)]


def supervise(workers: int, host: str, port: int) -> None:
    """Run the clustering service and `workers` uvicorn workers until stopped."""
    import os

    import uvicorn

    from pollinate.web.clustering_process import ClusteringProcess

    # One clustering process for all the workers, not a helper of each (about 140 MB
    # apiece): actions/clustering_service.py.
    clustering = ClusteringProcess()
    os.environ.update(clustering.environment())
    clustering.start()
    try:
        uvicorn.run(
            "pollinate.web.server:worker_app",
            factory=True,
            workers=workers,
            **uvicorn_options(host, port),
        )
    finally:
        clustering.stop()


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    if len(argv) != 3 or not argv[0].isdigit() or not argv[2].isdigit():
        sys.exit("usage: python -m pollinate.web.supervisor WORKERS HOST PORT")
    supervise(int(argv[0]), argv[1], int(argv[2]))


# Guarded: uvicorn's workers are spawned processes, which load this module again.
if __name__ == "__main__":
    main()
