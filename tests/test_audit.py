"""The audit log: every sign-in, failure, view of personal data, export, status change and
account change is there with time, person, IP and result; the database refuses changes and
early deletions; the auditor searches it, and reading it is itself recorded."""
from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from bot import settings
from bot.leads.store import Draft, LeadStore
from bot.portal.app import create_app
from bot.portal.audit import AuditEntry, record
from bot.privacy.retention import Periods
from knowledge.storage import database, utcnow
from tests.conftest import fresh_database
from tests.inprocess import serving
from tests.staff_client import PASSWORD, StaffClient, TEST_ACTOR, make_account


@pytest.fixture(scope="module")
def portal(db):
    with serving(create_app()) as base:
        yield base


def trail(db, actor: str) -> list[AuditEntry]:
    with db.session() as s:
        return s.execute(select(AuditEntry).where(AuditEntry.actor == actor)
                         .order_by(AuditEntry.id)).scalars().all()


def test_what_staff_do_is_recorded_with_time_person_ip_and_result(portal, db):
    lead, _ = LeadStore(db).file(uuid.uuid4().hex, Draft(
        "trademark", "冒用注册商标卖茶油", "信丰县某超市", None, "发票", "钱女士", "13955556666",
        "rest"))
    name = make_account(db, "agent")
    client = StaffClient(portal)
    client.sign_in(name, "wrong password")
    client.sign_in(name)
    client.get(f"/staff/desk/{lead.ticket}")
    client.post(f"/staff/desk/{lead.ticket}", {"status": "accepted", "note": "已联系钱女士"})
    client.get("/staff/desk/export.csv", status="accepted")
    client.get("/staff/admin/accounts")  # not the agent's: denied
    client.post("/staff/logout")
    started = utcnow() - dt.timedelta(minutes=5)
    rows = trail(db, name)
    assert [(e.action, e.result) for e in rows] == [
        ("sign_in", "failed"), ("sign_in", "ok"), ("view", "ok"), ("status", "ok"),
        ("view", "ok"),  # the case page again after saving: it shows the data again
        ("export", "ok"), ("access", "denied"), ("sign_out", "ok")]
    assert all(e.ip == "127.0.0.1" and e.at > started for e in rows)
    assert all(e.role == "agent" for e in rows[1:])
    assert rows[2].target == rows[3].target == lead.ticket
    assert rows[3].detail == "新登记 → 已受理；加了备注"  # the note's words are not here
    assert rows[5].detail.endswith("件；筛选：status=accepted")
    dump = " ".join(f"{e.target} {e.detail}" for e in rows)
    assert "13955556666" not in dump and "钱女士" not in dump


def test_account_changes_are_recorded(portal, db):
    admin = make_account(db, "admin")
    client = StaffClient(portal)
    client.sign_in(admin)
    new = f"new{uuid.uuid4().hex[:6]}"
    client.post("/staff/admin/accounts", {"username": new, "display_name": "新人",
                                          "role": "agent"})
    assert [(e.action, e.target, e.detail) for e in trail(db, admin)
            if e.action == "account"] == [("account", new, "新建，角色：坐席")]


def test_the_database_refuses_changes_and_early_deletions(tmp_path):
    db = database(fresh_database(tmp_path, "audit.db"))
    old = utcnow() - dt.timedelta(days=settings.AUDIT_MINIMUM_DAYS + 1)
    with db.transaction() as s:
        record(s, TEST_ACTOR, "sign_in", now=old)
        record(s, TEST_ACTOR, "sign_in")
    for statement in ("UPDATE audit_log SET result = 'ok', actor = 'someone else'",
                      "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="audit_log"), db.transaction() as s:
            s.execute(text(statement))
    with db.transaction() as s:  # past 180 days, an entry may go (retention)
        assert s.execute(text("DELETE FROM audit_log WHERE at < :t"),
                         {"t": utcnow() - dt.timedelta(days=180)}).rowcount == 1
    with db.session() as s:
        assert s.execute(select(AuditEntry.actor)).scalars().all() == ["cli:tests"]


def test_the_log_is_kept_at_least_180_days(monkeypatch):
    with pytest.raises(ValueError, match="180"):
        Periods(1, 90, 365, 180, 365, 2, 179)
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "30")
    with pytest.raises(ValueError, match="AUDIT_RETENTION_DAYS"):
        settings.audit_retention_days()


def test_the_auditor_searches_and_exports_and_that_is_recorded(portal, db):
    agent = make_account(db, "agent")
    StaffClient(portal).sign_in(agent, "=HYPERLINK(\"x\")")  # a failure worth finding
    auditor = make_account(db, "auditor")
    client = StaffClient(portal)
    client.sign_in(auditor)
    r = client.get("/staff/audit", actor=agent, action="sign_in", result="failed")
    assert r.status_code == 200 and agent in r.text and "共 1 条" in r.text
    assert "共 0 条" in client.get("/staff/audit", actor=agent, result="ok").text
    assert "筛选条件有误" in client.get("/staff/audit", action="drop table").text
    r = client.get("/staff/audit.csv", actor=agent)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间（北京）", "人员", "角色"] and rows[1][1] == agent
    mine = [(e.action, e.target) for e in trail(db, auditor)]
    # signing in lands on the log (the auditor's only page), then three searches, one export
    assert mine[1:] == [("audit_search", "audit_log")] * 4 + [("export", "audit_log")]


def test_a_crafted_username_cannot_become_a_formula_in_the_export(portal, db):
    StaffClient(portal).sign_in("=cmd|' /C calc'!A0", PASSWORD)
    client = StaffClient(portal)
    client.sign_in(make_account(db, "auditor"))
    r = client.get("/staff/audit.csv", action="sign_in", result="failed")
    cells = [c for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig"))) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
