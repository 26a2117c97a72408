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


def draft(**changes) -> store.Draft:
    values = dict(kind="trademark", what="有人在网店卖假冒我们注册商标的茶油",
                  place="南康区家具市场二楼", who=None, evidence="购买订单截图",
                  name="王女士", phone="13912345678", channel="rest")
    values.update(changes)
    return store.Draft(**values)


def key() -> str:
    return uuid.uuid4().hex


def count(where) -> int:
    with store.session() as s:
        return s.execute(select(func.count()).select_from(Lead).where(where)).scalar()


def test_filing_stores_the_lead_with_ticket_county_and_an_outbox_row(kb_url):
    lead, filed = store.file(key(), draft())
    assert filed and re.fullmatch(r"GZ-\d{8}-[0-9A-HJKMNP-TV-Z]{5}", lead.ticket)
    with store.session() as s:
        row = s.execute(select(Lead).where(Lead.ticket == lead.ticket)).scalar_one()
        outbox = s.execute(select(LeadOutbox).where(LeadOutbox.lead_id == row.id)).scalar_one()
    assert (row.status, row.county, row.phone, row.channel) == ("new", "南康区", "13912345678",
                                                                "rest")
    assert row.created_at and row.consent_at and outbox.done_at is None


def test_the_same_submission_key_never_files_twice_even_at_once(kb_url):
    same = key()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: store.file(same, draft()), range(8)))
    assert sum(filed for _, filed in results) == 1
    assert len({lead.ticket for lead, _ in results}) == 1
    assert count(Lead.submission_key == same) == 1


def test_a_taken_ticket_number_is_drawn_again(kb_url, monkeypatch):
    first, _ = store.file(key(), draft())
    drawn = iter([first.ticket, first.ticket, "GZ-20261126-ZZZZ9"])
    monkeypatch.setattr(store, "new_ticket", lambda day: next(drawn))
    lead, filed = store.file(key(), draft())
    assert filed and lead.ticket == "GZ-20261126-ZZZZ9"


def test_status_needs_the_matching_last_four_digits(kb_url):
    lead, _ = store.file(key(), draft(phone="0797-8123456"))
    assert store.status(lead.ticket, "3456").status == "new"
    assert store.status(lead.ticket, "5678") is None
    assert store.status("GZ-20000101-AAAAA", "3456") is None  # the same answer: nothing leaks


def test_status_locks_after_repeated_misses(kb_url):
    lead, _ = store.file(key(), draft())
    now = dt.datetime(2026, 11, 26, 8)
    for _ in range(store.STATUS_LOCK_AFTER):
        assert store.status(lead.ticket, "0000", now=now) is None
    with pytest.raises(store.StatusLocked):
        store.status(lead.ticket, "5678", now=now)
    later = now + store.STATUS_LOCK_FOR + dt.timedelta(minutes=1)
    assert store.status(lead.ticket, "5678", now=later).ticket == lead.ticket


def test_status_changes_follow_the_workflow_and_are_audited(kb_url):
    lead, _ = store.file(key(), draft())
    assert store.set_status(lead.ticket, "accepted", "李科长").status == "accepted"
    with pytest.raises(ValueError, match="accepted → new"):
        store.set_status(lead.ticket, "new", "李科长")
    closed = store.set_status(lead.ticket, "closed", "李科长")
    assert closed.closed_at is not None
    assert store.set_status("GZ-20000101-AAAAA", "closed", "李科长") is None
    with store.session() as s:
        details = s.execute(select(LeadAudit.detail).where(
            LeadAudit.ticket == lead.ticket, LeadAudit.action == "status")
            .order_by(LeadAudit.id)).scalars().all()
    assert details == ["new → accepted", "accepted → closed"]


