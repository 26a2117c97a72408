"""好差评: five levels, one rating per answer, an optional comment; a bad rating opens a
follow-up item with a deadline in working days, read from the real tracker store; the two-level
ratings migrate. The portal runs in-process on a database of its own; the conversations are
written by Rasa's own SQLTrackerStore."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import requests
from alembic import command
from sqlalchemy import create_engine, func, select, text

from bot import settings
from bot.leads.workdays import Calendar, local_date
from bot.migrations import config, upgrade
from bot.portal import followups, ratings
from bot.portal.app import create_app
from bot.portal.followups import RatingFollowUp
from bot.portal.ratings import AnswerRating
from bot.privacy import retention
from knowledge.storage import database
from tests.conftest import fresh_database
from tests.inprocess import serving

QUESTION = "专利费减怎么办？我电话13912345678"
ANSWER = "个人上年度月均收入低于5000元的，可以请求减缴。\n来源：《关于明确专利收费减缴有关事项的通知》"
NOW = dt.datetime(2026, 11, 27, 2, 0)  # Friday 10:00 in Beijing
CALENDAR = Calendar.load(settings.ROOT / "bot" / "leads" / "workdays.yml")


def vote(**changes) -> dict:
    body = {"sender": "web-r5conversation", "message_id": "m1", "text": ANSWER,
            "rating": "satisfied", "answer_id": "fee_reduction.conditions"}
    body.update(changes)
    return body


@pytest.fixture(scope="module")
def tracker_url(tmp_path_factory) -> str:
    """A conversation as the bot stored it: the question (with a phone number) and the answer."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    path = tmp_path_factory.mktemp("tracker") / "tracker.db"
    domain = Domain.load(str(settings.ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    events = [UserUttered("你好"), BotUttered("您好，我是自动答复的助手。"),
              UserUttered(QUESTION), BotUttered(ANSWER)]
    asyncio.run(store.save(DialogueStateTracker.from_events("web-r5conversation", events,
                                                            domain.slots)))
    return f"sqlite:///{path}"


@pytest.fixture
def portal(tmp_path, tracker_url, kb_url):
    url = fresh_database(tmp_path)
    clock = {"now": NOW}
    app = create_app({"DATABASE_URL": url, "TRACKER_DB_URL": tracker_url,
                      "CLOCK": lambda: clock["now"]})
    with serving(app) as base:
        yield base + "/api/ratings", database(url), clock


def items(db) -> list[RatingFollowUp]:
    with db.session() as s:
        return list(s.execute(select(RatingFollowUp).order_by(RatingFollowUp.id)).scalars())


def stored(db) -> list[AnswerRating]:
    with db.session() as s:
        return list(s.execute(select(AnswerRating).order_by(AnswerRating.id)).scalars())


# --- parsing ----------------------------------------------------------------------------------
@pytest.mark.parametrize("level", list(ratings.LEVELS))
def test_the_five_levels_are_taken(level):
    assert ratings.parse(vote(rating=level)).rating == level


def test_a_widget_cached_from_before_still_rates():
    assert ratings.parse(vote(rating="up")).rating == "satisfied"
    assert ratings.parse(vote(rating="down")).rating == "dissatisfied"


@pytest.mark.parametrize("raw, kept", [
    (None, None), ("", None), ("   \n ", None),
    ("答非所问😡😡", "答非所问😡😡"),  # emoji are words too
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # text; pages escape it
    ("'; DROP TABLE answer_rating; --", "'; DROP TABLE answer_rating; --"),
    ("請問費減", "請問費減"),  # traditional characters as written
    ("nul\x00and\x07bell", "nulandbell"),  # PostgreSQL refuses NUL
    ("请回电13912345678", "请回电139****5678"),
])
def test_comments_are_kept_as_written_but_masked(raw, kept):
    assert ratings.parse(vote(comment=raw)).comment == kept


def test_id_numbers_in_comments_are_masked():
    comment = ratings.parse(vote(comment="身份证360702199001011234")).comment
    assert comment == "身份证[身份证号]"


@pytest.mark.parametrize("comment", ["字" * (ratings.MAX_COMMENT + 1), 42, ["a"]])
def test_a_bad_comment_is_refused_naming_the_field(comment):
    with pytest.raises(ratings.InvalidRating) as err:
        ratings.parse(vote(comment=comment))
    assert err.value.field == "comment" and "评价说明" in str(err.value)


def test_two_hundred_emoji_are_two_hundred_characters():
    assert ratings.parse(vote(comment="👍" * ratings.MAX_COMMENT)).comment == "👍" * 200


# --- the API ----------------------------------------------------------------------------------
def test_a_good_rating_is_stored_and_opens_nothing(portal):
    url, db, _ = portal
    r = requests.post(url, json=vote(rating="very_satisfied", comment="很清楚"), timeout=10)
    assert r.status_code == 201 and r.json() == {"ok": True, "followup": False}
    assert [(x.rating, x.comment) for x in stored(db)] == [("very_satisfied", "很清楚")]
    assert items(db) == []


def test_a_bad_rating_opens_an_item_with_the_exchange_and_a_deadline(portal):
    url, db, _ = portal
    r = requests.post(url, json=vote(rating="very_dissatisfied", comment="没说材料 13907971234"),
                      timeout=10)
    assert r.status_code == 201 and r.json() == {"ok": True, "followup": True}
    [item] = items(db)
    assert item.level == "very_dissatisfied" and item.comment == "没说材料 139****1234"
    # from the tracker store, masked (a text with a number is also NFKC-normalised: "？" → "?")
    assert item.question == "专利费减怎么办?我电话139****5678"
    assert item.answer == ANSWER and item.from_tracker == 1
    assert item.answer_id == "fee_reduction.conditions"
    # rated on Friday 2026-11-27: five working days → Friday 2026-12-04
    assert item.due == dt.date(2026, 12, 4) == CALENDAR.due(local_date(NOW), 5)
    assert item.closed_at is None


def test_an_answer_not_in_the_conversation_still_opens_an_item_and_says_so(portal):
    url, db, _ = portal
    r = requests.post(url, json=vote(sender="web-unknown", rating="dissatisfied",
                                     text="编造的答复 13912345678"), timeout=10)
    assert r.status_code == 201 and r.json()["followup"] is True
    [item] = items(db)
    assert item.from_tracker == 0 and item.question is None
    assert item.answer == "编造的答复 139****5678"


def test_a_tracker_store_that_cannot_be_read_loses_no_rating(tmp_path, kb_url):
    url = fresh_database(tmp_path)
    broken = "postgresql://nobody:x@127.0.0.1:1/tracker"  # nothing listens on port 1
    app = create_app({"DATABASE_URL": url, "TRACKER_DB_URL": broken, "CLOCK": lambda: NOW})
    with serving(app) as base:
        r = requests.post(base + "/api/ratings", json=vote(rating="dissatisfied"), timeout=10)
    assert r.status_code == 201 and r.json()["followup"] is True
    [item] = items(database(url))
    assert item.from_tracker == 0 and item.answer == ANSWER


def test_one_rating_per_answer_the_second_is_refused_and_changes_nothing(portal):
    url, db, _ = portal
    assert requests.post(url, json=vote(rating="dissatisfied"), timeout=10).status_code == 201
    again = requests.post(url, json=vote(rating="very_satisfied"), timeout=10)
    assert again.status_code == 409 and again.json()["field"] == "rating"
    assert "只能评价一次" in again.json()["error"]
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert [x.rating for x in stored(db)] == ["dissatisfied"] and len(items(db)) == 1
    # another answer of the same conversation is rated on its own
    assert requests.post(url, json=vote(message_id="m2"), timeout=10).status_code == 201


@pytest.mark.parametrize("body, status, field", [
    (b"", 400, "body"), (b"null", 400, "body"), (b"{not json", 400, "body"),
    (b"\xff\xfe", 400, "body"), (b"[]", 400, "body"),
    (b"x" * 9000, 413, "body"),
])
def test_broken_bodies_get_a_clear_answer(portal, body, status, field):
    url, db, _ = portal
    r = requests.post(url, data=body, timeout=10)
    assert r.status_code == status and r.json()["field"] == field and r.json()["error"]
    assert stored(db) == []


@pytest.mark.parametrize("changes, field", [
    ({"rating": "meh"}, "rating"), ({"rating": None}, "rating"), ({"rating": 5}, "rating"),
    ({"comment": "长" * 201}, "comment"), ({"sender": "'; DROP TABLE x"}, "sender"),
    ({"text": ""}, "text"), ({"answer_id": "<b>"}, "answer_id"),
])
def test_bad_fields_are_named_and_nothing_is_stored(portal, changes, field):
    url, db, _ = portal
    r = requests.post(url, json=vote(**changes), timeout=10)
    assert r.status_code == 400 and r.json()["field"] == field
    assert stored(db) == [] and items(db) == []
    if field in ("rating", "comment"):  # the widget shows these to the citizen: Chinese
        assert any("\u4e00" <= c <= "\u9fff" for c in r.json()["error"])


def test_markup_and_sql_in_comments_are_stored_as_text(portal):
    url, db, _ = portal
    for i, comment in enumerate(["<img src=x onerror=alert(1)>", "1; DELETE FROM answer_rating",
                                 "🙂" * 50]):
        r = requests.post(url, json=vote(message_id=f"m{i}", rating="dissatisfied",
                                         comment=comment), timeout=10)
        assert r.status_code == 201
    assert [x.comment for x in items(db)] == ["<img src=x onerror=alert(1)>",
                                              "1; DELETE FROM answer_rating", "🙂" * 50]


def test_the_deadline_follows_the_setting_and_the_calendar(tmp_path, tracker_url, kb_url):
    url = fresh_database(tmp_path)
    app = create_app({"DATABASE_URL": url, "TRACKER_DB_URL": tracker_url, "CLOCK": lambda: NOW,
                      "RATING_FOLLOWUP_DAYS": 15})
    with serving(app) as base:
        assert requests.post(base + "/api/ratings", json=vote(rating="dissatisfied"),
                             timeout=10).status_code == 201
    [item] = items(database(url))
    assert item.due == CALENDAR.due(dt.date(2026, 11, 27), 15) > dt.date(2026, 12, 4)


def test_the_setting_defaults_to_five_and_refuses_zero(monkeypatch):
    monkeypatch.delenv("RATING_FOLLOWUP_WORKING_DAYS", raising=False)
    assert settings.rating_followup_working_days() == 5
    monkeypatch.setenv("RATING_FOLLOWUP_WORKING_DAYS", "0")
    with pytest.raises(ValueError, match="RATING_FOLLOWUP_WORKING_DAYS"):
        settings.rating_followup_working_days()


# --- the follow-up rules ----------------------------------------------------------------------
def _open_item(db, created: dt.datetime, sender: str = "web-a", message: str = "m1") -> int:
    rules = followups.Rules(CALENDAR, 5, "sqlite://")
    saved = followups.rate(db, ratings.parse(vote(sender=sender, message_id=message,
                                                  rating="dissatisfied")), rules, created)
    return int(saved.followup.split("-")[1])


def test_an_item_is_overdue_from_the_day_after_its_deadline(tmp_path):
    db = database(fresh_database(tmp_path))
    item_id = _open_item(db, NOW)
    with db.session() as s:
        assert not followups.get(s, item_id, dt.date(2026, 12, 4)).overdue
        assert followups.get(s, item_id, dt.date(2026, 12, 5)).overdue
        assert followups.find(s, "overdue", dt.date(2026, 12, 4))[0] == 0
        assert followups.find(s, "overdue", dt.date(2026, 12, 7))[0] == 1
        assert followups.counts(s, dt.date(2026, 12, 7)) == {"open": 1, "overdue": 1,
                                                             "closed": 0}


@pytest.mark.parametrize("outcome, reason, message", [
    (None, "已解释", "请选择处理结果"), ("deleted", "x", "请选择处理结果"),
    ("explained", "", "请填写处理说明"), ("explained", "   ", "请填写处理说明"),
    ("explained", "理" * 501, "500字以内"),
])
def test_closing_needs_an_outcome_and_a_reason(tmp_path, outcome, reason, message):
    db = database(fresh_database(tmp_path))
    item_id = _open_item(db, NOW)
    with pytest.raises(followups.NotAllowed, match=message), db.transaction() as s:
        followups.close(s, item_id, outcome, reason, "王芳", NOW)
    with db.session() as s:
        assert followups.get(s, item_id, NOW.date()).closed_at is None


def test_a_closed_item_stays_closed_and_is_no_longer_overdue(tmp_path):
    db = database(fresh_database(tmp_path))
    item_id = _open_item(db, NOW)
    later = NOW + dt.timedelta(days=20)
    with db.transaction() as s:
        done = followups.close(s, item_id, "mistaken", "市民误点，电话核实后确认", "王芳", later)
    assert done.state == "closed" and not done.overdue and done.closed_by == "王芳"
    with pytest.raises(followups.NotAllowed, match="已办结"), db.transaction() as s:
        followups.close(s, item_id, "fixed", "再改", "李四", later)
    with db.session() as s:
        assert followups.find(s, "closed", later.date())[0] == 1
        assert followups.find(s, "open", later.date())[0] == 0


def test_retention_deletes_old_ratings_and_closed_items_but_never_open_ones(tmp_path):
    db = database(fresh_database(tmp_path))
    old = NOW - dt.timedelta(days=400)
    kept_open = _open_item(db, old, "web-old", "m1")
    closed_old = _open_item(db, old, "web-old", "m2")
    closed_new = _open_item(db, NOW, "web-new", "m1")
    with db.transaction() as s:
        followups.close(s, closed_old, "explained", "已解释", "王芳", old + dt.timedelta(days=1))
        followups.close(s, closed_new, "fixed", "已修正", "王芳", NOW)
        s.execute(AnswerRating.__table__.update().where(AnswerRating.sender == "web-old")
                  .values(updated_at=old))
    periods = retention.Periods(1, 90, 365, 180, 365, 2, 365)
    report = retention.run(db, "sqlite://", periods,
                           now=NOW + dt.timedelta(days=1))
    assert report.done["ratings"] == "2 ratings and 1 closed follow-up items deleted"
    assert sorted(i.id for i in items(db)) == sorted([kept_open, closed_new])
    assert {r.sender for r in stored(db)} == {"web-new"}


# --- the migration ----------------------------------------------------------------------------
def test_two_level_ratings_migrate_to_satisfied_and_dissatisfied(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "desk_0001")  # main before this branch: ratings were up/down
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        for i, word in enumerate(["up", "down", "up"]):
            conn.execute(text("INSERT INTO answer_rating (sender, message_id, text_hash, rating, "
                              "created_at, updated_at) VALUES (:s, :m, 'h', :r, :t, :t)"),
                         {"s": "web-old", "m": f"m{i}", "r": word, "t": NOW})
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT rating, comment FROM answer_rating ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("satisfied", None), ("dissatisfied", None),
                                           ("satisfied", None)]
        assert conn.execute(text("SELECT count(*) FROM rating_followup")).scalar() == 0
        conn.execute(text("UPDATE answer_rating SET rating = 'fair' WHERE message_id = 'm2'"))
        conn.commit()
    with engine.begin() as conn:  # and back: what two levels can say
        command.downgrade(config(conn), "desk_0001")
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(text(
            "SELECT rating FROM answer_rating ORDER BY id"))] == ["up", "down", "up"]
        assert "rating_followup" not in {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))}
    engine.dispose()
