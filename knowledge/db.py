"""Engine and sessions for the one application database."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import sessionmaker

from bot import settings
from knowledge.models import Base


@lru_cache(maxsize=None)
def engine(url: str | None = None) -> Engine:
    url = url or settings.database_url()
    if url.startswith("sqlite:///"):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        eng = create_engine(url, future=True, connect_args={"timeout": 30})

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # readers never wait on the writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
    else:
        eng = create_engine(url, future=True, pool_pre_ping=True)
    _create(eng, Base.metadata)
    return eng


def session(url: str | None = None):
    return sessionmaker(engine(url), future=True, expire_on_commit=False)()


def _create(eng: Engine, metadata: MetaData, tables=None) -> None:
    try:
        metadata.create_all(eng, tables=tables)
    except (OperationalError, ProgrammingError):
        # Two processes starting together both saw no table; the loser finds it now.
        metadata.create_all(eng, tables=tables)


def create_tables(metadata: MetaData = Base.metadata, tables=None, url: str | None = None) -> None:
    """Tables of models imported after the engine was made (leads, ratings, WeChat)."""
    _create(engine(url), metadata, tables)
