"""Leads in the application database: filing, the citizen's status query, what staff list,
view, change and export (audited), and retention. Each method is one transaction."""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.leads.models import STATUSES, Lead, LeadAudit, LeadOutbox
from knowledge.models import Division
from knowledge.storage import Database, insert_or_ignore, utcnow

# Crockford's base32: no I, L, O or U, so a ticket read out on the phone is not misheard.
TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TICKET_TRIES = 8
# Four digits are 10 000 guesses: a ticket's status query locks for a day after a few misses.
STATUS_LOCK_AFTER = 5
STATUS_LOCK_FOR = dt.timedelta(hours=24)
TRANSITIONS = {"new": {"forwarded", "accepted", "closed"}, "forwarded": {"accepted", "closed"},
               "accepted": {"closed"}, "closed": set()}
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


@dataclass(frozen=True)
class Filter:
    status: str | None = None
    kind: str | None = None
    county: str | None = None
    since: dt.date | None = None  # created on or after
    until: dt.date | None = None  # created on or before

    def where(self) -> list:
        clauses = []
        if self.status:
            clauses.append(Lead.status == self.status)
        if self.kind:
            clauses.append(Lead.kind == self.kind)
        if self.county:
            clauses.append(Lead.county == self.county)
        if self.since:
            clauses.append(Lead.created_at >= dt.datetime.combine(self.since, dt.time()))
        if self.until:
            clauses.append(Lead.created_at < dt.datetime.combine(self.until, dt.time())
                           + dt.timedelta(days=1))
        return clauses

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in vars(self).items() if v]
        return " ".join(parts) or "all"


class StatusLocked(Exception):
    pass


def new_ticket(day: dt.date) -> str:
    return f"GZ-{day:%Y%m%d}-" + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(5))


def _by_ticket(ticket: str):
    return select(Lead).where(Lead.ticket == ticket)


def county_in(s, text: str) -> str | None:
    """The county-level division a place names ("南康家具市场" → 南康区), longest name first."""
    names = []
    for division in s.execute(select(Division)).scalars():
        names += [(variant, division.name) for variant in [division.name, *division.aliases]]
    return next((canonical for variant, canonical in sorted(names, key=lambda n: -len(n[0]))
                 if variant in text), None)


def _audit(s, staff: str, action: str, ticket: str | None, detail: str = "") -> None:
    s.add(LeadAudit(staff=staff, action=action, ticket=ticket, detail=detail[:400]))


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
        """The lead if the ticket and the phone's last four digits match, else None (the same
        answer for both, so the query does not tell which tickets exist)."""
        now = now or utcnow()
        with self.db.transaction() as s:
            lead = s.execute(_by_ticket(ticket)).scalar_one_or_none()
            if lead is None:
                return None
            recent = lead.status_failed_at and lead.status_failed_at > now - STATUS_LOCK_FOR
            if recent and lead.status_failures >= STATUS_LOCK_AFTER:
                raise StatusLocked(ticket)
            if lead.anonymised_at is None and hmac.compare_digest(lead.phone[-4:], last4):
                if lead.status_failures:
                    lead.status_failures = 0
                return lead
            s.execute(update(Lead).where(Lead.id == lead.id).values(
                status_failures=(Lead.status_failures + 1) if recent else 1,
                status_failed_at=now).execution_options(synchronize_session=False))
            return None

    def find(self, flt: Filter, limit: int = 50, offset: int = 0) -> tuple[int, list[Lead]]:
        where = flt.where()
        with self.db.session() as s:
            total = s.execute(select(func.count()).select_from(Lead).where(*where)).scalar()
            rows = s.execute(select(Lead).where(*where).order_by(
                Lead.created_at.desc(), Lead.id.desc()).limit(limit).offset(offset)).scalars().all()
            return total, rows

    def view(self, ticket: str, staff: str) -> Lead | None:
        """The whole lead; the audit entry is committed before anything is shown."""
        with self.db.transaction() as s:
            lead = s.execute(_by_ticket(ticket)).scalar_one_or_none()
            if lead is not None:
                _audit(s, staff, "view", ticket)
        return lead

    def export(self, flt: Filter, staff: str) -> list[Lead]:
        with self.db.transaction() as s:
            rows = s.execute(select(Lead).where(*flt.where())
                             .order_by(Lead.created_at, Lead.id)).scalars().all()
            _audit(s, staff, "export", None, f"{len(rows)} leads; {flt.describe()}")
        return rows

    def set_status(self, ticket: str, new: str, staff: str,
                   now: dt.datetime | None = None) -> Lead | None:
        """None for an unknown ticket; ValueError for a change the workflow does not allow."""
        if new not in STATUSES:
            raise ValueError(f"unknown status {new!r}; one of {', '.join(STATUSES)}")
        now = now or utcnow()
        with self.db.transaction() as s:
            lead = s.execute(_by_ticket(ticket).with_for_update()).scalar_one_or_none()
            if lead is None:
                return None
            if new not in TRANSITIONS[lead.status]:
                raise ValueError(f"{lead.status} → {new} is not allowed")
            _audit(s, staff, "status", ticket, f"{lead.status} → {new}")
            lead.status, lead.updated_at = new, now
            if new == "forwarded":
                lead.forwarded_at = now
            if new == "closed":
                lead.closed_at = now
        return lead

    def retention(self, days: int, remove: bool = False, now: dt.datetime | None = None) -> int:
        """Anonymises (or with remove=True deletes) leads closed more than `days` days ago.
        Kind, county, channel, status and dates stay for statistics; returns how many."""
        now = now or utcnow()
        due = [Lead.status == "closed", Lead.closed_at < now - dt.timedelta(days=days)]
        with self.db.transaction() as s:
            if remove:
                ids = select(Lead.id).where(*due)
                s.execute(delete(LeadOutbox).where(LeadOutbox.lead_id.in_(ids))
                          .execution_options(synchronize_session=False))
                return s.execute(delete(Lead).where(*due)
                                 .execution_options(synchronize_session=False)).rowcount
            return s.execute(update(Lead).where(*due, Lead.anonymised_at.is_(None)).values(
                what=ANONYMISED, place=ANONYMISED, who=None, evidence=ANONYMISED,
                name=ANONYMISED, phone="", anonymised_at=now)
                .execution_options(synchronize_session=False)).rowcount
