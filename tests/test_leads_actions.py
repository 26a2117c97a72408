"""The lead form's actions with real rasa-sdk trackers, as the action server runs them."""
from __future__ import annotations

import asyncio
import json

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from bot import settings
from bot.leads import store
from bot.leads.models import Lead

DOMAIN = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
ANSWERS = {"lead_kind": "trademark", "lead_what": "有人在网店卖假冒我们注册商标的茶油",
           "lead_place": "南康区家具市场二楼", "lead_who": "", "lead_evidence": "购买订单截图",
           "lead_name": "王女士", "lead_phone": "13912345678", "lead_consent": True}


def said(text: str, intent: str = "nlu_fallback", confidence: float = 0.95, **entities) -> dict:
    if text.startswith("/"):  # a button: its payload names the intent and the entities
        intent, _, body = text[1:].partition("{")
        entities = json.loads("{" + body) if body else {}
        confidence = 1.0
    return {"text": text, "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()]}


def tracker(message: dict, requested: str | None = None, form: str = "lead_form",
            **slots) -> Tracker:
    values = {name: None for name in DOMAIN["slots"]}
    values.update(slots, requested_slot=requested)
    events = [{"event": "user", "text": message["text"], "parse_data": message,
               "input_channel": "rest"}]
    return Tracker("citizen", values, message, events, False, None,
                   {"name": form} if requested else {}, "action_listen")


def run(action, t: Tracker) -> tuple[dict | None, list[str]]:
    """The slots the action sets (None: it set nothing, so Rasa rejects the form) and what
    it says."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, DOMAIN)
    if asyncio.iscoroutine(events):  # form validation is async, plain actions are not
        events = asyncio.run(events)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"} if events else None
    return slots, [m.get("text") or m.get("response") for m in dispatcher.messages]


@pytest.fixture(scope="module")
def actions():
    """Imported when the tests run, not when pytest collects them: the actions package blocks
    TensorFlow (actions/__init__.py), which other test modules import at collection."""
    from actions import leads
    return leads


@pytest.fixture
def form(actions):
    return actions.ValidateLeadForm()


def test_the_first_message_can_name_the_kind(form):
    slots, _ = run(form, tracker(said("我要举报有人假冒我们的商标", "report_infringement")))
    assert slots == {"lead_kind": "trademark"}
    slots, _ = run(form, tracker(said("我要投诉", "report_infringement")))
    assert not slots


@pytest.mark.parametrize("message, kind", [
    (said('/report_infringement{"lead_kind": "gi"}'), "gi"),
    (said("商标", "ask_trademark", 0.9), "trademark"),
    (said("黑代理", "report_infringement"), "agency"),
])
def test_kind_from_buttons_or_words(form, message, kind):
    slots, _ = run(form, tracker(message, "lead_kind"))
    assert slots["lead_kind"] == kind


def test_free_text_is_cleaned_and_length_checked(form):
    slots, _ = run(form, tracker(said("<p>有人在网店卖假冒我们注册商标的茶油</p>"), "lead_what"))
    assert slots["lead_what"] == "有人在网店卖假冒我们注册商标的茶油"
    slots, says = run(form, tracker(said("x" * 501), "lead_what"))
    assert slots["lead_what"] is None and "500字以内" in says[0] and "算了" in says[0]


def test_a_wrong_phone_number_is_asked_again_with_examples(form):
    slots, says = run(form, tracker(said("1391234"), "lead_phone", **ANSWERS))
    assert slots["lead_phone"] is None and "0797-8123456" in says[0]
    slots, says = run(form, tracker(said("电话是 139 1234 5678"), "lead_phone", **ANSWERS))
    assert slots["lead_phone"] == "13912345678" and says == []


def test_unknown_counterpart_by_button_or_words(form):
    assert run(form, tracker(said('/deny{"lead_step": "who"}'), "lead_who"))[0]["lead_who"] == ""
    assert run(form, tracker(said("不清楚", "deny"), "lead_who"))[0]["lead_who"] == ""


def test_cancel_stops_the_form_at_any_question(form):
    for requested in ("lead_what", "lead_phone", "lead_confirm"):
        slots, _ = run(form, tracker(said("算了", "cancel_form", 0.97), requested, **ANSWERS))
        assert slots == {requested: None, "requested_slot": None}
    slots, _ = run(form, tracker(said("退出登记", "goodbye", 0.99), "lead_who", **ANSWERS))
    assert slots == {"lead_who": None, "requested_slot": None}


def test_a_knowledge_question_fills_nothing_so_the_rules_answer_it(form):
    slots, says = run(form, tracker(said("商标注册要多少钱", "ask_trademark", 0.9), "lead_place"))
    assert slots is None and says == []
    # a statement that NLU files under a topic is still the answer
    slots, _ = run(form, tracker(said("在南康家具市场二楼", "ask_service_point", 0.8), "lead_place"))
    assert slots["lead_place"] == "在南康家具市场二楼"


def test_a_privacy_question_at_the_phone_fills_nothing_so_the_rules_answer_it(form):
    slots, says = run(form, tracker(said("这个电话号码登记了以后谁能看到？", "ask_privacy", 0.9),
                                    "lead_phone"))
    assert slots is None and says == []
    slots, _ = run(form, tracker(said("这个电话号码登记了以后谁能看到？", "ask_privacy", 0.4),
                                 "lead_phone"))  # NLU unsure: read as the answer, and checked
    assert slots == {"lead_phone": None}


def test_a_second_tap_on_an_earlier_button_only_asks_again(form):
    consent_again = said('/affirm{"lead_step": "consent"}')
    slots, says = run(form, tracker(consent_again, "lead_confirm", **ANSWERS))
    assert slots == {"lead_confirm": None} and says == []


def test_consent_refused_ends_the_form(form):
    slots, _ = run(form, tracker(said('/deny{"lead_step": "consent"}'), "lead_consent"))
    assert slots == {"lead_consent": False, "requested_slot": None}
    slots, says = run(form, tracker(said("随便吧", "out_of_scope", 0.4), "lead_consent"))
    assert slots == {"lead_consent": None} and "同意" in says[0]
    # NLU hears "没有" as yes; consent has to be explicit
    slots, _ = run(form, tracker(said("没有", "affirm", 0.87), "lead_consent"))
    assert slots == {"lead_consent": None}
    assert run(form, tracker(said("同意", "affirm"), "lead_consent"))[0] == {"lead_consent": True}


def test_read_back_confirm_and_change_one_field(form):
    confirm = said('/affirm{"lead_step": "confirm"}')
    assert run(form, tracker(confirm, "lead_confirm", **ANSWERS))[0] == {"lead_confirm": "submit"}
    change = said('/deny{"lead_step": "confirm"}')
    assert run(form, tracker(change, "lead_confirm", **ANSWERS))[0] == {
        "lead_confirm": None, "lead_editing": True}
    picked = run(form, tracker(said("电话"), "lead_confirm", lead_editing=True, **ANSWERS))[0]
    assert picked == {"lead_confirm": None, "lead_editing": False, "lead_phone": None}
    typed = run(form, tracker(said("地址写错了", "deny", 0.8), "lead_confirm", **ANSWERS))[0]
    assert typed == {"lead_confirm": None, "lead_place": None}


@pytest.mark.parametrize("text, intent", [("有问题", "affirm"), ("信息有误", "affirm"),
                                          ("类型", "affirm"), ("不对", "deny")])
def test_typed_doubts_at_the_read_back_never_file(form, text, intent):
    slots, _ = run(form, tracker(said(text, intent, 0.8), "lead_confirm", **ANSWERS))
    assert slots["lead_confirm"] is None


@pytest.mark.parametrize("text", ["没问题", "没错", "对的", "好的"])
def test_typed_yes_at_the_read_back_files(form, text):
    slots, _ = run(form, tracker(said(text, "affirm", 0.9), "lead_confirm", **ANSWERS))
    assert slots == {"lead_confirm": "submit"}


def test_read_back_lists_every_answer(actions):
    _, says = run(actions.ActionAskLeadConfirm(), tracker(said("同意", "affirm"), "lead_confirm",
                                                          **ANSWERS))
    assert "类型：商标侵权" in says[0] and "对象：（不清楚）" in says[0]
    assert "电话：13912345678" in says[0]


def finish(actions, slots: dict, text: str = '/affirm{"lead_step": "confirm"}'):
    return run(actions.ActionFinishLead(), tracker(said(text), **slots))


def test_confirmed_lead_is_filed_once_whatever_the_repeats(actions, db):
    slots = dict(ANSWERS, lead_confirm="submit", lead_draft_id="draft-repeat-test")
    _, first = finish(actions, slots)
    _, again = finish(actions, slots)
    with db.session() as s:
        tickets = s.execute(select(Lead.ticket).where(
            Lead.submission_key == "draft-repeat-test")).scalars().all()
    assert len(tickets) == 1
    assert f"线索编号：{tickets[0]}" in first[0]
    assert f"编号：{tickets[0]}，不会重复登记" in again[0]


def test_no_consent_or_cancel_files_nothing(actions, db):
    with db.session() as s:
        before = s.execute(select(func.count()).select_from(Lead)).scalar()
    refused, says = finish(actions, dict(ANSWERS, lead_consent=False, lead_draft_id="d1"))
    assert "没有保存" in says[0] and refused["lead_draft_id"] is None
    cancelled, says = finish(actions, dict(ANSWERS, lead_draft_id="d2"), "算了")
    assert "没有登记" in says[0] and cancelled["lead_phone"] is None
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(Lead)).scalar() == before


def test_status_query_reads_ticket_and_digits_from_one_message(actions, db):
    lead, _ = store.LeadStore(db).file("draft-status-test", store.Draft(
        "patent", "仿造我们的实用新型", "瑞金市", None, "证书", "李先生", "0797-8123456", "rest"))
    status_form = actions.ValidateLeadStatusForm()
    slots, _ = run(status_form, tracker(said(f"{lead.ticket.lower()} 后四位3456",
                                             "check_lead_status"), form="lead_status_form"))
    assert slots == {"status_ticket": lead.ticket, "status_phone4": "3456"}
    _, says = run(actions.ActionLeadStatus(), tracker(said("3456"), **slots))
    assert lead.ticket in says[0] and "等待转交" in says[0]
    _, says = run(actions.ActionLeadStatus(), tracker(said("0000"), status_ticket=lead.ticket,
                                                      status_phone4="0000"))
    assert "没有找到" in says[0]
