"""Retention over every store. The conversations are written both by Rasa's own SQLTrackerStore
and by the store the bot really uses (bot/tracker_store.py, endpoints.yml), so the rows are
exactly what Rasa keeps; after redaction either store still reads them and appends to them
correctly (Rasa counts rows: redaction must not change the count), and a conversation deleted
whole is not brought back by what the bot's store remembers of it."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
import time
import uuid

import pytest
import yaml
from sqlalchemy import select

from bot import settings
from bot.channels import wechat_outbox
from bot.channels.wechat_outbox import WeChatOutbox
from bot.channels.wechat_store import WeChatMessage, WeChatOption
from bot.leads import cases
from bot.leads.callbacks import CallbackDraft, CallbackStore
from bot.leads.models import CallbackRequest, CaseNote, Lead
from bot.leads.store import ANONYMISED, Draft, LeadStore
from bot.leads.workdays import Calendar
from bot.portal.audit import AuditEntry, record
from bot.portal.ratings import AnswerRating
from bot.privacy import retention, tracker
from knowledge.models import UnansweredGroup, UnansweredQuestion
from knowledge.storage import database, utcnow
from tests.conftest import fresh_database
from tests.staff_client import TEST_ACTOR

NAME, PHONE, ID_CARD = "欧阳娜娜", "13912345678", "36070219900101123X"
DAY = 86400.0
PERIODS = retention.Periods(tracker_redact_days=1, tracker_days=90, cases_days=365,
                            unanswered_days=180, ratings_days=365, wechat_options_days=2,
                            audit_days=365)


def conversation(ticket: str = "GZ-20261126-7KQ2M") -> list:
    """A citizen files a lead: name and phone typed into the form, read back, and a phone and
    an ID number typed outside any form."""
    from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, SessionStarted,
                                         SlotSet, UserUttered)

    def user(words, intent="inform"):
        return UserUttered(words, intent={"name": intent, "confidence": 0.9},
                           parse_data={"text": words, "intent": {"name": intent,
                                                                 "confidence": 0.9},
                                       "entities": [{"entity": "county", "value": "南康区"}]})
    return [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        user("我要举报有人假冒商标", "report_infringement"),
        ActionExecuted("action_start_lead"), BotUttered("好的，我来帮您登记"),
        ActionExecuted("lead_form"), ActiveLoop("lead_form"),
        SlotSet("requested_slot", "lead_name"), BotUttered("怎么称呼您？"),
        ActionExecuted("action_listen"), user(NAME),
        ActionExecuted("lead_form"), SlotSet("lead_name", NAME),
        SlotSet("requested_slot", "lead_phone"), ActionExecuted("action_listen"),
        user(f"电话 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}"),
        ActionExecuted("lead_form"), SlotSet("lead_phone", PHONE),
        BotUttered(f"请核对：联系人：{NAME} 电话：{PHONE}"), SlotSet("lead_kind", "trademark"),
        ActiveLoop(None), SlotSet("requested_slot", None),
        ActionExecuted("action_finish_lead"), BotUttered(f"已登记，线索编号：{ticket}"),
        ActionExecuted("action_listen"),
        user(f"专利费减 我手机{PHONE} 身份证{ID_CARD}", "ask_fee_reduction"),
        ActionExecuted("action_answer"), BotUttered("来源：财税〔2016〕78号"),
    ]


@pytest.fixture(scope="module", params=["rasa", "bot"])
def rasa_store(request, tmp_path_factory):
    """A SQL tracker store on a database of its own — Rasa's, or the bot's own subclass (the one
    endpoints.yml configures) — and a way to write a conversation."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from bot.tracker_store import RecentTurnsTrackerStore
    path = tmp_path_factory.mktemp("tracker") / "tracker.db"
    domain = Domain.load(str(settings.ROOT / "domain.yml"))
    kind = SQLTrackerStore if request.param == "rasa" else RecentTurnsTrackerStore
    store = kind(domain, dialect="sqlite", db=str(path))

    def write(sender: str, events: list, ago_days: float = 0.0) -> None:
        for event in events:
            event.timestamp = time.time() - ago_days * DAY
        t = DialogueStateTracker.from_events(sender, events, domain.slots)
        asyncio.run(store.save(t))

    store.write = write
    store.url = f"sqlite:///{path}"
    return store


def rows(url: str, sender: str) -> list[dict]:
    with database(url).session() as s:
        return [json.loads(d) for d in s.execute(
            select(tracker.EVENTS.c.data).where(tracker.EVENTS.c.sender_id == sender)
            .order_by(tracker.EVENTS.c.id)).scalars()]


