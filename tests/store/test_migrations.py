from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect

from pollinate.store.db import create_engine_for, current_revision, head_revision, upgrade
from pollinate.store.tables import Base

TABLES = {"sessions", "participants", "plans", "notes", "links", "outbox", "idempotency"}
TABLES |= {"note_redactions", "theme_boards", "takeaways", "votes", "ballots"}  # 0003
TABLES |= {"clustering_leases"}  # 0005


def test_upgrade_head_on_a_fresh_database_leaves_nothing_for_autogenerate(
    empty_database: Callable[[], str],
):
    engine = create_engine_for(empty_database())
    try:
        assert current_revision(engine) is None
        report = upgrade(engine)
        assert report.after == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        # The `alembic check` of the style guide: models and migrations agree.
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_upgrade_accepts_a_url_and_disposes_its_own_engine(empty_database: Callable[[], str]):
    url = empty_database()
    assert upgrade(url).after == head_revision()
    engine = create_engine_for(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_the_comparison_notices_a_model_column_no_migration_creates(tmp_path):
    engine = create_engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    upgrade(engine)
    drifted = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["notes"].append_column(Column("author", String(100)))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, drifted)
    engine.dispose()
    assert [(d[0], d[2], d[3].name) for d in differences] == [("add_column", "notes", "author")]
