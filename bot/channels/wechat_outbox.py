"""WeChat customer-service messages waiting to go out: a durable outbox in the application
database, the same pattern as the leads outbox (bot/leads/forwarder.py).

A turn's messages that the passive reply cannot carry (a slow turn, a long answer) are one row,
written in the same transaction that records the turn as answered. Every Rasa replica runs a
sender that leases due rows (one conditional UPDATE, so two replicas never send the same row),
sends the row's messages in order, remembers how many went out, and on failure waits with
backoff. A replica that stops mid-send leaves its lease to run out; another replica (or the same
one, restarted) sends the rest. Only the oldest unsent row of a user is ever leased, so a user's
messages keep their order across replicas and restarts.

WeChat accepts customer-service messages for 48 hours after the user's last message: rows older
than that are dropped, not sent, and counted (`counts()`, and a warning in the log). Refusals that
no retry can fix (the user unsubscribed, the window closed) are dropped and counted the same way.
Sent rows lose their text at once (it may hold what the user typed into a form) and are deleted
after a week.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import JSON, Column, DateTime, Integer, String, and_, delete, func, or_, \
    select, update
from sqlalchemy.orm import aliased

from knowledge.storage import Base, Database, utcnow

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=48)  # WeChat: customer-service messages within 48 h of the user's
BATCH = 10
LEASE = dt.timedelta(seconds=60)  # longer than a batch takes (10 rows × a few 10 s timeouts)
BACKOFF_FIRST = dt.timedelta(seconds=2)
BACKOFF_CAP = dt.timedelta(minutes=5)
KEEP_DONE = dt.timedelta(days=7)


class WeChatOutbox(Base):
    """One turn's messages to one user, sent through the customer-service API."""
    __tablename__ = "wechat_outbox"
    id = Column(Integer, primary_key=True)
    openid = Column(String(64), nullable=False, index=True)
    chunks = Column(JSON, nullable=False)  # the texts, in order; emptied once done
    sent = Column(Integer, nullable=False, default=0)  # how many of them went out
    received_at = Column(DateTime, nullable=False)  # the user's message: the 48 h count from it
    next_attempt_at = Column(DateTime, nullable=False, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    claim_token = Column(String(32))
    claimed_until = Column(DateTime)
    last_error = Column(String(200))  # error code or exception type: never the text
    done_at = Column(DateTime, index=True)
    outcome = Column(String(8))  # sent | expired | refused


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: 2 s, 4 s, 8 s … at most 5 minutes."""
    return min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Queued:
    """One turn's messages for the outbox. `not_before`: a long answer's later parts wait a
    moment, so that the passive reply reaches the user first."""
    openid: str
    chunks: list[str]
    received_at: dt.datetime
    not_before: dt.datetime | None = None


def queue(session, item: Queued) -> None:
    """Adds one turn's messages, inside the caller's transaction."""
    session.add(WeChatOutbox(openid=item.openid, chunks=list(item.chunks), sent=0, attempts=0,
                             received_at=item.received_at,
                             next_attempt_at=item.not_before or item.received_at))


def claim(db: Database, now: dt.datetime, batch: int = BATCH) -> str | None:
    """Leases up to `batch` due rows, each the oldest unsent row of its user."""
    token = secrets.token_hex(16)
    row = WeChatOutbox
    earlier = aliased(WeChatOutbox)
    free = or_(row.claimed_until.is_(None), row.claimed_until < now)
    first_of_user = ~select(earlier.id).where(earlier.openid == row.openid, earlier.id < row.id,
                                              earlier.done_at.is_(None)).exists()
    due = and_(row.done_at.is_(None), row.next_attempt_at <= now, free, first_of_user)
    with db.transaction() as s:
        ids = select(row.id).where(due).order_by(row.id).limit(batch)
        # `due` again in the UPDATE: a row another replica leased meanwhile stays theirs
        claimed = s.execute(update(row).where(row.id.in_(ids.scalar_subquery()), due)
                            .values(claim_token=token, claimed_until=now + LEASE)
                            .execution_options(synchronize_session=False)).rowcount
    return token if claimed else None


def _record(db: Database, row_id: int, lease: str, **values) -> bool:
    """Writes progress or the outcome unless the lease ran out (the row is another's now)."""
    with db.transaction() as s:
        return s.execute(update(WeChatOutbox).where(WeChatOutbox.id == row_id,
                                                    WeChatOutbox.claim_token == lease)
                         .values(**values).execution_options(synchronize_session=False)
                         ).rowcount == 1


@dataclass
class Delivery:
    sent: int = 0  # messages
    failed: int = 0  # rows that wait for a retry
    expired: int = 0  # rows dropped after 48 h
    refused: int = 0  # rows WeChat will never take


def deliver(db: Database, send: Callable[[str, str], None],
            permanent: Callable[[Exception], bool], now: dt.datetime | None = None) -> Delivery:
    """Sends what is due now. `send(openid, text)` raises on failure; `permanent(error)` tells
    a refusal no retry fixes from one that a retry may."""
    now = now or utcnow()
    result = Delivery()
    lease = claim(db, now)
    if lease is None:
        return result
    with db.session() as s:
        rows = s.execute(select(WeChatOutbox).where(WeChatOutbox.claim_token == lease)
                         .order_by(WeChatOutbox.id)).scalars().all()
    done = {"claim_token": None, "claimed_until": None, "chunks": []}
    for row in rows:
        if now - row.received_at > WINDOW:
            if _record(db, row.id, lease, done_at=now, outcome="expired", **done):
                result.expired += 1
                logger.warning("wechat outbox: %d message(s) of row %d expired unsent (48 h)",
                               len(row.chunks) - row.sent, row.id)
            continue
        sent = row.sent
        try:
            for text in row.chunks[row.sent:]:
                send(row.openid, text)
                sent += 1
                result.sent += 1
                if not _record(db, row.id, lease, sent=sent):
                    break  # the lease ran out mid-row: the row is someone else's now
            else:
                _record(db, row.id, lease, done_at=utcnow(), outcome="sent", last_error=None,
                        **done)
        except Exception as err:  # noqa: BLE001 (every failure is recorded; none ends the loop)
            reason = str(getattr(err, "errcode", "")) or type(err).__name__
            if permanent(err):
                result.refused += 1
                _record(db, row.id, lease, done_at=now, outcome="refused", last_error=reason,
                        **done)
                logger.warning("wechat outbox: row %d refused (%s); dropped", row.id, reason)
            else:
                result.failed += 1
                attempts = row.attempts + 1
                _record(db, row.id, lease, claim_token=None, claimed_until=None,
                        attempts=attempts, last_error=reason,
                        next_attempt_at=now + backoff(attempts))
                logger.warning("wechat outbox: row %d not sent (%s, attempt %d); retry in %d s",
                               row.id, reason, attempts, backoff(attempts).total_seconds())
    return result


def counts(db: Database) -> dict[str, int]:
    """Rows by outcome; "pending" for those not done."""
    with db.session() as s:
        found = dict(s.execute(select(func.coalesce(WeChatOutbox.outcome, "pending"),
                                      func.count()).group_by(WeChatOutbox.outcome)).all())
    return {name: found.get(name, 0) for name in ("pending", "sent", "expired", "refused")}


def expire_unsent(session, now: dt.datetime) -> int:
    """Rows past WeChat's 48 h window that no sender took (the channel switched off, every
    replica down) lose their text and count as expired, inside the caller's transaction: the
    daily retention (bot/privacy/retention.py) calls this, so a user's words never wait here
    longer than the window plus a day."""
    return session.execute(
        update(WeChatOutbox).where(WeChatOutbox.done_at.is_(None),
                                   WeChatOutbox.received_at < now - WINDOW)
        .values(done_at=now, outcome="expired", chunks=[], claim_token=None,
                claimed_until=None).execution_options(synchronize_session=False)).rowcount


def prune(db: Database, now: dt.datetime | None = None) -> int:
    """Deletes rows done more than a week ago (the counts go with them)."""
    with db.transaction() as s:
        return s.execute(delete(WeChatOutbox).where(
            WeChatOutbox.done_at < (now or utcnow()) - KEEP_DONE)).rowcount
