"""Where the workers of a server find its clustering service, and the key it asks for.

The supervisor makes both (web/clustering_process.py) and hands them down as
environment variables; the service (actions/clustering_service.py) and the workers
read them back. Kept apart from the service's own module so that the supervisor, which
only starts the service, loads none of the clustering code (about 6 MB).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

KEY_VARIABLE = "POLLINATE_CLUSTERING_KEY"
SOCKET_VARIABLE = "POLLINATE_CLUSTERING_SOCKET"

FOLDER_PREFIX = "pollinate-clustering-"
"""The private folder the supervisor makes for the socket (web/clustering_process.py)."""


@dataclass(frozen=True, slots=True)
class ServiceAddress:
    """Where a worker finds the clustering service, and the key it must show."""

    socket: str
    key: bytes

    @classmethod
    def from_environment(cls) -> ServiceAddress | None:
        """The address the supervisor handed down, or None when there is no service."""
        socket, key = os.environ.get(SOCKET_VARIABLE), os.environ.get(KEY_VARIABLE)
        if not socket or not key:
            return None
        return cls(socket, bytes.fromhex(key))
