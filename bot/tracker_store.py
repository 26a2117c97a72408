"""Rasa plug-in (endpoints.yml): the SQL tracker store, loading a conversation's recent turns
instead of its whole session, so that turn 200 costs what turn 2 costs.

Rasa's SQL tracker store rebuilds the whole current session for every message (a session
lasts while the citizen keeps talking) and everything after it scales with that: the
policies featurize every turn before keeping the last few, each action run copies the
tracker by replaying it, and each action-server call carries every event. Turn 200 took
3.5 times as long as turn 2.

This store keeps Rasa's table and rows exactly (it subclasses SQLTrackerStore, writes the
same columns, and `retrieve_full_tracker` — the HTTP API's tracker — still returns all of
it). What it hands the message processor is shorter: the events since a *boundary*, preceded
by one SlotSet per slot that was set before it. The dialogue reads only recent turns —
MemoizationPolicy the last 4 states, rules their few steps, forms the active loop and slots,
the actions the latest message and slots — so the decisions are the same. A boundary is only
ever placed
  - at an `action_listen` (the start of a turn), with at least KEEP_EVENTS events after it
    (rules look back a few turns; `action_back` reverts two user turns), and
  - where no loop (form) is active and the conversation is not paused: the state there is
    then exactly the slots, which the SlotSet events restore, `has_been_set` included.
Rules with `conversation_start: true` would see a shorter conversation: the project has
none (tests/test_tracker_store.py checks data/).

Boundaries live in this process's memory (per conversation, at most CACHE_SIZE). A process
that has none for a conversation — after a restart, on another replica — reads the session
once, replays it and finds one; any process finds the same answer from the same rows. A
remembered boundary is used only while its row is still there (same id, same timestamp): the
daily retention (bot/privacy, another process) deletes idle conversations whole, and a
boundary kept from before must neither restore the deleted slots nor hide the new rows
(SQLite hands the ids of deleted rows at the table's end out again).

Sessions: like Rasa, the session is what follows the latest `session_started` event; this
store finds it by id rather than timestamp (the same rows unless clocks went backwards).

It also waits for its database instead of giving up at once. Rasa wraps every tracker store in
its FailSafeTrackerStore, which on any database error goes on with an empty in-memory
conversation: during a PostgreSQL restart a citizen half-way through a complaint form would be
answered out of context, and what they said kept in one process's memory only (bench/load.py's
fault run showed both). So a read or write that fails on a lost connection is tried again —
0.25 s doubling to 2 s — for up to PATIENCE seconds; only a longer outage reaches Rasa's
fallback. Pooled connections are checked before use, so the first request after a restart
does not fail on a dead one.
"""
from __future__ import annotations

import asyncio
import copy
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (ActionExecuted, Event, SessionStarted, SlotSet,
                                      deserialise_events)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import DBAPIError

from bot import rasa_patches

rasa_patches.apply()

logger = logging.getLogger(__name__)

KEEP_EVENTS = 24  # at least this many events stay after a boundary (≈ 6 knowledge turns)
LOAD_EVENTS = 48  # more than this loaded: move the boundary forward for the next turn
CACHE_SIZE = 20_000  # conversations whose boundary this process remembers
_STORED = "_ganzhou_stored_events"  # on a tracker: how many of its events are in the table
PATIENCE = 30.0  # seconds; under nginx's 60 s proxy_read_timeout, above a restart's few
T = TypeVar("T")


@dataclass(frozen=True)
class Boundary:
    session_id: int  # id of the session's `session_started` row (0: no such row)
    event_id: int  # the first row loaded; == session_id at the start of a session
    slots: tuple  # ((name, value), …) of the slots set before event_id
    stamp: Optional[float] = None  # the timestamp of row event_id: tells it from a new row


