"""Alembic's entry: runs the migrations on the connection `store.db.upgrade` passes in.

Run from the command line (`alembic -x ...`) it opens its own engine from the
`sqlalchemy.url` option instead, with the same SQLite pragmas. `render_as_batch` lets
migrations alter SQLite tables, which have almost no ALTER TABLE (Alembic rebuilds them by
"move and copy"); `compare_type` makes autogenerate notice changed column types.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from pollinate.store.db import create_engine_for
from pollinate.store.tables import Base

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no connection and no sqlalchemy.url: call pollinate.store.db.upgrade")
    engine = create_engine_for(url)
    try:
        with engine.begin() as own_connection:
            run_on(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
