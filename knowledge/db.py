"""Engine and sessions for the one application database."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
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
    Base.metadata.create_all(eng)
    return eng


def session(url: str | None = None):
    return sessionmaker(engine(url), future=True, expire_on_commit=False)()
