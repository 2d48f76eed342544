from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

import pollinate.config
from pollinate.config import SECRET_FILE, Settings, is_loopback
from pollinate.errors import InputError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (checking the refusal to serve it unguarded)
GOOD_SECRET = "k" * 8 + "Qz3_-x9PvA7mW2rT5yB8nL4cJ6hF1dS0"


def test_settings_come_from_pollinate_prefixed_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("POLLINATE_PORT", "9001")
    monkeypatch.setenv("POLLINATE_DB_URL", "postgresql://cafe@db/pollinate")
    monkeypatch.setenv("PORT", "1")  # unprefixed: not ours
    settings = Settings()
    assert (settings.port, settings.db_url) == (9001, "postgresql://cafe@db/pollinate")


def test_defaults_serve_localhost_from_a_sqlite_file_with_the_memory_bus(
    monkeypatch: pytest.MonkeyPatch,
):
    for name in Settings.model_fields:
        monkeypatch.delenv(f"POLLINATE_{name.upper()}", raising=False)
    settings = Settings()
    assert settings.db_url == "sqlite:///pollinate.db"
    assert settings.bus_url == "memory://"
    assert (settings.host, settings.port, settings.heartbeat_seconds) == ("127.0.0.1", 8000, 15)
    assert settings.public_base_url == "http://127.0.0.1:8000"


def test_unknown_or_invalid_settings_are_refused():
    with pytest.raises(ValidationError):
        Settings(portt=8000)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Settings(heartbeat_seconds=0)


def test_every_setting_has_a_description():
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert missing == []


def test_every_setting_is_documented_with_its_description_in_settings_md():
    docs = DOCS.read_text(encoding="utf-8")
    undocumented = [
        name
        for name, field in Settings.model_fields.items()
        if f"`POLLINATE_{name.upper()}`" not in docs or (field.description or "?") not in docs
    ]
    assert undocumented == []


def test_no_module_builds_settings_at_import_time():
    assert not any(isinstance(value, Settings) for value in vars(pollinate.config).values())


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"])
def test_loopback_hosts_may_run_without_a_secret(host: str):
    assert is_loopback(host)
    Settings(secret_key=None).check_secret(host)


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        (None, "no secret key"),
        ("   ", "no secret key"),
        ("changeme", "placeholder"),
        ("please-change-this-secret-key-before-going-live-ok", "placeholder"),
        ("short-but-random-3f9a", "shorter than 32"),
    ],
)
def test_serving_the_network_refuses_a_missing_or_weak_secret(secret: str | None, problem: str):
    settings = Settings(
        host=ALL_INTERFACES, secret_key=None if secret is None else SecretStr(secret)
    )
    with pytest.raises(InputError, match=problem) as caught:
        settings.check_secret()
    assert caught.value.field == "POLLINATE_SECRET_KEY"
    assert "secrets.token_urlsafe" in caught.value.advice


def test_serving_the_network_accepts_a_long_random_secret():
    Settings(secret_key=SecretStr(GOOD_SECRET)).check_secret(ALL_INTERFACES)
    Settings(host="cafe.example.org", secret_key=SecretStr(GOOD_SECRET)).check_secret()


def test_a_generated_secret_is_private_and_the_same_on_every_start(tmp_path: Path):
    first = Settings(data_dir=tmp_path / "data").secret()
    again = Settings(data_dir=tmp_path / "data").secret()
    path = tmp_path / "data" / SECRET_FILE
    assert first == again
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [SECRET_FILE]  # no draft left behind


def test_a_configured_secret_wins_over_the_generated_one(tmp_path: Path):
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr(GOOD_SECRET))
    assert settings.secret() == GOOD_SECRET
    assert not (tmp_path / SECRET_FILE).exists()
