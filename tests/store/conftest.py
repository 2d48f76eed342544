from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from pollinate.store import repositories
from tests.conftest import Database

NOW = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_session(db: Database) -> Callable[[], str]:
    """A factory of committed café sessions: each test works in sessions of its own."""

    def make() -> str:
        with db.session.begin() as s:
            return repositories.create_session(s, title="Café", spec={"title": "Café"}, now=NOW)

    return make