class RecentTurnsTrackerStore(SQLTrackerStore):
    """`type: bot.tracker_store.RecentTurnsTrackerStore` with `url:` an SQLAlchemy URL."""

    def __init__(self, *args: Any, keep_events: int = KEEP_EVENTS,
                 load_events: int = LOAD_EVENTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            # SQLAlchemy 1.4 opens a new SQLite connection for every query (NullPool): keep
            # a few open instead, usable from the threads the queries run in.
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_pre_ping=True,
                                           connect_args={"check_same_thread": False})
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.keep_events, self.load_events = int(keep_events), int(load_events)
        self._boundaries: OrderedDict[str, Boundary] = OrderedDict()
        self._lock = threading.Lock()
        self._table = self.SQLEvent.__table__

    # --- boundaries --------------------------------------------------------------------
    def _boundary(self, sender_id: str) -> Optional[Boundary]:
        with self._lock:
            found = self._boundaries.get(sender_id)
            if found is not None:
                self._boundaries.move_to_end(sender_id)
            return found

    def _remember(self, sender_id: str, boundary: Boundary) -> None:
        with self._lock:
            self._boundaries[sender_id] = boundary
            self._boundaries.move_to_end(sender_id)
            while len(self._boundaries) > CACHE_SIZE:
                self._boundaries.popitem(last=False)

    # --- reading -----------------------------------------------------------------------
    def _rows(self, sender_id: str) -> tuple[Optional[Boundary], list]:
        """The boundary used and the rows (id, type_name, data) from it on, in order."""
        t = self._table

        def rows_from(conn, event_id: int) -> list:
            return conn.execute(
                sa.select(t.c.id, t.c.type_name, t.c.timestamp, t.c.data)
                .where(t.c.sender_id == sender_id, t.c.id >= event_id)
                .order_by(t.c.id)).all()

        with self.engine.connect() as conn:
            boundary = self._boundary(sender_id)
            rows = rows_from(conn, boundary.event_id) if boundary is not None else []
            if boundary is None or not _still_there(boundary, rows):
                session = conn.execute(
                    sa.select(sa.func.max(t.c.id))
                    .where(t.c.sender_id == sender_id, t.c.type_name == SessionStarted.type_name)
                ).scalar() or 0
                rows = rows_from(conn, session)
                boundary = Boundary(session, session, (), _stamp(rows, session))
        # A session started since the boundary: the session is what follows it.
        starts = [i for i, row in enumerate(rows) if row.type_name == SessionStarted.type_name
                  and row.id > boundary.session_id]
        if starts:
            row = rows[starts[-1]]
            boundary = Boundary(row.id, row.id, (), row.timestamp)
            rows = rows[starts[-1]:]
        return boundary, rows

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._patiently(
            "retrieve", lambda: asyncio.to_thread(self._retrieve_recent, sender_id))

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._patiently(
            "retrieve", lambda: super(RecentTurnsTrackerStore, self).retrieve_full_tracker(
                sender_id))

    def _retrieve_recent(self, sender_id: str) -> Optional[DialogueStateTracker]:
        boundary, rows = self._rows(sender_id)
        loaded = [(row, e) for row in rows for e in deserialise_events([json.loads(row.data)])]
        if not loaded or self.domain is None:
            return None
        tracker = DialogueStateTracker(sender_id, self.domain.slots)
        first_time = loaded[0][1].timestamp  # the prefix is stamped so that the order stays
        for name, value in boundary.slots:
            tracker.update(SlotSet(name, value, timestamp=first_time))
        candidate = None
        for i, (row, event) in enumerate(loaded):
            if (i and len(loaded) - i >= self.keep_events and _turn_start(event)
                    and tracker.active_loop is None and not tracker.is_paused()):
                candidate = Boundary(boundary.session_id, row.id, _set_slots(tracker),
                                     row.timestamp)
            tracker.update(event)
        setattr(tracker, _STORED, len(tracker.events))
        if len(loaded) > self.load_events and candidate is not None:
            self._remember(sender_id, candidate)
        elif self._boundary(sender_id) != boundary:
            self._remember(sender_id, boundary)
        return tracker

    # --- writing -----------------------------------------------------------------------
    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._patiently("save", lambda: self._save(tracker))

    async def _save(self, tracker: DialogueStateTracker) -> None:
        stored = getattr(tracker, _STORED, None)
        if stored is None:  # not read by this store (a new or replaced tracker): Rasa's way
            await super().save(tracker)
            setattr(tracker, _STORED, len(tracker.events))
            return
        new = list(tracker.events)[stored:]
        if new:
            await asyncio.to_thread(self._insert, tracker.sender_id, new)
            if self.event_broker is not None:
                await self._stream_new_events(self.event_broker, new, tracker.sender_id)
        setattr(tracker, _STORED, len(tracker.events))

    def _insert(self, sender_id: str, events: list[Event]) -> None:
        rows = []
        for event in events:  # the columns exactly as SQLTrackerStore.save fills them
            data = event.as_dict()
            rows.append({
                "sender_id": sender_id, "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)})
        with self.engine.begin() as conn:
            conn.execute(self._table.insert(), rows)


    # --- waiting out a database restart --------------------------------------------------
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


def _connection_lost(err: DBAPIError) -> bool:
    """A connection that failed or broke, not a bad statement: worth trying again."""
    return err.connection_invalidated or isinstance(err, sa.exc.OperationalError)


def _stamp(rows: list, row_id: int) -> Optional[float]:
    return rows[0].timestamp if rows and rows[0].id == row_id else None


def _still_there(boundary: Boundary, rows: list) -> bool:
    """The remembered boundary's row is the first row read, unchanged: the conversation was
    not deleted (and written anew) since. A boundary at 0 (no session row) reads every row."""
    if boundary.event_id == 0:
        return True
    return bool(rows) and rows[0].id == boundary.event_id and \
        rows[0].timestamp == boundary.stamp


def _turn_start(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME


def _set_slots(tracker: DialogueStateTracker) -> tuple:
    return tuple((s.name, copy.deepcopy(s.value)) for s in tracker.slots.values()
                 if s.has_been_set)
