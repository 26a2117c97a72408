"""The one storage layer of the application database.

Everything the service keeps — the knowledge tables, unanswered questions, complaint leads,
ratings, the WeChat channel's state — is declared on `Base` (one metadata) and reached through a
`Database` (one engine and session factory per URL). Tables are made by the Alembic migrations in
bot/migrations, never here. SQLite (the embedded default) and PostgreSQL (production) are the
two databases supported: `upsert` and `insert_or_ignore` are single atomic statements in both.

Times are stored as naive UTC (`utcnow`): one clock for every table.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
from pathlib import Path
from typing import Iterator

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker

# Named constraints: Alembic can only alter (and SQLite's batch mode only rebuild) what has a name.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING))
SUPPORTED = ("sqlite", "postgresql")


def utcnow() -> dt.datetime:
    """Now in UTC, without a time zone: how every table stores time."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Database:
    """One engine and one session factory for a database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() not in SUPPORTED:
            raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: "
                             f"one of {', '.join(SUPPORTED)}")
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url, future=True, connect_args={"timeout": 30})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, future=True, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        """A session the caller commits (or not) itself."""
        return self._sessions()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error."""
        with self._sessions() as s, s.begin():
            yield s


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never wait on the writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


_databases: dict[str, Database] = {}
_lock = threading.Lock()


def database(url: str) -> Database:
    """The process's one Database for `url` (engines hold connection pools: share them)."""
    with _lock:
        if url not in _databases:
            _databases[url] = Database(url)
        return _databases[url]


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def upsert(session: Session, model, key: dict, values: dict) -> None:
    """Inserts the row with `key` (its primary key or a unique constraint's columns) and
    `values`, or updates `values` on the row already there. One statement, so two processes
    writing the same row at once cannot both insert."""
    stmt = _insert(session, model).values(**key, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=values))


def increment(session: Session, model, key: dict, column: str, by: int = 1) -> None:
    """Adds `by` to `column` of the row with `key` (a unique constraint's columns), inserting
    the row at `by` when it is not there. One statement: two processes counting at once both
    count."""
    stmt = _insert(session, model).values(**key, **{column: by})
    col = model.__table__.c[column]
    session.execute(stmt.on_conflict_do_update(index_elements=list(key),
                                               set_={column: col + by}))


def insert_or_ignore(session: Session, model, conflict: list[str], values: dict) -> bool:
    """Inserts unless a row with the same `conflict` columns exists; True when it inserted."""
    stmt = _insert(session, model).values(**values).on_conflict_do_nothing(
        index_elements=conflict)
    return session.execute(stmt).rowcount == 1
