"""Tables of what citizens ask staff to act on — complaint leads and call-back requests — in
the application database beside the knowledge base. Both follow the same statuses; the desk
(bot/leads/cases.py) lists them together as cases."""
from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, SmallInteger, String, Text

from knowledge.storage import Base, utcnow

STATUSES = ("new", "forwarded", "accepted", "closed")
KINDS = ("patent", "trademark", "gi", "agency", "other")


class Lead(Base):
    __tablename__ = "lead"
    id = Column(Integer, primary_key=True)
    ticket = Column(String(24), nullable=False, unique=True)
    # The form's draft id: a repeated confirmation finds this row instead of adding one.
    submission_key = Column(String(64), nullable=False, unique=True)
    status = Column(String(16), nullable=False, default="new", index=True)
    kind = Column(String(16), nullable=False, index=True)
    what = Column(Text, nullable=False)
    place = Column(Text, nullable=False)
    county = Column(String(32), index=True)  # the division `place` names, for filtering
    who = Column(Text)  # optional: citizens often do not know
    evidence = Column(Text, nullable=False)
    name = Column(String(64), nullable=False)
    phone = Column(String(20), nullable=False)
    channel = Column(String(32), nullable=False)
    consent_at = Column(DateTime, nullable=False)  # the privacy notice was accepted then
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    forwarded_at = Column(DateTime)
    closed_at = Column(DateTime)
    anonymised_at = Column(DateTime)
    # Wrong ticket/phone pairs in a row: the status query locks after a few (4 digits are few).
    status_failures = Column(Integer, nullable=False, default=0)
    status_failed_at = Column(DateTime)


class LeadOutbox(Base):
    """One row per lead to forward. A worker leases a row (claim_token, claimed_until) so that
    several workers never send the same lead at once; an expired lease is claimable again."""
    __tablename__ = "lead_outbox"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id"), nullable=False, unique=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    claim_token = Column(String(32))
    claimed_until = Column(DateTime)
    last_error = Column(String(200))  # status code or exception type: never the payload
    done_at = Column(DateTime, index=True)


class CallbackRequest(Base):
    """A citizen who asked for a person: the question and the number to call back, given after
    consent. Nothing else (PIPL art. 6: the minimum)."""
    __tablename__ = "callback_request"
    id = Column(Integer, primary_key=True)
    ticket = Column(String(24), nullable=False, unique=True)
    submission_key = Column(String(64), nullable=False, unique=True)  # the form's draft id
    status = Column(String(16), nullable=False, default="new", index=True)
    question = Column(Text, nullable=False)
    phone = Column(String(20), nullable=False)
    channel = Column(String(32), nullable=False)
    # The working days the citizen was promised (CALLBACK_WORKING_DAYS when filed).
    promised_days = Column(SmallInteger, nullable=False)
    consent_at = Column(DateTime, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)  # the last status change
    forwarded_at = Column(DateTime)
    closed_at = Column(DateTime)
    anonymised_at = Column(DateTime)
    status_failures = Column(Integer, nullable=False, default=0)
    status_failed_at = Column(DateTime)


class CaseNote(Base):
    """A lead's or call-back's history: status changes and staff notes, oldest first. Who did
    what is also in the audit log; the note's words are here only (they may name people, so
    they expire with the case)."""
    __tablename__ = "case_note"
    id = Column(Integer, primary_key=True)
    ticket = Column(String(24), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    staff = Column(String(64), nullable=False)
    from_status = Column(String(16))
    to_status = Column(String(16))
    note = Column(Text)