def dump(url: str, sender: str) -> str:
    return json.dumps(rows(url, sender), ensure_ascii=False)


def test_redaction_takes_the_person_out_and_keeps_the_conversation(rasa_store):
    sender = f"c-{uuid.uuid4().hex[:8]}"
    rasa_store.write(sender, conversation(), ago_days=2)
    before = rows(rasa_store.url, sender)
    assert NAME in dump(rasa_store.url, sender) and PHONE in dump(rasa_store.url, sender)
    talks, changed = tracker.redact_idle(rasa_store.url, time.time() - DAY)
    assert talks >= 1 and changed > 0
    after = dump(rasa_store.url, sender)
    for secret in (NAME, PHONE, "139 1234 5678", ID_CARD):
        assert secret not in after, secret
    assert len(rows(rasa_store.url, sender)) == len(before)  # rewritten in place, never removed
    texts = [e.get("text") for e in rows(rasa_store.url, sender) if e.get("event") == "user"]
    assert texts[0] == "我要举报有人假冒商标"  # said before the form: kept
    assert texts[1:3] == [tracker.REDACTED] * 2  # typed into the form
    assert texts[3] == "专利费减 我手机139****5678 身份证[身份证号]"  # masked outside forms
    assert "来源：财税〔2016〕78号" in after and "GZ-20261126-7KQ2M" in after

    # Rasa reads the redacted conversation and goes on appending where it was
    from rasa.shared.core.events import UserUttered
    loaded = asyncio.run(rasa_store.retrieve(sender))  # as Rasa loads it for a new message
    assert loaded.get_slot("lead_name") == tracker.REDACTED
    loaded.update(UserUttered("谢谢", intent={"name": "thanks", "confidence": 1.0}))
    asyncio.run(rasa_store.save(loaded))
    assert len(rows(rasa_store.url, sender)) == len(before) + 1


def test_recent_conversations_are_left_alone_and_idle_ones_deleted_whole(rasa_store):
    recent, old = f"r-{uuid.uuid4().hex[:8]}", f"o-{uuid.uuid4().hex[:8]}"
    rasa_store.write(recent, conversation(), ago_days=0.1)
    rasa_store.write(old, conversation(), ago_days=91)
    tracker.redact_idle(rasa_store.url, time.time() - DAY)
    assert NAME in dump(rasa_store.url, recent)
    gone, events = tracker.delete_idle(rasa_store.url, time.time() - 90 * DAY)
    assert gone >= 1 and events >= len(conversation())
    assert rows(rasa_store.url, old) == [] and rows(rasa_store.url, recent)


def test_the_personal_slot_lists_cover_every_slot_of_the_personal_forms():
    domain = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
    slots = {slot for name, form in domain["forms"].items() if name in tracker.PERSONAL_FORMS
             for slot in form["required_slots"]}
    assert slots == tracker.PERSONAL_SLOTS | tracker.NOT_PERSONAL_SLOTS
    assert not tracker.PERSONAL_SLOTS & tracker.NOT_PERSONAL_SLOTS
    assert tracker.PERSONAL_FORMS <= set(domain["forms"])


@pytest.fixture
def app_db(tmp_path):
    return database(fresh_database(tmp_path, "retention.db"))


