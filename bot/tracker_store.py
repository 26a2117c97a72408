"""Rasa plug-in: the SQL tracker store, waiting for its database instead of giving up at once.

Rasa wraps every tracker store in its FailSafeTrackerStore, which on any database error goes on
with an empty in-memory conversation: during a PostgreSQL restart a citizen half-way through a
complaint form would be answered out of context, and what they said would be kept in one
process's memory only (bench/load.py's fault run showed both). So here a read or write that
fails on a lost connection is tried again — 0.25 s doubling to 2 s — for up to PATIENCE seconds,
a database restart or fail-over; the citizen waits a few seconds and the conversation goes on
where it was. Only a longer outage reaches Rasa's fallback. The engine also checks a pooled
connection before using it, so the first request after a restart does not fail on a dead one.

endpoints.yml names this class with url ${TRACKER_DB_URL} (SQLite or PostgreSQL).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

PATIENCE = 30.0  # seconds; under nginx's 60 s proxy_read_timeout, above a restart's few
T = TypeVar("T")


class PatientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Any = None, host: str | None = None, event_broker: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(domain=domain, host=host, event_broker=event_broker, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _patiently(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        delay, waited = 0.25, 0.0
        while True:
            try:
                return await call()
            except DBAPIError as err:
                if waited >= PATIENCE or not _connection_lost(err):
                    raise
                logger.warning("tracker store: database unreachable on %s (%s); trying again "
                               "in %.2f s", what, type(err.orig).__name__, delay)
                await asyncio.sleep(delay)  # other conversations go on meanwhile
                waited += delay
                delay = min(2.0, delay * 2)

    async def retrieve(self, sender_id: str):
        return await self._patiently("retrieve", lambda: super(
            PatientSQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, sender_id: str):
        return await self._patiently("retrieve", lambda: super(
            PatientSQLTrackerStore, self).retrieve_full_tracker(sender_id))

    async def save(self, tracker) -> None:
        await self._patiently("save", lambda: super(PatientSQLTrackerStore, self).save(tracker))


def _connection_lost(err: DBAPIError) -> bool:
    """A connection that failed or broke, not a bad statement: worth trying again."""
    return err.connection_invalidated or isinstance(err, sa.exc.OperationalError)
