"""Leads in the database: filing once per submission, tickets, status query, staff changes,
audit and retention."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.leads import store
from bot.leads.models import Lead, LeadAudit, LeadOutbox
from knowledge.storage import database
from tests.conftest import fresh_database


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


def test_status_changes_follow_the_workflow_and_are_audited(leads, db):
    lead, _ = leads.file(key(), draft())
    assert leads.set_status(lead.ticket, "accepted", "李科长").status == "accepted"
    with pytest.raises(ValueError, match="accepted → new"):
        leads.set_status(lead.ticket, "new", "李科长")
    closed = leads.set_status(lead.ticket, "closed", "李科长")
    assert closed.closed_at is not None
    assert leads.set_status("GZ-20000101-AAAAA", "closed", "李科长") is None
    with db.session() as s:
        details = s.execute(select(LeadAudit.detail).where(
            LeadAudit.ticket == lead.ticket, LeadAudit.action == "status")
            .order_by(LeadAudit.id)).scalars().all()
    assert details == ["new → accepted", "accepted → closed"]


def test_view_and_export_are_audited(leads, db):
    who = f"审计员{key()[:6]}"  # only this test's entries
    lead, _ = leads.file(key(), draft(kind="gi", place="赣县区某农贸市场"))
    assert leads.view(lead.ticket, who).phone == "13912345678"
    rows = leads.export(store.Filter(kind="gi", county="赣县区"), who)
    assert lead.ticket in [r.ticket for r in rows]
    with db.session() as s:
        audit = s.execute(select(LeadAudit).where(LeadAudit.staff == who)
                          .order_by(LeadAudit.id)).scalars().all()
    assert [(a.action, a.ticket) for a in audit] == [("view", lead.ticket), ("export", None)]
    assert audit[1].detail == f"{len(rows)} leads; kind=gi county=赣县区"


def test_filters_by_status_kind_county_and_date(leads, db):
    day = dt.datetime(2026, 3, 14, 9)
    lead, _ = leads.file(key(), draft(kind="agency", place="瑞金市红都大道"), now=day)
    one_day = store.Filter(kind="agency", county="瑞金市", since=day.date(), until=day.date())
    assert [r.ticket for r in leads.find(one_day)[1]] == [lead.ticket]
    assert leads.find(store.Filter(kind="agency", since=day.date() + dt.timedelta(days=1)))[0] \
        == count(db, (Lead.kind == "agency") & (Lead.created_at >= day + dt.timedelta(days=1)))
    assert lead.ticket not in [r.ticket for r in leads.find(store.Filter(status="closed"))[1]]


@pytest.fixture
def own_db(tmp_path) -> str:
    """Retention counts every lead in the database: these tests get one of their own."""
    return fresh_database(tmp_path, "retention.db")


@pytest.fixture
def own(own_db) -> store.LeadStore:
    return store.LeadStore(database(own_db))


def test_retention_anonymises_only_old_closed_leads(own, own_db):
    old, _ = own.file(key(), draft(name="赵六"))
    recent, _ = own.file(key(), draft(name="钱七"))
    still_open, _ = own.file(key(), draft(name="孙八"))
    own.set_status(old.ticket, "closed", "s", now=dt.datetime(2025, 1, 1))
    own.set_status(recent.ticket, "closed", "s", now=dt.datetime(2026, 11, 20))
    now = dt.datetime(2026, 11, 26)
    assert own.retention(365, now=now) == 1
    assert own.retention(365, now=now) == 0  # already anonymised
    with database(own_db).session() as s:
        rows = {r.ticket: r for r in s.execute(select(Lead)).scalars()}
    gone = rows[old.ticket]
    assert (gone.name, gone.phone, gone.what, gone.evidence, gone.who) == (
        store.ANONYMISED, "", store.ANONYMISED, store.ANONYMISED, None)
    assert (gone.kind, gone.status, gone.anonymised_at) == ("trademark", "closed", now)
    assert rows[recent.ticket].name == "钱七" and rows[still_open.ticket].name == "孙八"
    assert own.status(old.ticket, "5678") is None  # nothing to match any more


def test_retention_can_delete(own, own_db):
    lead, _ = own.file(key(), draft())
    kept, _ = own.file(key(), draft())
    own.set_status(lead.ticket, "closed", "s", now=dt.datetime(2024, 1, 1))
    assert own.retention(30, remove=True, now=dt.datetime(2024, 3, 1)) == 1
    with database(own_db).session() as s:
        assert s.execute(select(Lead.ticket)).scalars().all() == [kept.ticket]
        assert s.execute(select(func.count()).select_from(LeadOutbox)).scalar() == 1


def test_retention_command_prints_what_it_did(own, own_db, monkeypatch, capsys):
    from bot.launcher.cli import main
    monkeypatch.setenv("DATABASE_URL", own_db)
    monkeypatch.setenv("LEADS_RETENTION_DAYS", "30")
    lead, _ = own.file(key(), draft())
    own.set_status(lead.ticket, "closed", "s", now=dt.datetime(2000, 1, 1))
    assert main(["retention"]) == 0
    assert capsys.readouterr().out == "retention: 1 leads closed more than 30 days ago anonymised\n"