def test_every_store_of_the_application_database(app_db, rasa_store):
    now = utcnow()
    old, recent = now - dt.timedelta(days=400), now - dt.timedelta(days=10)
    due = cases.Deadlines(Calendar(), {"new": 2}, now.date())
    leads, calls = LeadStore(app_db), CallbackStore(app_db)
    closed_old = leads.file(uuid.uuid4().hex, Draft("trademark", "假冒商标的茶油", "南康区某店",
                                                    "某公司", "照片", NAME, PHONE, "rest"),
                            now=old)[0].ticket
    closed_recent = leads.file(uuid.uuid4().hex, Draft("patent", "仿造专利", "章贡区", None,
                                                       "证书", "李四", "13800001111", "rest"),
                               now=recent)[0].ticket
    still_open = leads.file(uuid.uuid4().hex, Draft("gi", "冒用地标", "赣县区", None, "无",
                                                    "王五", "13700002222", "rest"),
                            now=old)[0].ticket
    call = calls.file(uuid.uuid4().hex, CallbackDraft("续展材料", PHONE, "rest"), 2,
                      now=old)[0].ticket
    with app_db.transaction() as s:
        cases.change(s, closed_old, "closed", f"已联系{NAME}", "张三", due, old)
        cases.change(s, call, "closed", "已回电", "张三", due, old)
        cases.change(s, closed_recent, "closed", None, "张三", due, recent)
        # the review's groups: one with the old question only (goes with it, dismissal and
        # all), one with an old and a new question (stays)
        gone, kept = UnansweredGroup(state="dismissed", reason="无关"), UnansweredGroup()
        s.add_all([gone, kept])
        s.flush()
        s.add_all([UnansweredQuestion(text="旧问题", channel="rest", created_at=old,
                                      group_id=gone.id),
                   UnansweredQuestion(text="旧的同类问题", channel="rest", created_at=old,
                                      group_id=kept.id),
                   UnansweredQuestion(text="新问题", channel="rest", created_at=recent,
                                      group_id=kept.id),
                   AnswerRating(sender="old", message_id="m", text_hash="h", rating="up",
                                created_at=old, updated_at=old),
                   AnswerRating(sender="new", message_id="m", text_hash="h", rating="up",
                                created_at=recent, updated_at=recent),
                   WeChatMessage(key="k-old", state="passive", reply=f"电话：{PHONE}",
                                 created_at=now - dt.timedelta(hours=2)),
                   WeChatMessage(key="k-new", state="passive", reply="答复", created_at=now),
                   WeChatOption(openid="o-old", payloads=["/greet"], updated_at=recent),
                   WeChatOption(openid="o-new", payloads=["/greet"], updated_at=now)])
        # the outbox: a reply nobody sent for 49 h, one sent (emptied) 8 days ago, one
        # waiting since an hour, one sent yesterday
        for openid, chunks, received, done in [
                ("o-unsent", [f"请核对：联系人：{NAME} 电话：{PHONE}"], now - dt.timedelta(hours=49),
                 None),
                ("o-sent-long-ago", [], now - dt.timedelta(days=8), now - dt.timedelta(days=8)),
                ("o-waiting", ["答复"], now - dt.timedelta(hours=1), None),
                ("o-sent", [], now - dt.timedelta(days=1), now - dt.timedelta(days=1))]:
            s.add(WeChatOutbox(openid=openid, chunks=chunks, sent=0, attempts=3,
                               received_at=received, next_attempt_at=received, done_at=done,
                               outcome="sent" if done else None))
        record(s, TEST_ACTOR, "sign_in", now=now - dt.timedelta(days=366))
        record(s, TEST_ACTOR, "sign_in", now=now - dt.timedelta(days=100))
    report = retention.run(app_db, rasa_store.url, PERIODS, now)
    assert report.failed == {}
    assert report.done["leads and call-backs"] == "1 leads and 1 call-backs anonymised"
    with app_db.session() as s:
        got = {r.ticket: r for r in s.execute(select(Lead)).scalars()}
        assert (got[closed_old].name, got[closed_old].phone, got[closed_old].who) == (
            ANONYMISED, "", None)
        assert (got[closed_old].kind, got[closed_old].status) == ("trademark", "closed")
        assert got[closed_recent].name == "李四" and got[still_open].name == "王五"
        anonymous_call = s.execute(select(CallbackRequest)).scalar_one()
        assert (anonymous_call.question, anonymous_call.phone) == (ANONYMISED, "")
        notes = s.execute(select(CaseNote.note).where(CaseNote.ticket.in_([closed_old, call]))
                          ).scalars().all()
        assert notes == [ANONYMISED, ANONYMISED]
        assert s.execute(select(UnansweredQuestion.text)).scalars().all() == ["新问题"]
        assert s.execute(select(UnansweredGroup.id)).scalars().all() == [kept.id]
        assert s.execute(select(AnswerRating.sender)).scalars().all() == ["new"]
        assert s.execute(select(WeChatMessage.key)).scalars().all() == ["k-new"]
        assert s.execute(select(WeChatOption.openid)).scalars().all() == ["o-new"]
        outbox = {r.openid: r for r in s.execute(select(WeChatOutbox)).scalars()}
        assert set(outbox) == {"o-unsent", "o-waiting", "o-sent"}
        assert (outbox["o-unsent"].chunks, outbox["o-unsent"].outcome) == ([], "expired")
        assert outbox["o-waiting"].chunks == ["答复"] and outbox["o-waiting"].done_at is None
        assert wechat_outbox.counts(app_db)["expired"] == 1
        kept = s.execute(select(AuditEntry).where(AuditEntry.action == "sign_in")).scalars().all()
        assert [e.at.date() for e in kept] == [(now - dt.timedelta(days=100)).date()]
        last = s.execute(select(AuditEntry).where(AuditEntry.action == "retention")).scalar_one()
        assert last.actor == "system:retention" and last.result == "ok"
    again = retention.run(app_db, rasa_store.url, PERIODS, now)
    assert again.done["leads and call-backs"] == "0 leads and 0 call-backs anonymised"
    assert report.done["WeChat channel"].endswith("1 outbox rows expired unsent, 1 outbox rows "
                                                  "deleted")


