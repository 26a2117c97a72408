"""Call-back requests: the store (filed once, a ticket, the citizen's status query) and the
form's actions with real rasa-sdk trackers — consent first, the question taken as it is, the
phone checked, an honest promise from the setting, and the status query by HD- ticket."""
from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.leads import fields, store
from bot.leads.callbacks import CallbackDraft, CallbackStore
from bot.leads.models import CallbackRequest
from tests.test_leads_actions import run, said, tracker


@pytest.fixture(scope="module")
def calls(db) -> CallbackStore:
    return CallbackStore(db)


def draft(phone: str = "13912345678") -> CallbackDraft:
    return CallbackDraft("商标续展需要什么材料", phone, "rest")


def test_a_request_is_filed_once_with_an_hd_ticket(calls, db):
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: calls.file(key, draft(), 2), range(6)))
    assert sum(filed for _, filed in results) == 1
    ticket = results[0][0].ticket
    assert re.fullmatch(r"HD-\d{8}-[0-9A-HJKMNP-TV-Z]{5}", ticket)
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(CallbackRequest)
                         .where(CallbackRequest.submission_key == key)).scalar() == 1
    assert fields.ticket_in(ticket.lower().replace("-", " ")) == ticket


def test_the_status_query_needs_the_last_four_digits_and_locks(calls):
    request, _ = calls.file(uuid.uuid4().hex, draft("0797-8123456"), 2)
    assert calls.status(request.ticket, "3456").status == "new"
    for _ in range(store.STATUS_LOCK_AFTER):
        assert calls.status(request.ticket, "0000") is None
    with pytest.raises(store.StatusLocked):
        calls.status(request.ticket, "3456")
    assert calls.status("HD-20000101-AAAAA", "3456") is None


@pytest.fixture(scope="module")
def actions():
    from actions import callbacks, leads  # after collection: the actions block TensorFlow
    return callbacks, leads


def test_asking_for_a_person_says_it_is_automated_and_what_it_can_do(actions, monkeypatch):
    callbacks, _ = actions
    monkeypatch.setenv("CALLBACK_WORKING_DAYS", "3")
    slots, said_ = run(callbacks.ActionStartCallback(), tracker(said("转人工", "request_human")))
    assert "自动" in said_[0] and "3个工作日内" in said_[0] and "12345" in said_[0]
    assert slots["callback_draft_id"] and slots["callback_question"] is None


@pytest.mark.parametrize("message, expected", [
    (said('/affirm{"lead_step": "callback_consent"}'), True),
    (said("同意", "affirm"), True),
    (said('/deny{"lead_step": "callback_consent"}'), False),
    (said("不同意", "deny"), False),
])
def test_consent_comes_first(actions, message, expected):
    form = actions[0].ValidateCallbackForm()
    slots, _ = run(form, tracker(message, "callback_consent", form="callback_form"))
    assert slots["callback_consent"] is expected
    if expected is False:
        assert slots["requested_slot"] is None  # the form stops; nothing else is asked


def test_a_stale_button_or_other_words_ask_for_consent_again(actions):
    form = actions[0].ValidateCallbackForm()
    slots, _ = run(form, tracker(said('/affirm{"lead_step": "confirm"}'), "callback_consent",
                                 form="callback_form"))
    assert slots == {"callback_consent": None}
    slots, text = run(form, tracker(said("你们几点下班", "nlu_fallback", 0.3),
                                    "callback_consent", form="callback_form"))
    assert slots == {"callback_consent": None} and "同意" in text[0]


def test_the_question_is_taken_as_it_is_even_when_it_sounds_answerable(actions):
    form = actions[0].ValidateCallbackForm()
    question = "专利费减怎么备案？我们是小微企业"
    slots, _ = run(form, tracker(said(question, "ask_fee_reduction", 0.97), "callback_question",
                                 form="callback_form", callback_consent=True))
    assert slots["callback_question"] == question
    slots, _ = run(form, tracker(said("<b>商标</b>续展", "ask_trademark"), "callback_question",
                                 form="callback_form", callback_consent=True))
    assert slots["callback_question"] == "商标续展"  # markup out, words kept
    slots, text = run(form, tracker(said("字" * 301, "nlu_fallback"), "callback_question",
                                    form="callback_form", callback_consent=True))
    assert slots["callback_question"] is None and "300字以内" in text[0]


