"""The dashboard's figures on a seeded database of their own: questions per day and channel with
the share answered, the top unanswered groups, ratings by topic and week, bad ratings open and
overdue, leads and call-backs by status and county — each inside the window and nothing from
outside it; who may read them; the chart library served by the portal itself."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests

import knowledge
from bot import settings
from bot.leads import cases
from bot.leads.callbacks import CallbackDraft, CallbackStore
from bot.leads.store import Draft, LeadStore
from bot.leads.workdays import Calendar, local_date
from bot.portal import dashboard
from bot.portal.app import create_app
from bot.portal.followups import RatingFollowUp
from bot.portal.ratings import AnswerRating
from knowledge import unanswered
from knowledge.models import QuestionCount
from knowledge.storage import database, utcnow
from tests.conftest import DATA_DIR, fresh_database
from tests.inprocess import serving
from tests.staff_client import StaffClient, api_token, make_account

NOW = utcnow()
TODAY = local_date(NOW)


def at(days_ago: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


def _seed(db) -> None:
    with db.transaction() as s:
        for days_ago, channel, outcome, n in [
                (0, "wechat", "answered", 5), (0, "wechat", "low", 1), (0, "rest", "answered", 3),
                (0, "rest", "unanswered", 1), (10, "rest", "answered", 2),
                (40, "rest", "answered", 100)]:  # outside 30 days
            s.add(QuestionCount(day=TODAY - dt.timedelta(days=days_ago), channel=channel,
                                outcome=outcome, n=n))
        for days_ago, answer_id, level in [
                (0, "trademark.fee_registration", "very_satisfied"),
                (8, "trademark.fee_registration", "dissatisfied"),
                (0, "fee_reduction.eligibility", "satisfied"), (0, None, "fair"),
                (60, "fee_reduction.eligibility", "very_dissatisfied")]:  # outside
            s.add(AnswerRating(sender=f"web-{uuid.uuid4().hex[:10]}", message_id="m1",
                               text_hash="h" * 64, answer_id=answer_id, rating=level,
                               created_at=at(days_ago), updated_at=at(days_ago)))
        for rating_id, due_in, closed in [(1, 3, False), (2, -2, False), (3, -5, True)]:
            s.add(RatingFollowUp(rating_id=rating_id, sender="web-x", level="dissatisfied",
                                 answer="答复", from_tracker=0, created_at=at(8),
                                 due=TODAY + dt.timedelta(days=due_in),
                                 closed_at=at(1) if closed else None,
                                 outcome="explained" if closed else None))
        for text, times in [("公积金怎么提取", 2), ("请问公积金如何提取", 1), ("明天会下雨吗", 1)]:
            for _ in range(times):
                unanswered.log(s, text, "wechat", "nlu_fallback", 0.2, now=at(1))
        unanswered.log(s, "很久以前的问题", "rest", None, None, now=at(45))
    leads = LeadStore(db)
    filed = []
    for days_ago, place in [(2, "南康区家具城二期"), (3, "章贡区某灯具店"), (4, "章贡区文清路"),
                            (5, "网上"), (50, "章贡区很久以前")]:
        filed.append(leads.file(uuid.uuid4().hex, Draft(
            "patent", "仿冒专利产品", place, None, "照片", "周先生", "13911112222", "wechat"),
            now=at(days_ago))[0].ticket)
    with db.transaction() as s:
        cases.change(s, filed[1], "forwarded", "已转保护中心", "王芳",
                     cases.Deadlines(Calendar(), settings.case_due_days(), TODAY), at(1))
    CallbackStore(db).file(uuid.uuid4().hex, CallbackDraft("想问商标续展", "13933334444", "rest"),
                           2, now=at(1))


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    home = tmp_path_factory.mktemp("dashboard")
    url = fresh_database(home)
    knowledge.build(url, DATA_DIR)
    db = database(url)
    _seed(db)
    app = create_app({"DATABASE_URL": url, "TRACKER_DB_URL": f"sqlite:///{home / 't.db'}",
                      "CLOCK": lambda: NOW})
    with serving(app) as base:
        yield base, db


def figures(base: str, token: str, **params) -> requests.Response:
    return requests.get(f"{base}/staff/api/dashboard", params=params, timeout=60,
                        headers={"Authorization": f"Bearer {token}"})


def test_the_figures_are_right_for_the_window(portal):
    base, db = portal
    r = figures(base, api_token(db, "agent"), days=30)
    assert r.status_code == 200
    d = r.json()
    assert (d["from"], d["to"]) == ((TODAY - dt.timedelta(days=29)).isoformat(), TODAY.isoformat())
    q = d["questions"]
    assert len(q["days"]) == 30 and q["days"][-1] == TODAY.isoformat()
    assert q["totals"] == {"asked": 12, "answered": 10, "low": 1, "unanswered": 1}
    assert q["share_answered"] == round(10 / 12, 3)
    assert q["by_channel"]["wechat"][-1] == 6 and sum(q["by_channel"]["wechat"]) == 6
    assert q["by_channel"]["rest"][-1] == 4 and q["by_channel"]["rest"][-11] == 2
    assert sum(q["by_channel"]["rest"]) == 6  # the 100 of 40 days ago are outside

    top = d["unanswered"]
    assert [(g["text"], g["count"]) for g in top] == [("公积金怎么提取", 3), ("明天会下雨吗", 1)]
    assert top[0]["channels"] == {"wechat": 3}

    ratings = d["ratings"]
    assert (ratings["total"], ratings["bad"]) == (4, 1)
    assert ratings["by_topic"]["trademark"]["very_satisfied"] == 1
    assert ratings["by_topic"]["trademark"]["dissatisfied"] == 1
    assert ratings["by_topic"]["fee_reduction"]["satisfied"] == 1
    assert ratings["by_topic"][""]["fair"] == 1  # a rating without the answer's id
    names = {t["topic"]: t["topic_name"] for t in ratings["topics"]}
    assert names["trademark"] == "商标注册与受理窗口" and names[""] == dashboard.NO_TOPIC
    this_week = (TODAY - dt.timedelta(days=TODAY.weekday())).isoformat()
    assert ratings["by_week"][this_week]["very_satisfied"] == 1
    earlier = local_date(at(8))
    assert ratings["by_week"][(earlier - dt.timedelta(days=earlier.weekday())).isoformat()][
        "dissatisfied"] == 1

    assert d["followups"] == {"open": 2, "overdue": 1, "closed": 1, "opened_in_window": 3}

    c = d["cases"]
    assert c["leads_by_county"]["章贡区"] == {"new": 1, "forwarded": 1, "accepted": 0,
                                             "closed": 0}
    assert c["leads_by_county"]["南康区"]["new"] == 1
    assert c["leads_by_county"][dashboard.NO_COUNTY]["new"] == 1
    assert c["leads_by_status"] == {"new": 3, "forwarded": 1, "accepted": 0, "closed": 0}
    assert c["callbacks_by_status"]["new"] == 1


def test_a_shorter_window_counts_less(portal):
    base, db = portal
    d = figures(base, api_token(db, "reviewer"), days=7).json()
    assert d["questions"]["totals"]["asked"] == 10  # the 2 of 10 days ago are outside
    assert d["ratings"]["total"] == 3 and d["cases"]["leads_by_status"]["new"] == 3


@pytest.mark.parametrize("days", ["0", "367", "abc", "-3", "7.5"])
def test_a_bad_window_is_refused(portal, days):
    base, db = portal
    r = figures(base, api_token(db, "agent"), days=days)
    assert r.status_code == 400 and "days" in r.json()["error"]


def test_agents_and_reviewers_may_read_it_admins_and_auditors_may_not(portal):
    base, db = portal
    assert {role: figures(base, api_token(db, role)).status_code
            for role in ("agent", "reviewer", "admin", "auditor")} == {
        "agent": 200, "reviewer": 200, "admin": 403, "auditor": 403}
    for role, status in (("reviewer", 200), ("auditor", 403)):
        client = StaffClient(base)
        client.sign_in(make_account(db, role))
        page = client.get("/staff/dashboard")
        assert page.status_code == status
        assert client.get("/staff/dashboard/data").status_code == status
    assert '<strong id="questions-total">12</strong>' in page.text or status == 403


def test_the_page_shows_the_numbers_without_any_script(portal):
    base, db = portal
    client = StaffClient(base)
    client.sign_in(make_account(db, "agent"))
    html = client.get("/staff/dashboard").text
    assert '<strong id="questions-total">12</strong>' in html
    assert '<strong id="share-answered">83.3%</strong>' in html
    assert '<strong id="followups-overdue">1</strong>' in html
    assert "公积金怎么提取" in html and "章贡区" in html
    assert client.get("/staff/dashboard", days="999").status_code == 400


def test_echarts_is_served_by_the_portal_with_a_long_cache(portal):
    base, _ = portal
    if not dashboard.ECHARTS.exists():
        pytest.fail("node_modules/echarts is missing: `make venv` installs it (npm ci)")
    r = requests.get(f"{base}/staff/static/echarts.min.js", timeout=30)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000"
    assert r.headers["Content-Type"].startswith("text/javascript") and b"echarts" in r.content[:2000]
    assert requests.get(f"{base}/staff/static/dashboard.js", timeout=30).status_code == 200
    for name in ("package.json", "..%2Fapp.py", "echarts.js"):
        assert requests.get(f"{base}/staff/static/{name}", timeout=30).status_code == 404
