"""Settings: every knob pollinate reads from its environment, in one place.

`Settings()` is built once, at an entry point (`cli.py`, `web/app.create_app`), and passed
down; nothing reads the environment at import time. Each field's `description` is the
documentation: `docs/settings.md` lists them all, and `tests/test_config.py` fails when a
field is missing there.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pollinate.errors import InputError

SECRET_FILE = "pollinate-secret.txt"  # noqa: S105 (a file name, not a secret)

# A secret shorter than this, or one of these words, is a placeholder someone forgot to
# replace. 32 URL-safe characters carry about 190 bits, far beyond guessing.
MIN_SECRET_CHARS = 32
PLACEHOLDERS = frozenset({"", "changeme", "changethis", "change-me", "secret", "password", "dev"})

KEY_ADVICE = (
    "Set POLLINATE_SECRET_KEY to a long random value, for example the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
)


class Settings(BaseSettings):
    """pollinate's settings, read from `POLLINATE_*` environment variables.

    >>> Settings(port=9000).port
    9000
    """

    model_config = SettingsConfigDict(env_prefix="POLLINATE_", extra="forbid")

    db_url: str = Field(
        default="sqlite:///pollinate.db",
        description=(
            "Database URL. The default is a SQLite file `pollinate.db` in the working folder; "
            "use `postgresql://user@host:5432/dbname` for PostgreSQL (needed to run several "
            "workers)."
        ),
    )
    bus_url: str = Field(
        default="memory://",
        description=(
            "Where live updates are fanned out. `memory://` works inside one server process; "
            "several workers need a shared bus such as Redis."
        ),
    )
    data_dir: Path = Field(
        default=Path(),
        description=(
            f"Folder for files pollinate keeps between runs, such as the generated "
            f"`{SECRET_FILE}`. Defaults to the working folder."
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key that signs cookies and other tamper-proof values. When unset and the server "
            f"listens on loopback only, one is generated once and kept in "
            f"`<data_dir>/{SECRET_FILE}`. Serving beyond loopback requires a real value of at "
            f"least {MIN_SECRET_CHARS} characters."
        ),
    )
    host: str = Field(
        default="127.0.0.1",
        description=(
            "Address the web server listens on. The default serves this computer only; "
            "`0.0.0.0` serves the network and then requires `POLLINATE_SECRET_KEY`."
        ),
    )
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web server listens on.")
    base_url: str | None = Field(
        default=None,
        description=(
            "Public address of the server as people reach it (for links and QR codes), for "
            "example `https://cafe.example.org`. Defaults to `http://<host>:<port>`."
        ),
    )
    heartbeat_seconds: float = Field(
        default=15.0,
        gt=0,
        description=(
            "Seconds between keep-alive messages on live streams; keep it under the idle "
            "timeout of every proxy in front of the server."
        ),
    )
    outbox_retention_hours: float = Field(
        default=24.0,
        gt=0,
        description=(
            "How long live events are kept for replay. A page that reconnects after a longer "
            "gap reloads its content instead of replaying."
        ),
    )

    @property
    def public_base_url(self) -> str:
        """`base_url` when set, else the address the server listens on."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    def check_secret(self, host: str | None = None) -> None:
        """Refuse to serve beyond loopback with an unset, empty or placeholder secret.

        `host` defaults to the `host` setting. On loopback anything goes, because
        `secret()` then generates a key that only this computer ever sees.
        """
        if is_loopback(host if host is not None else self.host):
            return
        value = self.secret_key.get_secret_value().strip() if self.secret_key else ""
        if not value:
            problem = "no secret key is set, and the server is reachable from other computers"
        elif value.casefold() in PLACEHOLDERS or "change" in value.casefold():
            problem = "the secret key is a placeholder"
        elif len(value) < MIN_SECRET_CHARS:
            problem = f"the secret key is shorter than {MIN_SECRET_CHARS} characters"
        else:
            return
        raise InputError(problem, field="POLLINATE_SECRET_KEY", advice=KEY_ADVICE)

    def secret(self) -> str:
        """The secret key: the setting when given, else the one kept in `data_dir`.

        The generated key is written once with owner-only permissions, so a restart keeps
        signed cookies valid.
        """
        if self.secret_key is not None and self.secret_key.get_secret_value().strip():
            return self.secret_key.get_secret_value()
        path = self.data_dir / SECRET_FILE
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        # Write a private file, then link it into place: link() fails when the name exists,
        # so when two workers start together both end up with the first one's whole key.
        draft = path.with_name(f"{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        draft.touch(mode=0o600)
        try:
            draft.write_text(value + "\n", encoding="utf-8")
            os.link(draft, path)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
        finally:
            draft.unlink()
        return value


def is_loopback(host: str) -> bool:
    """True when `host` names this computer only (127.0.0.0/8, ::1, localhost)."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
