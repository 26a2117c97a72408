"""Alembic's entry point: run by `upgrade()` with a connection, or by the `alembic` command
(then the database is DATABASE_URL, as everywhere else)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot import settings
from bot.migrations import metadata

TARGET = metadata()


def _run(connection) -> None:
    # batch mode: SQLite cannot ALTER most things; Alembic rebuilds the table instead.
    context.configure(connection=connection, target_metadata=TARGET, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=settings.database_url(), target_metadata=TARGET, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
    else:
        engine = create_engine(context.config.get_main_option("sqlalchemy.url")
                               or settings.database_url(), future=True)
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
