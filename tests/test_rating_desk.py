"""The follow-up of bad ratings in the desk, over real HTTP (the portal in-process on a database
of its own, its clock set): the list and its filters, overdue markers, the item page, closing
with an outcome and a reason, and the audit entries of every view and change."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.leads.workdays import Calendar
from bot.portal import followups, ratings
from bot.portal.app import create_app
from bot.portal.audit import AuditEntry
from knowledge.storage import database
from tests.conftest import fresh_database
from tests.inprocess import serving
from tests.staff_client import StaffClient, make_account

RATED = dt.datetime(2026, 11, 27, 2, 0)  # Friday; due five working days later: 2026-12-04


def bad_rating(db, sender: str, comment: str | None = None, level: str = "dissatisfied") -> int:
    vote = ratings.parse({"sender": sender, "message_id": "m1", "text": "答复正文\n来源：测试",
                          "rating": level, "comment": comment})
    saved = followups.rate(db, vote, followups.Rules(Calendar(), 5, "sqlite://"), RATED)
    return int(saved.followup.split("-")[1])


@pytest.fixture
def desk(tmp_path, kb_url):
    db = database(fresh_database(tmp_path))
    clock = {"now": RATED + dt.timedelta(days=1)}
    app = create_app({"DATABASE_URL": str(db.engine.url), "CLOCK": lambda: clock["now"],
                      "TRACKER_DB_URL": "sqlite://"})
    with serving(app) as base:
        client = StaffClient(base)
        client.sign_in(make_account(db, "agent", "wangfang", "王芳"))
        yield client, db, clock


def audit(db, target: str) -> list[tuple[str, str, str]]:
    with db.session() as s:
        return [(e.actor, e.action, e.result) for e in s.execute(
            select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.id)
        ).scalars()]


def test_the_list_filters_and_marks_overdue_items(desk):
    client, db, clock = desk
    late = bad_rating(db, "web-a", "答非所问 13912345678")
    closed = bad_rating(db, "web-b", level="very_dissatisfied")
    with db.transaction() as s:
        followups.close(s, closed, "fixed", "答复已改", "李四", RATED)
    clock["now"] = dt.datetime(2026, 12, 5, 2, 0)  # the day after the deadline
    client.sign_in("wangfang")  # the session of a week ago has ended (idle logout)
    page = client.get("/staff/ratings").text  # open items by default
    assert f"CP-{late}" in page and f"CP-{closed}" not in page
    assert "超期" in page and 'class="overdue"' in page
    assert "13912345678" not in page and "答非所问" not in page  # no free text in the list
    assert f"CP-{late}" in client.get("/staff/ratings", state="overdue").text
    done = client.get("/staff/ratings", state="closed").text
    assert f"CP-{closed}" in done and f"CP-{late}" not in done and "答复已修正" in done
    both = client.get("/staff/ratings", state="all").text
    assert f"CP-{late}" in both and f"CP-{closed}" in both
    bad = client.get("/staff/ratings", state="'; DROP TABLE x")
    assert bad.status_code == 200 and "状态只能是" in bad.text
    assert audit(db, f"CP-{late}") == []  # the list shows nothing personal: not audited


def test_the_item_page_shows_everything_and_its_view_is_audited(desk):
    client, db, _ = desk
    item = bad_rating(db, "web-c", "<b>没有说清楚</b> 😡")
    r = client.get(f"/staff/ratings/{item}")
    assert r.status_code == 200
    assert "&lt;b&gt;没有说清楚&lt;/b&gt; 😡" in r.text and "<b>没有说清楚" not in r.text
    assert "答复正文" in r.text and "不满意" in r.text and "2026-12-04" in r.text
    assert "对话记录中未找到" in r.text  # no conversation: said, not invented
    assert audit(db, f"CP-{item}") == [("wangfang", "view", "ok")]
    assert client.get("/staff/ratings/999999").status_code == 404
    assert client.get("/staff/ratings/0").status_code == 404


def test_closing_needs_an_outcome_and_a_reason_and_keeps_what_was_typed(desk):
    client, db, _ = desk
    item = bad_rating(db, "web-d")
    path = f"/staff/ratings/{item}"
    client.get(path)
    r = client.post(path, {"outcome": "explained", "reason": "  "})
    assert r.status_code == 400 and "请填写处理说明" in r.text
    r = client.post(path, {"reason": "已电话说明材料清单"})
    assert r.status_code == 400 and "请选择处理结果" in r.text and "已电话说明材料清单" in r.text
    r = client.post(path, {"outcome": "explained", "reason": "已电话说明材料清单"})
    assert r.status_code == 200 and "已保存" in r.text and "已解释说明" in r.text
    assert "王芳" in r.text and 'id="close-form"' not in r.text
    again = client.post(path, {"outcome": "mistaken", "reason": "改主意"})
    assert again.status_code == 409 and "已办结" in again.text
    with db.session() as s:
        row = s.get(followups.RatingFollowUp, item)
        assert (row.outcome, row.reason, row.closed_by) == ("explained", "已电话说明材料清单",
                                                            "王芳")
    actions = [a for _, a, _ in audit(db, f"CP-{item}")]
    assert actions.count("status") == 1 and "view" in actions


def test_a_post_without_the_csrf_token_changes_nothing(desk):
    client, db, _ = desk
    item = bad_rating(db, "web-e")
    client.get(f"/staff/ratings/{item}")
    r = client.post(f"/staff/ratings/{item}", {"outcome": "fixed", "reason": "x"}, csrf=False)
    assert r.status_code == 403
    with db.session() as s:
        assert s.get(followups.RatingFollowUp, item).closed_at is None
