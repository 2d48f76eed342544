"""One web worker of several: uvicorn on the supervisor's socket, its loop beating on a pipe.

    supervisor (web/worker_pool.py) ─▶ `python -m pollinate.web.worker LISTEN_FD BEAT_FD HOST PORT`
        ─▶ uvicorn.Server(`server.worker_app`) on the inherited listening socket
        ─▶ once started: a byte on BEAT_FD every BEAT_SECONDS, written by the event loop,
           so a loop that is stuck stops beating and the supervisor replaces the worker
        ─▶ the pipe breaks (the supervisor is gone): the worker stops as on SIGTERM,
           rather than serve on unsupervised
    Ctrl-C / SIGTERM ─▶ uvicorn's graceful shutdown (web/server.py ends the streams)

Settings arrive as POLLINATE_* variables (`server.settings_environment`).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn

BEAT_SECONDS = 1.0
"""How often a started worker's event loop says it is alive."""

STARTED_POLL_SECONDS = 0.05
"""How often a starting worker looks whether it has started, to say so promptly."""

STARTUP_FAILURE = 3
"""The exit status of a worker whose app never started (uvicorn's own code for it), and of
the supervisor when a worker of its first start failed (web/worker_pool.py)."""


async def beat(server: uvicorn.Server, beat_fd: int) -> None:
    """Write a byte on `beat_fd` as soon as `server` has started, then every BEAT_SECONDS."""
    while not server.started:
        await asyncio.sleep(STARTED_POLL_SECONDS)
    while True:
        try:
            os.write(beat_fd, b".")
        except BlockingIOError:
            pass  # the supervisor has beats enough unread
        except BrokenPipeError:
            server.should_exit = True  # nobody supervises this worker any more
            return
        await asyncio.sleep(BEAT_SECONDS)


def serve(listen_fd: int, beat_fd: int, host: str, port: int) -> int:
    """Serve the app on the listening socket `listen_fd` until told to stop."""
    import uvicorn

    from pollinate.web.supervisor import uvicorn_options

    os.set_blocking(beat_fd, False)  # a full pipe (a supervisor not reading) never blocks
    config = uvicorn.Config(
        "pollinate.web.server:worker_app", factory=True, **uvicorn_options(host, port)
    )
    server = uvicorn.Server(config)
    listener = socket.socket(fileno=listen_fd)

    async def run() -> None:
        beating = asyncio.create_task(beat(server, beat_fd))
        try:
            await server.serve(sockets=[listener])
        finally:
            beating.cancel()

    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(run())
    return 0 if server.started else STARTUP_FAILURE


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    if len(argv) != 4 or not all(part.isdigit() for part in (argv[0], argv[1], argv[3])):
        sys.exit("usage: python -m pollinate.web.worker LISTEN_FD BEAT_FD HOST PORT")
    sys.exit(serve(int(argv[0]), int(argv[1]), argv[2], int(argv[3])))


if __name__ == "__main__":
    main()
