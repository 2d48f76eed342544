"""The bus named by `POLLINATE_BUS_URL`: `memory://` for one process, `redis://…` for several.

    memory://                                   MemoryBus (the default; one server process)
    redis://[:password@]host[:port][/db]        RedisBus (several workers or machines)
    rediss://…                                  RedisBus over TLS
    …?channel_prefix=staging:                   channels named "staging:<session id>"

Redis pub/sub channels ignore the database number in the URL, so two deployments that
share one Redis server must tell their channels apart with `channel_prefix`; other query
settings (socket_timeout=…, client_name=…) go to redis-py as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pollinate.errors import InputError
from pollinate.live.bus import Bus
from pollinate.live.memory import MemoryBus

if TYPE_CHECKING:
    from pollinate.live.redis import RedisBus

SETTING = "POLLINATE_BUS_URL"
ADVICE = (
    "Use memory:// for one server process, or redis://host:6379/0 (rediss:// for TLS) "
    "for several workers sharing a Redis server."
)


def bus_from_url(url: str) -> Bus:
    """A new, unconnected bus for `url`; raises `InputError` naming the setting if unusable."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:
        raise InputError(
            f"cannot read the bus URL ({error})", field=SETTING, advice=ADVICE
        ) from None
    scheme = parts.scheme.lower()
    if scheme == "memory":
        return MemoryBus()
    if scheme in ("redis", "rediss"):
        return _redis_bus(parts.geturl(), parts.query)
    # Only the scheme is echoed: the rest of a URL may hold a password.
    problem = f"unknown bus scheme {scheme + '://' if scheme else '(none)'}"
    if not url.strip():
        problem = "the bus URL is empty"
    raise InputError(problem, field=SETTING, advice=ADVICE)


def bus_is_local(url: str) -> bool:
    """True when the bus URL names a bus that reaches one process only (memory://)."""
    return url.strip().lower().startswith("memory:")


def _redis_bus(url: str, query: str) -> RedisBus:
    # Imported here: redis-py costs a server on memory:// about 10 MB it never uses.
    from pollinate.live.redis import DEFAULT_CHANNEL_PREFIX, RedisBus

    settings = parse_qsl(query, keep_blank_values=True)
    prefix = DEFAULT_CHANNEL_PREFIX
    for name, value in settings:
        if name == "channel_prefix":
            prefix = value
    rest = [(name, value) for name, value in settings if name != "channel_prefix"]
    redis_url = urlunsplit(urlsplit(url)._replace(query=urlencode(rest)))
    try:
        return RedisBus(redis_url, channel_prefix=prefix)
    except ValueError as error:  # redis-py's URL parser: a bad port, an unknown setting
        raise InputError(
            f"cannot read the Redis URL ({error})", field=SETTING, advice=ADVICE
        ) from None
