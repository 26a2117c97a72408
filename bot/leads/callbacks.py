"""Call-back requests: a citizen who asked for a person left a question and a phone number
(actions/callbacks.py runs the form). Filing and the citizen's status query; staff work them
in the desk with the leads (cases.py). Each method is one transaction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.leads.models import CallbackRequest
from bot.leads.store import TICKET_TRIES, new_ticket, status_query
from knowledge.storage import Database, insert_or_ignore, utcnow

PREFIX = "HD"  # 回电; leads are GZ-…


@dataclass(frozen=True)
class CallbackDraft:
    question: str
    phone: str
    channel: str


class CallbackStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def file(self, key: str, draft: CallbackDraft, promised_days: int,
             now: dt.datetime | None = None) -> tuple[CallbackRequest, bool]:
        """The request for this submission key, and whether this call filed it (a retried
        action finds the first one and files nothing)."""
        at = now or utcnow()
        for _ in range(TICKET_TRIES):
            try:
                with self.db.transaction() as s:
                    filed = insert_or_ignore(s, CallbackRequest, ["submission_key"], dict(
                        ticket=new_ticket(at.date(), PREFIX), submission_key=key,
                        status="new", question=draft.question, phone=draft.phone,
                        channel=draft.channel, promised_days=promised_days, consent_at=at,
                        created_at=at, updated_at=at, status_failures=0))
                    row = s.execute(select(CallbackRequest)
                                    .where(CallbackRequest.submission_key == key)).scalar_one()
                    return row, filed
            except IntegrityError:
                continue  # the random ticket was taken: draw another
        raise RuntimeError(f"no unused ticket number after {TICKET_TRIES} tries")

    def status(self, ticket: str, last4: str,
               now: dt.datetime | None = None) -> CallbackRequest | None:
        with self.db.transaction() as s:
            return status_query(s, CallbackRequest, ticket, last4, now or utcnow())
