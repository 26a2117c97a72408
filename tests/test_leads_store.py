"""Leads in the database: filing once per submission, tickets, the citizen's status query.
What staff do with them is tests/test_cases.py; retention tests/test_retention.py."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.leads import store
from bot.leads.models import Lead, LeadOutbox


@pytest.fixture(scope="module")
def leads(db) -> store.LeadStore:
    return store.LeadStore(db)


def draft(**changes) -> store.Draft:
    values = dict(kind="trademark", what="有人在网店卖假冒我们注册商标的茶油",
                  place="南康区家具市场二楼", who=None, evidence="购买订单截图",
                  name="王女士", phone="13912345678", channel="rest")
    values.update(changes)
    return store.Draft(**values)


def key() -> str:
    return uuid.uuid4().hex


def count(db, where) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(Lead).where(where)).scalar()


def test_filing_stores_the_lead_with_ticket_county_and_an_outbox_row(leads, db):
    lead, filed = leads.file(key(), draft())
    assert filed and re.fullmatch(r"GZ-\d{8}-[0-9A-HJKMNP-TV-Z]{5}", lead.ticket)
    with db.session() as s:
        row = s.execute(select(Lead).where(Lead.ticket == lead.ticket)).scalar_one()
        outbox = s.execute(select(LeadOutbox).where(LeadOutbox.lead_id == row.id)).scalar_one()
    assert (row.status, row.county, row.phone, row.channel) == ("new", "南康区", "13912345678",
                                                                "rest")
    assert row.created_at and row.consent_at and outbox.done_at is None


def test_the_same_submission_key_never_files_twice_even_at_once(leads, db):
    same = key()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: leads.file(same, draft()), range(8)))
    assert sum(filed for _, filed in results) == 1
    assert len({lead.ticket for lead, _ in results}) == 1
    assert count(db, Lead.submission_key == same) == 1


def test_a_taken_ticket_number_is_drawn_again(leads, db, monkeypatch):
    first, _ = leads.file(key(), draft())
    drawn = iter([first.ticket, first.ticket, "GZ-20261126-ZZZZ9"])
    monkeypatch.setattr(store, "new_ticket", lambda day: next(drawn))
    lead, filed = leads.file(key(), draft())
    assert filed and lead.ticket == "GZ-20261126-ZZZZ9"


def test_status_needs_the_matching_last_four_digits(leads, db):
    lead, _ = leads.file(key(), draft(phone="0797-8123456"))
    assert leads.status(lead.ticket, "3456").status == "new"
    assert leads.status(lead.ticket, "5678") is None
    assert leads.status("GZ-20000101-AAAAA", "3456") is None  # the same answer: nothing leaks


def test_status_locks_after_repeated_misses(leads, db):
    lead, _ = leads.file(key(), draft())
    now = dt.datetime(2026, 11, 26, 8)
    for _ in range(store.STATUS_LOCK_AFTER):
        assert leads.status(lead.ticket, "0000", now=now) is None
    with pytest.raises(store.StatusLocked):
        leads.status(lead.ticket, "5678", now=now)
    later = now + store.STATUS_LOCK_FOR + dt.timedelta(minutes=1)
    assert leads.status(lead.ticket, "5678", now=later).ticket == lead.ticket
