"""Editing answers with approval in the staff portal, over real HTTP (the portal in-process on a
database of its own): search, the form with the loader's rules, drafts, approval by another
reviewer only, send back, stale drafts, history with diff, rollback, new rules, the review
reminders, and the audit entry of every change."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

import knowledge
from bot.portal.app import create_app
from bot.portal.audit import AuditEntry
from knowledge import editing
from knowledge.service import CHECK_EVERY_S
from knowledge.storage import database
from tests.conftest import DATA_DIR, fresh_database
from tests.inprocess import serving
from tests.staff_client import StaffClient, make_account

AID = "trademark.online"
NOW = dt.datetime(2026, 12, 2, 2, 0)  # UTC: 2026-12-02 in Beijing
NEW_TEXT = "（页面测试）商标网上申请：登录国家知识产权局商标局网站的商标网上服务系统提交。"


@pytest.fixture
def portal(tmp_path, kb_url):
    url = fresh_database(tmp_path)
    knowledge.build(url, DATA_DIR)
    db = database(url)
    app = create_app({"DATABASE_URL": url, "TRACKER_DB_URL": "sqlite://",
                      "CLOCK": lambda: NOW})
    with serving(app) as base:
        people = {}
        for name, role in (("agent", "agent"), ("lead", "reviewer"), ("other", "reviewer"),
                           ("admin", "admin")):
            people[name] = StaffClient(base)
            people[name].sign_in(make_account(db, role, f"{name}{id(db) % 9973}"))
        yield people, db, url


def _form(content: dict, **changes) -> dict:
    content = {**content, **changes}
    form = {k: "" if v is None else str(v) for k, v in content.items()
            if k not in ("questions", "next", "topic")}
    form["questions"] = "\n".join(content["questions"])
    form.update({f"next{i}": x for i, x in enumerate(content["next"])})
    return form


def _draft_id(r) -> int:
    assert "/staff/kb/drafts/" in r.url, r.url
    return int(r.url.split("/staff/kb/drafts/")[1].split("?")[0])


def _actions(db, target: str) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(e.action, e.result) for e in s.execute(
            select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.id)
        ).scalars()]


def test_search_open_and_the_form_enforces_the_loaders_rules(portal):
    people, db, _ = portal
    agent = people["agent"]
    page = agent.get("/staff/kb", q="商标 网上").text
    assert f'href="/staff/kb/{AID}"' in page and "第1版" in page
    page = agent.get(f"/staff/kb/{AID}").text
    assert 'name="csrf"' in page and 'id="save-draft"' in page
    current = editing.current(db, AID).content
    r = agent.post(f"/staff/kb/{AID}", _form(current, short="长" * 301, source="no-such",
                                              in_force_from="2026-05-01",
                                              in_force_until="2026-04-01"))
    assert r.status_code == 400
    for field in ("short", "source", "in_force_until"):
        assert f'id="error-{field}"' in r.text, field
    assert "长" * 301 in r.text  # what was typed is kept
    assert editing.drafts(db) == []
    assert people["admin"].get("/staff/kb").status_code == 403


def test_an_agents_draft_is_approved_by_another_reviewer_and_reaches_the_bot(portal):
    people, db, url = portal
    service = knowledge.open(url, DATA_DIR)
    assert NEW_TEXT not in service.reply_for(AID).text
    r = people["agent"].post(f"/staff/kb/{AID}",
                             _form(editing.current(db, AID).content, short=NEW_TEXT))
    draft = _draft_id(r)
    assert "已保存为草稿" in r.text and NEW_TEXT in r.text
    assert f"+short: {NEW_TEXT}" in r.text  # the diff
    assert 'id="approve"' not in r.text  # an agent does not approve
    assert people["agent"].post(f"/staff/kb/drafts/{draft}",
                                {"action": "approve"}).status_code == 403
    queue = people["lead"].get("/staff/kb/drafts").text
    assert f'id="draft-{draft}"' in queue
    r = people["lead"].post(f"/staff/kb/drafts/{draft}", {"action": "approve"})
    assert r.status_code == 200 and "已通过并发布" in r.text
    time.sleep(CHECK_EVERY_S + 0.1)
    assert service.reply_for(AID).text.startswith(NEW_TEXT)
    assert _actions(db, AID) == [("kb_draft", "ok"), ("kb_approve", "ok")]


def test_a_reviewer_cannot_approve_their_own_draft(portal):
    people, db, _ = portal
    r = people["lead"].post(f"/staff/kb/{AID}",
                            _form(editing.current(db, AID).content, short=NEW_TEXT))
    draft = _draft_id(r)
    assert 'id="approve"' not in r.text
    r = people["lead"].post(f"/staff/kb/drafts/{draft}", {"action": "approve"})
    assert r.status_code == 400 and "不能审核自己" in r.text
    assert editing.current(db, AID).number == 1
    assert ("kb_approve", "failed") in _actions(db, AID)


def test_sending_back_needs_a_reason(portal):
    people, db, _ = portal
    draft = _draft_id(people["agent"].post(
        f"/staff/kb/{AID}", _form(editing.current(db, AID).content, short=NEW_TEXT)))
    r = people["lead"].post(f"/staff/kb/drafts/{draft}", {"action": "send_back",
                                                          "comment": " "})
    assert r.status_code == 400 and "理由" in r.text
    r = people["lead"].post(f"/staff/kb/drafts/{draft}", {"action": "send_back",
                                                          "comment": "来源条款写错了"})
    assert r.status_code == 200 and "已退回" in r.text and "来源条款写错了" in r.text
    assert "来源条款写错了" in people["agent"].get("/staff/kb/drafts").text
    assert editing.current(db, AID).number == 1


def test_a_stale_draft_is_refused_with_a_reason(portal):
    people, db, _ = portal
    base = editing.current(db, AID).content
    first = _draft_id(people["agent"].post(f"/staff/kb/{AID}", _form(base, short=NEW_TEXT)))
    second = _draft_id(people["agent"].post(f"/staff/kb/{AID}",
                                            _form(base, short=NEW_TEXT + "二")))
    people["lead"].post(f"/staff/kb/drafts/{first}", {"action": "approve"})
    r = people["other"].post(f"/staff/kb/drafts/{second}", {"action": "approve"})
    assert r.status_code == 409 and "过期" in r.text


def test_history_diff_and_rollback(portal):
    people, db, url = portal
    original = editing.current(db, AID)
    draft = _draft_id(people["agent"].post(f"/staff/kb/{AID}",
                                           _form(original.content, short=NEW_TEXT)))
    people["lead"].post(f"/staff/kb/drafts/{draft}", {"action": "approve"})
    page = people["agent"].get(f"/staff/kb/{AID}/history").text
    assert f"+short: {NEW_TEXT}" in page and 'id="rollback-1"' not in page  # agents: no
    page = people["other"].get(f"/staff/kb/{AID}/history").text
    assert 'id="rollback-1"' in page
    assert people["agent"].post(f"/staff/kb/{AID}/rollback",
                                {"version": str(original.id)}).status_code == 403
    r = people["other"].post(f"/staff/kb/{AID}/rollback", {"version": str(original.id)})
    assert r.status_code == 200 and "已回退" in r.text and "回退到第1版" in r.text
    now = editing.current(db, AID)
    assert (now.number, now.origin, now.content) == (3, "rollback", original.content)
    assert ("kb_rollback", "ok") in _actions(db, AID)
    r = people["other"].post(f"/staff/kb/{AID}/rollback", {"version": "abc"})
    assert r.status_code == 400


def test_a_new_rule_from_the_form_supersedes_the_old_one(portal):
    people, db, _ = portal
    page = people["agent"].get(f"/staff/kb/new?supersedes={AID}").text
    assert 'name="supersedes"' in page
    form = _form(editing.current(db, AID).content, id="trademark.online_2027",
                 title="商标网上申请（2027年起）", in_force_from="2027-01-01",
                 questions=["2027年商标网上申请", "新的商标网上申请办法"])
    form.update(topic="trademark", supersedes=AID)
    draft = _draft_id(people["agent"].post("/staff/kb/new", form))
    r = people["lead"].post(f"/staff/kb/drafts/{draft}", {"action": "approve"})
    assert r.status_code == 200
    ended = editing.current(db, AID)
    assert (ended.origin, ended.content["in_force_until"], ended.content["superseded_by"]) == \
        ("supersede", "2026-12-31", "trademark.online_2027")


def test_the_review_reminders_list_records_that_end_soon(portal):
    people, db, _ = portal
    current = editing.current(db, AID)
    editing.approve(db, editing.save_draft(db, {**current.content,
                                                "in_force_until": "2026-12-10"}, "x",
                                           current.id), "y")
    page = people["agent"].get("/staff/kb").text  # 2026-12-02: ends within 30 days
    section = page[page.index('id="due"'):]
    assert AID in section and "即将失效" in section
