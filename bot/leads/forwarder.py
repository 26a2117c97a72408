"""Sends new leads to the protection centre's endpoint from the outbox, retrying with backoff.

    python -m bot forwarder      # runs until stopped; idles while LEADS_FORWARD_URL is unset

Filing a lead only adds an outbox row in the same transaction, so a lead is never lost when
the endpoint is down: its row waits, with exponential backoff capped at an hour, and goes out
later. Workers lease rows with one conditional UPDATE, so several of them never send the same
lead at once; a lease that runs out (a worker killed mid-send) lets another worker retry. The
receiver may therefore see a lead twice and should treat the ticket as the idempotency key.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import signal
import time

import requests
from sqlalchemy import and_, or_, select, update

from bot import settings
from bot.leads.models import Lead, LeadOutbox
from knowledge.storage import Database, database, utcnow

logger = logging.getLogger("bot.leads.forwarder")

BATCH = 10
TIMEOUT = 10  # seconds per request
LEASE = dt.timedelta(seconds=TIMEOUT * BATCH + 60)  # longer than a whole batch can take
BACKOFF_FIRST = dt.timedelta(seconds=10)
BACKOFF_CAP = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: 10 s, 20 s, 40 s … at most an hour."""
    return min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, attempts - 1))


def payload(lead: Lead) -> dict:
    return {"ticket": lead.ticket, "kind": lead.kind, "what": lead.what, "place": lead.place,
            "county": lead.county, "who": lead.who, "evidence": lead.evidence,
            "name": lead.name, "phone": lead.phone, "channel": lead.channel,
            "created_at": lead.created_at.isoformat(timespec="seconds") + "Z"}


def claim(db: Database, now: dt.datetime, batch: int = BATCH) -> str | None:
    """Leases up to `batch` due rows to a fresh token; None when nothing is due."""
    token = secrets.token_hex(16)
    free = or_(LeadOutbox.claimed_until.is_(None), LeadOutbox.claimed_until < now)
    due = and_(LeadOutbox.done_at.is_(None), LeadOutbox.next_attempt_at <= now, free)
    with db.transaction() as s:
        ids = select(LeadOutbox.id).where(due).order_by(LeadOutbox.next_attempt_at).limit(batch)
        # `due` is checked again by the UPDATE itself: a row another worker leased between the
        # sub-select and the write no longer matches and stays theirs.
        claimed = s.execute(update(LeadOutbox).where(LeadOutbox.id.in_(ids.scalar_subquery()), due)
                            .values(claim_token=token, claimed_until=now + LEASE)
                            .execution_options(synchronize_session=False)).rowcount
    return token if claimed else None


def _finish(db: Database, row: LeadOutbox, lease: str, values: dict,
            lead_values: dict | None = None) -> None:
    """Records the outcome, unless the lease ran out and the row is another worker's now."""
    with db.transaction() as s:
        mine = s.execute(update(LeadOutbox).where(LeadOutbox.id == row.id,
                                                  LeadOutbox.claim_token == lease)
                         .values(claim_token=None, claimed_until=None, **values)
                         .execution_options(synchronize_session=False)).rowcount
        if mine and lead_values:
            s.execute(update(Lead).where(Lead.id == row.lead_id, Lead.status == "new")
                      .values(**lead_values).execution_options(synchronize_session=False))


def send(lead: Lead, target: str, token: str) -> str | None:
    """None when the endpoint took the lead, else a short reason without personal data."""
    headers = {"Idempotency-Key": lead.ticket}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        r = requests.post(target, json=payload(lead), headers=headers, timeout=TIMEOUT)
    except requests.RequestException as err:
        return type(err).__name__
    return None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"


def run_once(db: Database, target: str, token: str = "",
             now: dt.datetime | None = None) -> tuple[int, int]:
    """Sends what is due now; returns (sent, failed)."""
    now = now or utcnow()
    lease = claim(db, now)
    if lease is None:
        return 0, 0
    with db.session() as s:
        rows = s.execute(select(LeadOutbox, Lead).join(Lead, Lead.id == LeadOutbox.lead_id)
                         .where(LeadOutbox.claim_token == lease)).all()
    sent = failed = 0
    for row, lead in rows:
        if lead.status != "new":  # staff already passed it on by hand (export) or closed it
            _finish(db, row, lease, {"done_at": now, "last_error": f"skipped: {lead.status}"})
            continue
        problem = send(lead, target, token)
        attempts = row.attempts + 1
        if problem is None:
            sent += 1
            _finish(db, row, lease, {"done_at": now, "attempts": attempts, "last_error": None},
                    {"status": "forwarded", "forwarded_at": now, "updated_at": now})
            logger.info("lead %s forwarded", lead.ticket)
        else:
            failed += 1
            wait = backoff(attempts)
            _finish(db, row, lease, {"attempts": attempts, "last_error": problem,
                                     "next_attempt_at": now + wait})
            logger.warning("lead %s not forwarded (%s, attempt %d); retry in %d s",
                           lead.ticket, problem, attempts, wait.total_seconds())
    return sent, failed


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    target = settings.leads_forward_url()
    db = database(settings.database_url())
    if not target:
        logger.info("LEADS_FORWARD_URL is not set: leads wait for staff to export them")
    try:
        while not stopping:
            if target:
                try:
                    run_once(db, target, settings.leads_forward_token())
                except Exception:  # a database hiccup must not end the loop
                    logger.exception("forwarding round failed; trying again")
            time.sleep(settings.leads_forward_poll_seconds())
    except KeyboardInterrupt:
        pass
    return 0
