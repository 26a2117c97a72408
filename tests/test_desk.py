"""The desk over HTTP, as 坐席 use it: the list with its filters and overdue markers, a case's
page (audited) with its history, status changes with notes, the CSV export, and the same
through the JSON API with a personal token. The portal's clock is pinned to a Monday."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid

import pytest
import requests
from sqlalchemy import select

from bot.leads import cases
from bot.leads.callbacks import CallbackDraft, CallbackStore
from bot.leads.store import Draft, LeadStore
from bot.leads.workdays import Calendar
from bot.portal.app import create_app
from bot.portal.audit import AuditEntry
from tests.inprocess import serving
from tests.staff_client import StaffClient, api_token, make_account

NOW = dt.datetime(2025, 3, 10, 2, 0)  # Monday 10:00 in Ganzhou
WEEK = {"from": "2025-03-03", "to": "2025-03-09"}  # only this module's cases were filed then


def at(day: int, hour: int = 1) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour)


@pytest.fixture(scope="module")
def filed(db) -> dict[str, str]:
    leads, calls = LeadStore(db), CallbackStore(db)

    def lead(when, kind, place, phone, what="有人卖假冒我们注册商标的茶油", name="王女士"):
        return leads.file(uuid.uuid4().hex, Draft(kind, what, place, None, "照片", name, phone,
                                                   "rest"), now=when)[0].ticket

    tickets = {
        "late_lead": lead(at(3), "trademark", "南康区家具市场", "13912345678",
                          what='=HYPERLINK("http://x")<b>假冒</b>商标'),
        "fresh_lead": lead(at(7), "patent", "瑞金市红都大道", "0797-8123456"),
        "accepted_lead": lead(at(4), "gi", "赣县区农贸市场", "13800001111"),
        "late_call": calls.file(uuid.uuid4().hex, CallbackDraft(
            "商标续展要什么材料", "13700002222", "wechat"), 2, now=at(3))[0].ticket,
        "fresh_call": calls.file(uuid.uuid4().hex, CallbackDraft(
            "专利费减怎么备案", "13600003333", "rest"), 5, now=at(6))[0].ticket,
    }
    deadlines = cases.Deadlines(Calendar(), {"new": 2, "forwarded": 10, "accepted": 15},
                                NOW.date())
    with db.transaction() as s:
        cases.change(s, tickets["accepted_lead"], "accepted", None, "测试", deadlines, at(4, 3))
    return tickets


@pytest.fixture(scope="module")
def portal(db, filed):
    app = create_app({"CLOCK": lambda: NOW,
                      "CASE_DUE_DAYS": {"new": 2, "forwarded": 10, "accepted": 15}})
    with serving(app) as base:
        yield base


@pytest.fixture(scope="module")
def agent(portal, db) -> StaffClient:
    client = StaffClient(portal)
    client.sign_in(make_account(db, "agent", display_name="张三"))
    return client


def listed(r) -> list[str]:
    return re.findall(r'href="/staff/desk/((?:GZ|HD)-\d{8}-\w{5})"', r.text)


def test_the_list_shows_both_kinds_newest_first_with_masked_phones(agent, filed):
    r = agent.get("/staff/desk", **WEEK)
    # newest first; filed at the same moment: by ticket, descending
    assert listed(r) == [filed["fresh_lead"], filed["fresh_call"], filed["accepted_lead"],
                         filed["late_call"], filed["late_lead"]]
    assert "139****5678" in r.text and "0797-****3456" in r.text and "137****2222" in r.text
    for phone in ("13912345678", "8123456", "13700002222"):
        assert phone not in r.text
    assert "假冒" not in r.text and "续展" not in r.text  # no free text in the list


@pytest.mark.parametrize("params, expected", [
    ({"category": "callback"}, {"late_call", "fresh_call"}),
    ({"category": "lead", "status": "new"}, {"late_lead", "fresh_lead"}),
    ({"kind": "patent"}, {"fresh_lead"}),
    ({"county": "南康区"}, {"late_lead"}),
    ({"status": "accepted"}, {"accepted_lead"}),
    ({"overdue": "1"}, {"late_lead", "late_call"}),
    ({"overdue": "1", "category": "callback"}, {"late_call"}),
    ({"from": "2025-03-06", "to": "2025-03-06"}, {"fresh_call"}),
])
def test_filters(agent, filed, params, expected):
    r = agent.get("/staff/desk", **{**WEEK, **params})
    assert set(listed(r)) == {filed[k] for k in expected}


def test_overdue_cases_are_marked(agent, filed):
    r = agent.get("/staff/desk", **WEEK)
    marked = re.findall(r'<tr class="overdue">\s*<td><a href="/staff/desk/([^"]+)"', r.text)
    assert set(marked) == {filed["late_lead"], filed["late_call"]}
    assert r.text.count("超期</strong>") == 2


@pytest.mark.parametrize("params", [{"status": "open"}, {"from": "26/11/2026"},
                                    {"kind": "' OR 1=1 --"}, {"county": "x" * 500},
                                    {"page": "-1"}])
def test_bad_filters_are_named_and_lose_nothing(agent, params):
    r = agent.get("/staff/desk", **params)
    assert r.status_code == 200 and "筛选条件有误" in r.text


def test_opening_a_case_shows_everything_and_is_audited(agent, db, filed):
    ticket = filed["late_lead"]
    r = agent.get(f"/staff/desk/{ticket}")
    assert r.status_code == 200 and "13912345678" in r.text and "王女士" in r.text
    assert "<b>假冒</b>" not in r.text and "&lt;b&gt;假冒&lt;/b&gt;" in r.text  # shown, not run
    assert "超期" in r.text
    with db.session() as s:
        assert s.execute(select(AuditEntry.actor).where(
            AuditEntry.action == "view", AuditEntry.target == ticket)).scalars().all()
    assert agent.get("/staff/desk/GZ-20000101-00000").status_code == 404
    assert agent.get("/staff/desk/not-a-ticket").status_code == 404


def test_status_changes_with_notes_build_the_history(agent, db):
    ticket = CallbackStore(db).file(uuid.uuid4().hex, CallbackDraft(
        "地理标志怎么用", "13500004444", "rest"), 2, now=dt.datetime(2025, 2, 24, 1))[0].ticket
    r = agent.post(f"/staff/desk/{ticket}", {"status": "forwarded", "note": "转业务科"})
    assert r.status_code == 200 and "已保存" in r.text and 'id="case-status">已转交' in r.text
    r = agent.post(f"/staff/desk/{ticket}", {"status": "", "note": "<script>x</script>已回电"})
    history = re.search(r'<ol class="history" id="history">(.*?)</ol>', r.text, re.S).group(1)
    assert "张三" in history and "新登记 → 已转交" in history and "转业务科" in history
    assert "&lt;script&gt;x&lt;/script&gt;已回电" in history
    r = agent.post(f"/staff/desk/{ticket}", {"status": "new"})
    assert r.status_code == 409 and "不能从“已转交”改为“新登记”" in r.text
    r = agent.post(f"/staff/desk/{ticket}", {"note": "字" * (cases.MAX_NOTE + 1)})
    assert r.status_code == 409 and "500字以内" in r.text
    assert agent.post(f"/staff/desk/{ticket}", {"note": "  "}).status_code == 409
    assert agent.post(f"/staff/desk/{ticket}", {"status": "done"}).status_code == 400


def test_the_export_has_every_field_defuses_formulas_and_is_audited(agent, db, filed):
    r = agent.get("/staff/desk/export.csv", **WEEK, category="lead")
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    by_ticket = {row["编号"]: row for row in rows}
    assert set(by_ticket) == {filed["late_lead"], filed["fresh_lead"], filed["accepted_lead"]}
    late = by_ticket[filed["late_lead"]]
    assert late["电话"] == "13912345678" and late["超期"] == "是"
    assert late["经过"].startswith("'=HYPERLINK")
    with db.session() as s:
        detail = s.execute(select(AuditEntry.detail).where(AuditEntry.action == "export")
                           .order_by(AuditEntry.id.desc()).limit(1)).scalar()
    assert detail == "3件；筛选：category=lead since=2025-03-03 until=2025-03-09"


def test_the_api_does_the_same_with_a_personal_token(portal, db, filed):
    headers = {"Authorization": f"Bearer {api_token(db, 'agent')}"}
    r = requests.get(f"{portal}/staff/api/cases", params={**WEEK, "overdue": "1"},
                     headers=headers, timeout=30)
    body = r.json()
    assert body["total"] == 2 and {c["ticket"] for c in body["cases"]} == {
        filed["late_lead"], filed["late_call"]}
    assert all(c["overdue"] and "****" in c["phone"] for c in body["cases"])
    r = requests.get(f"{portal}/staff/api/cases/{filed['fresh_call']}", headers=headers,
                     timeout=30)
    assert r.json()["phone"] == "13600003333" and r.json()["question"] == "专利费减怎么备案"
    url = f"{portal}/staff/api/cases/{filed['fresh_call']}/status"
    r = requests.post(url, json={"status": "accepted", "note": "已回电"}, headers=headers,
                      timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert requests.post(url, json={"status": "new"}, headers=headers,
                         timeout=30).status_code == 409
    assert requests.post(url, data="not json", headers=headers, timeout=30).status_code == 400
    assert requests.get(f"{portal}/staff/api/cases", params={"limit": "0"}, headers=headers,
                        timeout=30).status_code == 400
    r = requests.get(f"{portal}/staff/api/cases.csv", params=WEEK, headers=headers, timeout=30)
    header = next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert header[:3] == ["category", "ticket", "status"] and "phone" in header