def test_the_tracker_is_redacted_once_per_idle_spell(app_db, rasa_store):
    sender = f"w-{uuid.uuid4().hex[:8]}"
    rasa_store.write(sender, conversation(), ago_days=3)
    first = retention.run(app_db, rasa_store.url, PERIODS)
    assert NAME not in dump(rasa_store.url, sender)
    assert not first.done["tracker store"].startswith("0 conversations")
    second = retention.run(app_db, rasa_store.url, PERIODS)  # nothing newly idle since
    assert second.done["tracker store"].startswith("0 conversations redacted")


def test_a_failing_store_does_not_stop_the_others(app_db):
    report = retention.run(app_db, "postgresql://nobody@127.0.0.1:1/none", PERIODS)
    assert set(report.failed) == {"tracker store"} and "audit log" in report.done
    with app_db.session() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "retention")
                          ).scalar_one()
    assert entry.result == "failed" and "tracker store: FAILED" in entry.detail


def test_the_command_runs_every_store_and_refuses_a_short_audit_period(tmp_path, rasa_store):
    url = fresh_database(tmp_path, "cli.db")
    env = settings.child_env(DATABASE_URL=url, TRACKER_DB_URL=rasa_store.url)
    done = subprocess.run([sys.executable, "-m", "bot", "retention"], cwd=settings.ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    stores = [line.split(":")[1].strip() for line in done.stdout.splitlines()]
    assert stores == ["tracker store", "leads and call-backs", "unanswered questions",
                      "ratings", "WeChat channel", "staff sessions", "audit log"]
    short = subprocess.run([sys.executable, "-m", "bot", "retention"], cwd=settings.ROOT,
                           env={**env, "AUDIT_RETENTION_DAYS": "90"}, capture_output=True,
                           text=True, timeout=300)
    assert short.returncode == 2 and "180" in short.stderr


def test_a_conversation_deleted_whole_stays_gone_for_the_bots_store(tmp_path):
    """The bot's tracker store remembers where a long conversation's recent turns begin, with
    the slots set before (bot/tracker_store.py). Retention runs in another process and deletes
    the conversation whole: when the citizen writes again, the store must start afresh — not
    restore the deleted slots, and not lose the new turns (SQLite hands the deleted rows' ids
    out again)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, SessionStarted,
                                         SlotSet, UserUttered)
    from bot.tracker_store import RecentTurnsTrackerStore
    domain = Domain.load(str(settings.ROOT / "domain.yml"))
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = RecentTurnsTrackerStore(domain, host=url, keep_events=8, load_events=12)
    sender = "comes-back"

    def turn(i: int) -> list:
        return [UserUttered(f"专利费减问题{i}", {"name": "ask_fee_reduction", "confidence": 0.9}),
                ActionExecuted("action_answer"), BotUttered(f"答复{i}"),
                ActionExecuted("action_listen")]
    start = [ActionExecuted("action_session_start"), SessionStarted(),
             ActionExecuted("action_listen")]
    form = [UserUttered(NAME, {"name": "inform", "confidence": 0.9}),
            ActionExecuted("lead_form"), ActiveLoop("lead_form"), SlotSet("lead_name", NAME),
            SlotSet("lead_phone", PHONE), ActiveLoop(None), ActionExecuted("action_listen")]

    async def talk(chunks: list[list]) -> None:
        for events in chunks:  # one turn as Rasa's processor does it: retrieve, add, save
            t = await store.get_or_create_tracker(sender, append_action_listen=False)
            for event in events:
                t.update(event)
            await store.save(t)

    asyncio.run(talk([start, form] + [turn(i) for i in range(10)]))
    assert asyncio.run(store.retrieve(sender)).get_slot("lead_name") == NAME
    assert store._boundary(sender) is not None  # it remembers a boundary after the form

    assert tracker.delete_idle(url, time.time() + 1)[0] == 1  # retention, elsewhere
    asyncio.run(talk([start] + [turn(i) for i in range(10, 25)]))

    again = asyncio.run(store.retrieve(sender))
    full = asyncio.run(SQLTrackerStore(domain, host=url).retrieve(sender))
    assert again.get_slot("lead_name") is None and again.get_slot("lead_phone") is None
    assert len(rows(url, sender)) == len(start) + 15 * 4  # every new turn stored
    assert again.latest_message.text == full.latest_message.text == "专利费减问题24"
    assert NAME not in dump(url, sender) and PHONE not in dump(url, sender)