def test_a_knowledge_question_instead_of_the_phone_is_answered_first(actions):
    form = actions[0].ValidateCallbackForm()
    slots, _ = run(form, tracker(said("专利费减的条件是什么？", "ask_fee_reduction", 0.95),
                                 "callback_phone", form="callback_form", callback_consent=True,
                                 callback_question="商标续展"))
    assert slots is None  # nothing filled: Rasa rejects the form and the rules answer
    slots, text = run(form, tracker(said("1391234", "inform"), "callback_phone",
                                    form="callback_form"))
    assert slots["callback_phone"] is None and "11位手机号" in text[0]
    slots, _ = run(form, tracker(said("139 1234 5678", "inform"), "callback_phone",
                                 form="callback_form"))
    assert slots["callback_phone"] == "13912345678"
    slots, _ = run(form, tracker(said("算了", "cancel_form"), "callback_phone",
                                 form="callback_form"))
    assert slots == {"callback_phone": None, "requested_slot": None}


def test_a_privacy_question_at_consent_or_phone_is_answered_first(actions):
    """"我的电话给谁看？" is what a citizen asks right there: nothing is filled, Rasa rejects
    the form and the rules answer it (action_explain_privacy), then the form asks again. At
    the question step it is the citizen's question, taken as it is."""
    form = actions[0].ValidateCallbackForm()
    question = said("我留的电话会给哪些人看到？", "ask_privacy", 0.93)
    assert run(form, tracker(question, "callback_consent", form="callback_form"))[0] is None
    assert run(form, tracker(question, "callback_phone", form="callback_form",
                             callback_consent=True, callback_question="商标续展"))[0] is None
    slots, _ = run(form, tracker(question, "callback_question", form="callback_form",
                                 callback_consent=True))
    assert slots["callback_question"] == "我留的电话会给哪些人看到？"
    # not a question, or NLU unsure: read as the answer (here: not a phone number)
    slots, text = run(form, tracker(said("电话保密", "ask_privacy", 0.93), "callback_phone",
                                    form="callback_form", callback_consent=True,
                                    callback_question="商标续展"))
    assert slots == {"callback_phone": None} and "手机号" in text[0]


def test_filing_gives_the_ticket_and_the_configured_promise(actions, db, monkeypatch):
    callbacks, _ = actions
    monkeypatch.setenv("CALLBACK_WORKING_DAYS", "4")
    values = dict(callback_draft_id=uuid.uuid4().hex, callback_consent=True,
                  callback_question="商标续展需要什么材料", callback_phone="13912340000")
    finish = callbacks.ActionFinishCallback()
    slots, text = run(finish, tracker(said("13912340000", "inform"), **values))
    ticket = re.search(r"HD-\d{8}-\w{5}", text[0]).group()
    assert "4个工作日内" in text[0] and "139****0000" in text[0] and "13912340000" not in text[0]
    assert slots["callback_draft_id"] is None and slots["callback_phone"] is None
    again, text = run(finish, tracker(said("13912340000", "inform"), **values))  # a retry
    assert ticket in text[0]
    with db.session() as s:
        row = s.execute(select(CallbackRequest).where(CallbackRequest.ticket == ticket)
                        ).scalar_one()
    assert (row.promised_days, row.status, row.phone) == (4, "new", "13912340000")


@pytest.mark.parametrize("values, words", [
    ({"callback_consent": False}, "没有保存"),
    ({"callback_consent": True, "callback_question": "问题"}, "已取消"),
])
def test_nothing_is_filed_without_consent_or_answers(actions, db, values, words):
    callbacks, _ = actions
    with db.session() as s:
        before = s.execute(select(func.count()).select_from(CallbackRequest)).scalar()
    _, text = run(callbacks.ActionFinishCallback(),
                  tracker(said("算了", "cancel_form"), callback_draft_id="x", **values))
    assert words in text[0]
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(CallbackRequest)).scalar() == before


def test_citizens_query_a_call_back_like_a_lead(actions, calls):
    _, leads = actions
    request, _ = calls.file(uuid.uuid4().hex, draft("13955557777"), 2)
    slots, text = run(leads.ActionLeadStatus(), tracker(
        said("7777", "inform"), status_ticket=request.ticket, status_phone4="7777"))
    assert request.ticket in text[0] and "2个工作日内" in text[0] and "回电" in text[0]
    _, text = run(leads.ActionLeadStatus(), tracker(
        said("1234", "inform"), status_ticket=request.ticket, status_phone4="1234"))
    assert "没有找到" in text[0]
    form = leads.ValidateLeadStatusForm()
    slots, _ = run(form, tracker(said(f"查一下 {request.ticket.lower()} 7777",
                                      "check_lead_status")))
    assert slots == {"status_ticket": request.ticket, "status_phone4": "7777"}
