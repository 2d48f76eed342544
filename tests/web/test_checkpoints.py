"""A server on SQLite checkpoints its WAL from a task of its own (web/app.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from pollinate.config import Settings
from pollinate.store import db as store_db
from pollinate.store.db import create_engine_for, upgrade
from pollinate.web import app as web_app
from pollinate.web.app import create_app
from tests.web.conftest import new_address


def test_the_app_checkpoints_what_its_commits_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cafe.db'}"
    migrating = create_engine_for(url)
    upgrade(migrating)
    migrating.dispose()
    copied: list[tuple[int, int, int] | None] = []

    def recorded(engine: Engine) -> tuple[int, int, int] | None:
        result = store_db.checkpoint(engine)
        copied.append(result)
        return result

    monkeypatch.setattr(web_app, "CHECKPOINT_SECONDS", 0.05)
    monkeypatch.setattr(web_app, "checkpoint", recorded)
    settings = Settings(db_url=url, secret_key=SecretStr("s" * 40), data_dir=tmp_path)
    app = create_app(settings, cluster_in_helper=False)
    with TestClient(app, client=new_address()):
        engine: Engine = app.state.runtime.engine
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE scratch (blob BLOB)")
            connection.exec_driver_sql("INSERT INTO scratch VALUES (randomblob(50000))")
        deadline = time.monotonic() + 10
        while not any(result and result[2] > 0 for result in copied):
            assert time.monotonic() < deadline, f"no checkpoint copied the write: {copied}"
            time.sleep(0.05)
    assert all(result is not None and result[0] == 0 for result in copied)
