"""Running the app (web/server.py): what workers inherit, and the exit hook."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from pollinate.config import Settings
from pollinate.web.server import settings_environment


def test_workers_rebuild_the_same_settings_from_the_environment_they_inherit(monkeypatch):
    given = Settings(
        db_url="postgresql://cafe@db.internal/pollinate",
        bus_url="redis://127.0.0.1:6379/0?channel_prefix=staging:",
        data_dir=Path("/srv/pollinate"),
        secret_key=SecretStr("k" * 40),
        host="0.0.0.0",  # noqa: S104 - a value under test, nothing listens
        port=9001,
        heartbeat_seconds=5,
    )
    environment = settings_environment(given)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    rebuilt = Settings()
    assert rebuilt == given
    assert environment["POLLINATE_SECRET_KEY"] == "k" * 40
    assert "POLLINATE_BASE_URL" not in environment  # unset stays unset
