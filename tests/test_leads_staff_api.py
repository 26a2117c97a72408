"""The staff endpoints for leads, on the portal made by create_app, served in-process."""
from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import select

from bot.leads import store
from bot.leads.models import Lead, LeadAudit
from bot.portal.app import create_app
from bot.portal.staff import authorised
from tests.inprocess import serving

TOKEN = "staff-token-for-tests"
DAY = dt.datetime(2026, 2, 2, 9)  # these tests' leads are the only ones filed that day


@pytest.fixture(scope="module")
def api(kb_url):
    with serving(create_app({"STAFF_TOKEN": TOKEN})) as base:
        yield f"{base}/staff/api"


def staff(name: str = "%E5%BC%A0%E4%B8%89") -> dict:  # 张三, URL-encoded as headers must be
    return {"Authorization": f"Bearer {TOKEN}", "X-Staff-Name": name}


@pytest.fixture(scope="module")
def filed(api, db) -> list[Lead]:
    leads = []
    for kind, place, phone, what in [
        ("trademark", "章贡区某商场", "13912345678", "=HYPERLINK(\"http://x\")假冒商标"),
        ("patent", "瑞金市某工厂", "0797-8123456", "仿造我们的实用新型专利产品"),
        ("trademark", "南康区家具市场", "13800001111", "冒用我们的注册商标卖沙发"),
    ]:
        lead, _ = store.LeadStore(db).file(uuid.uuid4().hex, store.Draft(
            kind, what, place, None, "照片", "王女士", phone, "rest"), now=DAY)
        leads.append(lead)
    return leads


def audit(db, ticket: str | None, action: str) -> list[LeadAudit]:
    with db.session() as s:
        return s.execute(select(LeadAudit).where(LeadAudit.action == action,
                         LeadAudit.ticket.is_(None) if ticket is None else
                         LeadAudit.ticket == ticket)).scalars().all()


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": TOKEN},
])
def test_requests_without_the_staff_token_are_refused(api, db, filed, headers):
    for method, path in [("get", "/leads"), ("get", "/leads.csv"),
                         ("get", f"/leads/{filed[0].ticket}"),
                         ("post", f"/leads/{filed[0].ticket}/status")]:
        r = requests.request(method, api + path, headers=headers, json={"status": "closed"},
                             timeout=10)
        assert r.status_code == 401, (method, path)
        assert "13912345678" not in r.text
    with db.session() as s:
        assert s.execute(select(Lead.status).where(Lead.ticket == filed[0].ticket)).scalar() \
            == "new"


def test_no_configured_token_refuses_everyone():
    app = SimpleNamespace(config=SimpleNamespace(STAFF_TOKEN=""))
    assert not authorised(SimpleNamespace(app=app, headers={"authorization": "Bearer "}))


def test_list_filters_and_masks_phone_numbers(api, db, filed):
    day = DAY.date().isoformat()
    r = requests.get(api + "/leads", params={"from": day, "to": day}, headers=staff(),
                     timeout=10)
    assert r.status_code == 200 and r.json()["total"] == 3
    phones = {lead["ticket"]: lead["phone"] for lead in r.json()["leads"]}
    assert phones == {filed[0].ticket: "139****5678", filed[1].ticket: "0797-****3456",
                      filed[2].ticket: "138****1111"}
    assert "13912345678" not in r.text and "假冒商标" not in r.text
    r = requests.get(api + "/leads", params={"from": day, "to": day, "kind": "trademark",
                                             "county": "南康区"}, headers=staff(), timeout=10)
    assert [lead["ticket"] for lead in r.json()["leads"]] == [filed[2].ticket]
    assert not audit(db, filed[2].ticket, "view")  # masked lists are not audited


@pytest.mark.parametrize("params", [{"status": "open"}, {"kind": "copyright"},
                                    {"from": "26/11/2026"}, {"limit": "0"}, {"offset": "x"}])
def test_bad_filters_are_named(api, params):
    r = requests.get(api + "/leads", params=params, headers=staff(), timeout=10)
    assert r.status_code == 400 and list(params)[0] in r.json()["error"]


def test_full_view_is_audited_with_who_and_when(api, db, filed):
    r = requests.get(f"{api}/leads/{filed[1].ticket}", headers=staff(), timeout=10)
    assert r.status_code == 200 and r.json()["phone"] == "0797-8123456"
    entries = audit(db, filed[1].ticket, "view")
    assert [(e.staff, e.action) for e in entries] == [("张三", "view")]
    assert abs(entries[0].at - dt.datetime.utcnow()) < dt.timedelta(minutes=1)
    assert requests.get(f"{api}/leads/GZ-20000101-AAAAA", headers=staff(),
                        timeout=10).status_code == 404


def test_export_has_every_field_defuses_formulas_and_is_audited(api, db, filed):
    day = DAY.date().isoformat()
    r = requests.get(api + "/leads.csv", params={"from": day, "to": day},
                     headers=staff("Li%20Wei"), timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    by_ticket = {row["ticket"]: row for row in rows}
    assert set(by_ticket) == {lead.ticket for lead in filed}
    assert by_ticket[filed[0].ticket]["phone"] == "13912345678"
    assert by_ticket[filed[0].ticket]["what"].startswith("'=HYPERLINK")
    exports = [e for e in audit(db, None, "export") if e.staff == "Li Wei"]
    assert len(exports) == 1 and exports[0].detail.startswith("3 leads; since=2026-02-02")


def test_status_changes(api, db, filed):
    url = f"{api}/leads/{filed[2].ticket}/status"
    r = requests.post(url, json={"status": "accepted"}, headers=staff(), timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert r.json()["phone"] == "138****1111"
    assert requests.post(url, json={"status": "new"}, headers=staff(),
                         timeout=10).status_code == 409
    assert requests.post(url, json={"status": "done"}, headers=staff(),
                         timeout=10).status_code == 400
    assert requests.post(f"{api}/leads/GZ-20000101-AAAAA/status", json={"status": "closed"},
                         headers=staff(), timeout=10).status_code == 404
    assert [e.detail for e in audit(db, filed[2].ticket, "status")] == ["new → accepted"]
