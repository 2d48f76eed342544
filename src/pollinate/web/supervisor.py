"""The supervisor of several workers: a fresh process that loads no app.

    pollinate serve --workers N ─▶ migrate ─▶ settings into POLLINATE_* ─▶ exec:
    python -m pollinate.web.supervisor N HOST PORT
        ─▶ listen on HOST:PORT (a port in use: one line says so, status 1)
        ─▶ the clustering service (web/clustering_process.py)
        ─▶ N workers on that socket (web/worker_pool.py), each `server.worker_app` under
           uvicorn (web/worker.py); a worker that dies or whose loop stops is replaced
        ─▶ Ctrl-C / SIGTERM: workers stop, then the clustering service

`serve` replaces itself with this process (same pid, so signals and process managers
see no difference): everything the CLI loaded to parse options, check the settings and
migrate would otherwise stay in the supervisor for the whole event, about 40 MB it never
uses again. This module imports only the standard library, and so does the logging it
sets up: access logs go to stderr like everything else, with link tokens cut out of
`/l/…` paths.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Sequence
from typing import Any

GRACEFUL_SECONDS = 5  # requests still running get this long after the streams closed
logger = logging.getLogger("pollinate.workers")
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
        "ws": "none",  # no WebSockets: live updates are Server-Sent Events
    }


def supervisor_command(workers: int, host: str, port: int) -> list[str]:
    """The command line `serve` becomes (its settings travel in the environment)."""
    return [sys.executable, "-m", __name__, str(workers), host, str(port)]


def supervise(workers: int, host: str, port: int) -> int:
    """Run the clustering service and `workers` workers until stopped; the exit status."""
    import logging.config
    import os

    from pollinate.web.clustering_process import ClusteringProcess
    from pollinate.web.worker_pool import WorkerPool, listening_socket

    logging.config.dictConfig(log_config())
    try:
        listener = listening_socket(host, port)
    except OSError as error:
        logger.error("cannot listen on %s:%s: %s", host, port, error.strerror or error)
        return 1
    # One clustering process for all the workers, not a helper of each (about 140 MB
    # apiece): actions/clustering_service.py.
    clustering = ClusteringProcess()
    os.environ.update(clustering.environment())
    clustering.start()
    try:
        pool = WorkerPool(workers, listener, host, port, graceful_seconds=GRACEFUL_SECONDS)
        return pool.run()
    finally:
        clustering.stop()
        listener.close()


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    if len(argv) != 3 or not argv[0].isdigit() or not argv[2].isdigit():
        sys.exit("usage: python -m pollinate.web.supervisor WORKERS HOST PORT")
    sys.exit(supervise(int(argv[0]), argv[1], int(argv[2])))


if __name__ == "__main__":
    main()