def test_view_and_export_are_audited(kb_url):
    who = f"审计员{key()[:6]}"  # only this test's entries
    lead, _ = store.file(key(), draft(kind="gi", place="赣县区某农贸市场"))
    assert store.view(lead.ticket, who).phone == "13912345678"
    rows = store.export(store.Filter(kind="gi", county="赣县区"), who)
    assert lead.ticket in [r.ticket for r in rows]
    with store.session() as s:
        audit = s.execute(select(LeadAudit).where(LeadAudit.staff == who)
                          .order_by(LeadAudit.id)).scalars().all()
    assert [(a.action, a.ticket) for a in audit] == [("view", lead.ticket), ("export", None)]
    assert audit[1].detail == f"{len(rows)} leads; kind=gi county=赣县区"


def test_filters_by_status_kind_county_and_date(kb_url):
    day = dt.datetime(2026, 3, 14, 9)
    lead, _ = store.file(key(), draft(kind="agency", place="瑞金市红都大道"), now=day)
    one_day = store.Filter(kind="agency", county="瑞金市", since=day.date(), until=day.date())
    assert [r.ticket for r in store.find(one_day)[1]] == [lead.ticket]
    assert store.find(store.Filter(kind="agency", since=day.date() + dt.timedelta(days=1)))[0] \
        == count((Lead.kind == "agency") & (Lead.created_at >= day + dt.timedelta(days=1)))
    assert lead.ticket not in [r.ticket for r in store.find(store.Filter(status="closed"))[1]]


@pytest.fixture
def own_db(tmp_path) -> str:
    """Retention counts every lead in the database: these tests get one of their own."""
    return f"sqlite:///{tmp_path / 'retention.db'}"


def test_retention_anonymises_only_old_closed_leads(own_db):
    old, _ = store.file(key(), draft(name="赵六"), url=own_db)
    recent, _ = store.file(key(), draft(name="钱七"), url=own_db)
    still_open, _ = store.file(key(), draft(name="孙八"), url=own_db)
    store.set_status(old.ticket, "closed", "s", url=own_db, now=dt.datetime(2025, 1, 1))
    store.set_status(recent.ticket, "closed", "s", url=own_db, now=dt.datetime(2026, 11, 20))
    now = dt.datetime(2026, 11, 26)
    assert store.retention(365, url=own_db, now=now) == 1
    assert store.retention(365, url=own_db, now=now) == 0  # already anonymised
    with store.session(own_db) as s:
        rows = {r.ticket: r for r in s.execute(select(Lead)).scalars()}
    gone = rows[old.ticket]
    assert (gone.name, gone.phone, gone.what, gone.evidence, gone.who) == (
        store.ANONYMISED, "", store.ANONYMISED, store.ANONYMISED, None)
    assert (gone.kind, gone.status, gone.anonymised_at) == ("trademark", "closed", now)
    assert rows[recent.ticket].name == "钱七" and rows[still_open.ticket].name == "孙八"
    assert store.status(old.ticket, "5678", url=own_db) is None  # nothing to match any more


def test_retention_can_delete(own_db):
    lead, _ = store.file(key(), draft(), url=own_db)
    kept, _ = store.file(key(), draft(), url=own_db)
    store.set_status(lead.ticket, "closed", "s", url=own_db, now=dt.datetime(2024, 1, 1))
    assert store.retention(30, remove=True, url=own_db, now=dt.datetime(2024, 3, 1)) == 1
    with store.session(own_db) as s:
        assert s.execute(select(Lead.ticket)).scalars().all() == [kept.ticket]
        assert s.execute(select(func.count()).select_from(LeadOutbox)).scalar() == 1


def test_retention_command_prints_what_it_did(own_db, monkeypatch, capsys):
    from bot.leads.__main__ import main
    monkeypatch.setenv("DATABASE_URL", own_db)
    monkeypatch.setenv("LEADS_RETENTION_DAYS", "30")
    lead, _ = store.file(key(), draft(), url=own_db)
    store.set_status(lead.ticket, "closed", "s", url=own_db, now=dt.datetime(2000, 1, 1))
    assert main(["retention"]) == 0
    assert capsys.readouterr().out == "retention: 1 leads closed more than 30 days ago anonymised\n"
