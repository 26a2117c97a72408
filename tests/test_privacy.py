"""PIPL requests: one citizen's data found by ticket or phone across every store, exported, and
deleted so that nothing is findable any more; the audit log names the request, never the
full number."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import select, text

from bot.channels import wechat_outbox
from bot.channels.wechat_store import WeChatOption
from bot.leads import cases
from bot.leads.callbacks import CallbackDraft, CallbackStore
from bot.leads.store import Draft, LeadStore
from bot.leads.workdays import Calendar
from bot.portal.audit import AuditEntry
from bot.portal.followups import RatingFollowUp
from bot.portal.ratings import AnswerRating
from bot.privacy import subject
from knowledge.models import UnansweredQuestion
from knowledge.storage import database, utcnow
from tests.conftest import fresh_database
from tests.staff_client import TEST_ACTOR
from tests.test_retention import NAME, PHONE, conversation, dump, rasa_store  # noqa: F401

DUE = cases.Deadlines(Calendar(), {"new": 2}, dt.date(2026, 12, 1))


@pytest.fixture
def world(tmp_path, rasa_store):  # noqa: F811
    """The citizen's lead and call-back, their WeChat conversation, a rating, WeChat options,
    a reply waiting in the WeChat outbox, an unanswered question quoting the ticket — and another citizen's data beside it."""
    db = database(fresh_database(tmp_path, "pipl.db"))
    lead, _ = LeadStore(db).file(uuid.uuid4().hex, Draft(
        "trademark", "假冒商标", "南康区", None, "照片", NAME, PHONE, "wechat"))
    call, _ = CallbackStore(db).file(uuid.uuid4().hex, CallbackDraft(
        "续展材料", PHONE, "rest"), 2)
    other, _ = LeadStore(db).file(uuid.uuid4().hex, Draft(
        "patent", "仿造专利", "章贡区", None, "证书", "李四", "13800001111", "rest"))
    openid = f"oWx{uuid.uuid4().hex[:12]}"  # on WeChat the sender id is the openid
    rasa_store.write(openid, conversation(lead.ticket))
    rasa_store.write(f"other-{uuid.uuid4().hex[:6]}", conversation(other.ticket)[:4])
    with db.transaction() as s:
        cases.change(s, lead.ticket, "accepted", f"已联系{NAME}", "张三", DUE, utcnow())
        s.add_all([AnswerRating(sender=openid, message_id="m1", text_hash="h",
                                rating="dissatisfied"),
                   RatingFollowUp(rating_id=10**6, sender=openid, level="dissatisfied",
                                  question=f"我是{NAME}，商标怎么续展", answer="答复",
                                  from_tracker=1, created_at=utcnow(), due=utcnow().date()),
                   AnswerRating(sender="someone", message_id="m1", text_hash="h", rating="up"),
                   WeChatOption(openid=openid, payloads=["/greet"], updated_at=utcnow()),
                   UnansweredQuestion(text=f"{lead.ticket} 怎么还没处理", channel="wechat"),
                   UnansweredQuestion(text="公积金怎么提取", channel="rest")])
        wechat_outbox.queue(s, wechat_outbox.Queued(
            openid, [f"请核对：联系人：{NAME} 电话：{PHONE}", "确认提交吗？"], utcnow()))
        wechat_outbox.queue(s, wechat_outbox.Queued("oWx-someone-else", ["答复"], utcnow()))
    return db, rasa_store.url, lead.ticket, call.ticket, other.ticket, openid


def test_finding_by_phone_reaches_every_store(world):
    db, tracker_url, lead, call, other, openid = world
    found = subject.find(db, tracker_url, TEST_ACTOR, subject.Who.parse("", "139-1234-5678"),
                         DUE)
    assert {c.ticket for c in found.cases} == {lead, call}
    assert found.senders == [openid]
    assert any(NAME in line.text for line in found.conversation)
    assert [r["sender"] for r in found.ratings] == [openid, openid]  # rating, follow-up
    assert NAME in found.ratings[1]["question"]
    assert [w.get("openid") for w in found.wechat] == [openid, openid]  # options, outbox
    assert any(PHONE in text for w in found.wechat for text in w.get("outbox", []))
    assert [q["text"] for q in found.unanswered] == [f"{lead} 怎么还没处理"]
    copy = json.loads(found.as_json())
    assert {c["ticket"] for c in copy["cases"]} == {lead, call}
    assert copy["cases"][0]["notes"] or copy["cases"][1]["notes"]
    with db.session() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "privacy_find")
                          ).scalar_one()
    assert entry.target == "139****5678" and PHONE not in entry.detail


def test_finding_by_ticket_finds_that_case_and_its_conversation(world):
    db, tracker_url, lead, call, other, openid = world
    found = subject.find(db, tracker_url, TEST_ACTOR, subject.Who.parse(lead.lower(), ""), DUE)
    assert [c.ticket for c in found.cases] == [lead] and found.senders == [openid]


def test_a_deletion_leaves_nothing_findable(world):
    db, tracker_url, lead, call, other, openid = world
    who = subject.Who.parse("", PHONE)
    subject.erase(db, tracker_url, TEST_ACTOR, who, DUE, "申请单 2026-001，身份证核验 13912345678")
    again = subject.find(db, tracker_url, TEST_ACTOR, who, DUE)
    assert again.counts() == "0件线索/回电，0段对话，0条评价，0条微信记录，0条未答问题"
    assert subject.find(db, tracker_url, TEST_ACTOR, subject.Who.parse(lead, ""), DUE
                        ).counts().startswith("0件线索/回电，0段对话")
    assert NAME not in dump(tracker_url, openid) and dump(tracker_url, openid) == "[]"
    with db.session() as s:  # every table of the application, as text
        for table in ("lead", "callback_request", "case_note", "answer_rating",
                      "wechat_option", "wechat_outbox", "unanswered_question", "audit_log",
                      "lead_outbox", "rating_followup"):
            content = " ".join(map(str, s.execute(text(f"SELECT * FROM {table}")).all()))
            assert PHONE not in content and NAME not in content, table
        assert s.execute(select(AnswerRating.sender)).scalars().all() == ["someone"]
        assert s.execute(select(wechat_outbox.WeChatOutbox.openid)).scalars().all() == [
            "oWx-someone-else"]
        deletion = s.execute(select(AuditEntry).where(AuditEntry.action == "privacy_delete")
                             ).scalar_one()
    assert deletion.detail.startswith("电话 139****5678：2件线索/回电，")
    other_case = subject.find(db, tracker_url, TEST_ACTOR, subject.Who.parse(other, ""), DUE)
    assert [c.ticket for c in other_case.cases] == [other]  # the other citizen is untouched


@pytest.mark.parametrize("ticket, phone, problem", [
    ("", "", "至少一项"), ("XX-20261126-7KQ2M", "", "编号"), ("", "12345", "电话"),
])
def test_a_request_names_a_ticket_or_a_phone(ticket, phone, problem):
    with pytest.raises(subject.BadRequest, match=problem):
        subject.Who.parse(ticket, phone)
