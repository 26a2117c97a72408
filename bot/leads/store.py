"""Leads in the application database: filing and the citizen's status query (actions/leads.py
calls these). What staff do with leads and call-backs is in cases.py; retention in bot/privacy.
Each method is one transaction."""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.leads.models import Lead, LeadOutbox
from knowledge.models import Division
from knowledge.storage import Database, insert_or_ignore, utcnow

# Crockford's base32: no I, L, O or U, so a ticket read out on the phone is not misheard.
TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TICKET_TRIES = 8
LEAD_PREFIX = "GZ"
# Four digits are 10 000 guesses: a ticket's status query locks for a day after a few misses.
STATUS_LOCK_AFTER = 5
STATUS_LOCK_FOR = dt.timedelta(hours=24)
ANONYMISED = "（已匿名）"


@dataclass(frozen=True)
class Draft:
    """A lead as the form collected it, every field already checked by `bot.leads.fields`."""
    kind: str
    what: str
    place: str
    who: str | None
    evidence: str
    name: str
    phone: str
    channel: str


class StatusLocked(Exception):
    pass


def new_ticket(day: dt.date, prefix: str = LEAD_PREFIX) -> str:
    return f"{prefix}-{day:%Y%m%d}-" + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(5))


def county_in(s, text: str) -> str | None:
    """The county-level division a place names ("南康家具市场" → 南康区), longest name first."""
    names = []
    for division in s.execute(select(Division)).scalars():
        names += [(variant, division.name) for variant in [division.name, *division.aliases]]
    return next((canonical for variant, canonical in sorted(names, key=lambda n: -len(n[0]))
                 if variant in text), None)


def status_query(s, model, ticket: str, last4: str, now: dt.datetime):
    """The row of `model` (a lead or a call-back) if the ticket and the phone's last four
    digits match, else None — the same answer for both, so the query does not tell which
    tickets exist. Raises StatusLocked after STATUS_LOCK_AFTER misses within a day."""
    row = s.execute(select(model).where(model.ticket == ticket)).scalar_one_or_none()
    if row is None:
        return None
    recent = row.status_failed_at and row.status_failed_at > now - STATUS_LOCK_FOR
    if recent and row.status_failures >= STATUS_LOCK_AFTER:
        raise StatusLocked(ticket)
    if row.anonymised_at is None and hmac.compare_digest(row.phone[-4:], last4):
        if row.status_failures:
            row.status_failures = 0
        return row
    s.execute(update(model).where(model.id == row.id).values(
        status_failures=(model.status_failures + 1) if recent else 1,
        status_failed_at=now).execution_options(synchronize_session=False))
    return None


class LeadStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def file(self, key: str, draft: Draft,
             now: dt.datetime | None = None) -> tuple[Lead, bool]:
        """The lead for this submission key, and whether this call filed it. The same key again
        (a retried or double-tapped confirmation) returns the first lead and files nothing."""
        at = now or utcnow()
        for _ in range(TICKET_TRIES):
            try:
                with self.db.transaction() as s:
                    ticket = new_ticket(at.date())
                    filed = insert_or_ignore(s, Lead, ["submission_key"], dict(
                        ticket=ticket, submission_key=key, status="new", kind=draft.kind,
                        what=draft.what, place=draft.place, county=county_in(s, draft.place),
                        who=draft.who or None, evidence=draft.evidence, name=draft.name,
                        phone=draft.phone, channel=draft.channel, consent_at=at, created_at=at,
                        updated_at=at, status_failures=0))
                    lead = s.execute(select(Lead).where(Lead.submission_key == key)).scalar_one()
                    if filed:  # the outbox row in the same transaction: never a lead without one
                        s.add(LeadOutbox(lead_id=lead.id, next_attempt_at=at, attempts=0))
                    return lead, filed
            except IntegrityError:
                continue  # the random ticket was taken: draw another
        raise RuntimeError(f"no unused ticket number after {TICKET_TRIES} tries")

    def status(self, ticket: str, last4: str, now: dt.datetime | None = None) -> Lead | None:
        with self.db.transaction() as s:
            return status_query(s, Lead, ticket, last4, now or utcnow())
