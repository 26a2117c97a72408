"""The application database's schema and how it changes: Alembic migrations in versions/.

`upgrade(url)` brings a database to the newest schema; `make run`, `make kb`, the tests and the
production start call it (so does `alembic upgrade head` with DATABASE_URL set). Two processes
starting together migrate once: the second waits for the first (an advisory lock on
PostgreSQL, a lock file beside an SQLite database) and then finds nothing to do.

A new table or column: change the model, then
    .venv/bin/alembic revision --autogenerate -m "what changed"
review the generated file, and run the tests (tests/test_migrations.py compares the migrated
schema with the models).
"""
from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, make_url

from knowledge.storage import Base, database

HERE = Path(__file__).resolve().parent
# Any number, the same in every process: the PostgreSQL advisory lock migrations take.
PG_LOCK_KEY = 8_417_551_203


def metadata() -> MetaData:
    """Every table of the application, from every module that declares one."""
    import bot.channels.wechat_outbox  # noqa: F401
    import bot.channels.wechat_store  # noqa: F401
    import bot.leads.models  # noqa: F401
    import bot.portal.accounts  # noqa: F401
    import bot.portal.audit  # noqa: F401
    import bot.portal.followups  # noqa: F401
    import bot.portal.ratings  # noqa: F401
    import bot.portal.sessions  # noqa: F401
    import bot.privacy.retention  # noqa: F401
    import knowledge.models  # noqa: F401
    return Base.metadata


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


class NotMigrated(RuntimeError):
    """A database made before migrations existed: it would be half-recreated, so refuse."""


@contextlib.contextmanager
def _exclusive(url: str) -> Iterator[Connection]:
    """A connection in a transaction that no other migrating process holds at the same time."""
    db = database(url)
    parsed = make_url(url)
    if db.dialect == "sqlite" and parsed.database and parsed.database != ":memory:":
        with open(f"{parsed.database}.migrate-lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            with db.engine.begin() as conn:
                yield conn
        return
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":  # released when the transaction ends
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        yield conn


def upgrade(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """(revision before, revision after): equal when another process had migrated already."""
    from alembic.migration import MigrationContext
    with _exclusive(url) as conn:
        tables = set(inspect(conn).get_table_names())
        if tables and "alembic_version" not in tables:
            raise NotMigrated(
                f"{make_url(url).render_as_string(hide_password=True)} has tables but no "
                "migration history: it was made before migrations (2026-12). Move it away and "
                "run again (`make kb` reloads the knowledge); see README, 'Migrations'.")
        before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(config(conn), revision)
        return before, MigrationContext.configure(conn).get_current_revision()


def current(url: str) -> str | None:
    """The revision the database is at (None: not migrated)."""
    from alembic.migration import MigrationContext
    with database(url).engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
