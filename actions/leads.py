"""The complaint-lead form and the citizen's status query.

A form's validation action decides what each message is: an answer to the question just
asked, "算了" (the form stops, nothing is filed), a knowledge question (nothing is filled, so
Rasa rejects the form, the rules answer it and the form asks again), or a stale button of an
earlier question (a double tap: the question is asked again). Buttons carry the step they
belong to (`/affirm{"lead_step": "consent"}`) so that a second tap on 同意 never confirms
the read-back that follows it.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import CALLBACKS, KNOWLEDGE, LEADS, answer_instead
from bot.leads import callbacks, fields, store
from bot.leads.models import KINDS
from knowledge.service import (AGREE, ASKS_WHAT_TO_DO, ASKS_WHERE, RIGHT_NAMES, WHAT_TO_DO,
                               WHERE_TO_REPORT)

logger = logging.getLogger(__name__)

REQUESTED = "requested_slot"
# The topics whose questions are answered in the middle of a form (topics.yml; data/rules.yml
# names the same intents for the dialogue, tests/test_topics.py checks it).
KNOWLEDGE_INTENTS = KNOWLEDGE.topic_intents
SURE = 0.6  # typed yes/no/cancel below this is read as words, not as a decision
QUESTION_SURE = 0.5
FIELD_SLOTS = {f: f"lead_{f}" for f in fields.LABELS}  # kind, what, place, who, …, phone
LEAD_SLOTS = [*FIELD_SLOTS.values(), "lead_consent", "lead_confirm", "lead_editing"]
STEP_SLOTS = {"who": "lead_who", "consent": "lead_consent", "confirm": "lead_confirm",
              "callback_consent": "callback_consent"}  # actions/callbacks.py
CHANGE_BUTTONS = [{"title": label, "payload": label} for label in fields.LABELS.values()]
CONFIRM_BUTTONS = [
    {"title": "确认提交", "payload": '/affirm{"lead_step": "confirm"}'},
    {"title": "修改", "payload": '/deny{"lead_step": "confirm"}'},
    {"title": "取消", "payload": "/cancel_form"},
]
CENTRE = "中国（赣州）知识产权保护中心"
STATUS_TEXT = {
    "new": f"已登记，正在等待转交{CENTRE}。",
    "forwarded": f"已转交{CENTRE}，等待核实受理。",
    "accepted": "保护中心已受理，正在处理；需要时工作人员会按您留的电话联系您。",
    "closed": "已办结。",
}
BEIJING = dt.timedelta(hours=8)  # stored times are UTC


def callback_status_text(request) -> str:
    if request.status == "new":
        return (f"已登记，工作人员会在登记后{request.promised_days}个工作日内"
                "（遇周末、法定节假日顺延）按您留的电话回电。")
    return {"forwarded": "已转交承办人员，等待回电。",
            "accepted": "工作人员正在处理，会按您留的电话联系您。",
            "closed": "已办结。"}[request.status]


@dataclass(frozen=True)
class Said:
    """The latest user message as the forms read it."""
    text: str
    intent: str | None
    confidence: float
    entities: tuple

    @classmethod
    def of(cls, tracker: Tracker) -> "Said":
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        return cls((message.get("text") or "").strip(), intent.get("name"),
                   float(intent.get("confidence") or 0.0), tuple(message.get("entities") or ()))

    @property
    def button(self) -> bool:
        return self.text.startswith("/")

    def entity(self, name: str) -> str | None:
        return next((e.get("value") for e in self.entities if e.get("entity") == name), None)

    def step_slot(self) -> str | None:
        """The slot a form button was made for."""
        if self.entity("lead_kind"):
            return "lead_kind"
        return STEP_SLOTS.get(self.entity("lead_step") or "")

    def _is(self, intent: str) -> bool:
        return self.intent == intent and (self.button or self.confidence >= SURE)

    def affirms(self) -> bool:
        return self._is("affirm")

    def denies(self) -> bool:
        return self._is("deny")

    def cancels(self) -> bool:
        return self._is("cancel_form") or (not self.button and fields.cancels(self.text))

    def _asks(self, intents) -> bool:
        return self.intent in intents and (self.button or (
            self.confidence >= QUESTION_SURE and fields.is_question(self.text)))

    def asks_knowledge(self) -> bool:
        return self._asks(KNOWLEDGE_INTENTS)

    def asks_about_privacy(self) -> bool:
        """"我的电话会给谁看？" asked at the consent or the phone question: the forms that
        collect personal data let it be answered (actions/service.py), then ask again."""
        return self._asks({"ask_privacy"})


class _FormValidation(FormValidationAction):
    """Routes each message (see the module docstring); subclasses check the answers."""

    @abstractmethod
    def name(self) -> str:
        """Abstract, so that the action server does not register this base as an action."""

    def prefill(self, said: Said) -> dict[str, Any]:
        """Slots the message that started the form already answers."""
        return {}

    def answer(self, requested: str, said: Said) -> dict[str, Any]:
        """What the message says for the slot asked for (its validate_ method checks it)."""
        return {requested: said.text}

    def interrupts(self, requested: str, said: Said) -> bool:
        """A knowledge question, or a question about what happens to personal data, asked
        instead of an answer: the rules answer it, then the form asks again. (A form whose
        question *is* a free question overrides this.)"""
        return said.asks_knowledge() or said.asks_about_privacy()

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        requested = tracker.get_slot(REQUESTED)
        said = Said.of(tracker)
        if requested and said.cancels():
            return [SlotSet(requested, None), SlotSet(REQUESTED, None)]
        if requested and self.interrupts(requested, said):
            return []
        return await super().run(dispatcher, tracker, domain)

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[dict[str, Any]]:
        requested = tracker.get_slot(REQUESTED)
        said = Said.of(tracker)
        if requested is None:
            values = self.prefill(said)
        elif said.button and said.step_slot() != requested:
            values = {requested: None}  # an earlier question's button: ask this one again
        else:
            values = self.answer(requested, said)
        return [SlotSet(slot, value) for slot, value in values.items()]


def _checked(slot: str, value: Any, check, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    if value is None:
        return {slot: None}
    try:
        return {slot: check(value)}
    except fields.Invalid as problem:
        dispatcher.utter_message(text=f"{problem}（说“算了”可以取消登记。）")
        return {slot: None}


class ValidateLeadForm(_FormValidation):
    def name(self) -> str:
        return "validate_lead_form"

    def prefill(self, said: Said) -> dict[str, Any]:
        if said.intent != "report_infringement":
            return {}
        kind = said.entity("lead_kind") or fields.kind_of(said.text)
        return {"lead_kind": kind} if kind in KINDS and kind != "other" else {}

    def answer(self, requested: str, said: Said) -> dict[str, Any]:
        return {requested: said.entity("lead_kind") or said.text}  # a kind button or words

    def validate_lead_kind(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"lead_kind": None}
        kind = value if value in KINDS else fields.kind_of(value)
        if kind is None:
            dispatcher.utter_message(text="请点选下面的一类；说不准就选“其他”。")
        return {"lead_kind": kind}

    def validate_lead_what(self, value, dispatcher, tracker, domain):
        return _checked("lead_what", value,
                        lambda v: fields.free_text(v, fields.TEXT_FIELDS["what"]), dispatcher)

    def validate_lead_place(self, value, dispatcher, tracker, domain):
        return _checked("lead_place", value,
                        lambda v: fields.free_text(v, fields.TEXT_FIELDS["place"]), dispatcher)

    def validate_lead_who(self, value, dispatcher, tracker, domain):
        if Said.of(tracker).step_slot() == "lead_who":  # the 不清楚 button
            return {"lead_who": ""}
        return _checked("lead_who", value, fields.who, dispatcher)

    def validate_lead_evidence(self, value, dispatcher, tracker, domain):
        return _checked("lead_evidence", value,
                        lambda v: fields.free_text(v, fields.TEXT_FIELDS["evidence"]),
                        dispatcher)

    def validate_lead_name(self, value, dispatcher, tracker, domain):
        return _checked("lead_name", value, fields.name, dispatcher)

    def validate_lead_phone(self, value, dispatcher, tracker, domain):
        return _checked("lead_phone", value, fields.phone, dispatcher)

    def validate_lead_consent(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"lead_consent": None}
        said = Said.of(tracker)
        if said.affirms() and (said.button or not fields.negated(said.text)):  # explicit only
            return {"lead_consent": True}
        if said.denies():  # the form stops here; action_finish_lead says nothing was kept
            return {"lead_consent": False, REQUESTED: None}
        dispatcher.utter_message(text="请点“同意”或“不同意”。")
        return {"lead_consent": None}

    def validate_lead_confirm(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"lead_confirm": None}
        said = Said.of(tracker)
        if tracker.get_slot("lead_editing"):  # the answer to "要修改哪一项？"
            field = fields.field_named(said.text)
            return {"lead_confirm": None, "lead_editing": not field,
                    **({FIELD_SLOTS[field]: None} if field else {})}
        # Typed words that name a field or a mistake win over NLU's "yes": a lead the
        # citizen wanted to correct must not be filed ("类型" and "有问题" read as affirm).
        field = None if said.button else fields.field_named(said.text)
        if field:  # "电话写错了": ask that one again straight away
            return {"lead_confirm": None, FIELD_SLOTS[field]: None}
        if said.denies() or (not said.button and fields.wants_change(said.text)):
            return {"lead_confirm": None, "lead_editing": True}
        if said.affirms():
            return {"lead_confirm": "submit"}
        dispatcher.utter_message(text="请点“确认提交”“修改”或“取消”。")
        return {"lead_confirm": None}


def summary(tracker: Tracker) -> str:
    slot = tracker.get_slot
    lines = ["请核对您要登记的线索："]
    for field, label in fields.LABELS.items():
        value = slot(FIELD_SLOTS[field])
        if field == "kind":
            value = fields.KIND_LABELS.get(value, value)
        lines.append(f"{label}：{value or '（不清楚）'}")
    lines.append("没问题请点“确认提交”；要改哪一项请点“修改”。")
    return "\n".join(lines)


class ActionStartLead(Action):
    """A new form: a fresh draft id (the filing's idempotency key) and no earlier answers."""

    def name(self) -> str:
        return "action_start_lead"

    def run(self, dispatcher, tracker, domain):
        said = Said.of(tracker)
        if not said.button and (fields.is_question(said.text) or _HOW_MANY.search(said.text)
                                or ASKS_WHERE.search(said.text)):
            answered = _asked_instead(said.text)
            if answered is None and _about_our_rights(said.text):
                if ASKS_WHERE.search(said.text):
                    answered = KNOWLEDGE.reply_for(WHERE_TO_REPORT)
                elif ASKS_WHAT_TO_DO.search(said.text):
                    answered = KNOWLEDGE.reply_for(WHAT_TO_DO)
            if answered:
                return answer_instead(dispatcher, tracker, answered, {
                    "title": "登记侵权线索", "payload": "/report_infringement"})
        dispatcher.utter_message(response="utter_lead_intro")
        return [SlotSet(slot, None) for slot in LEAD_SLOTS] + [
            SlotSet("lead_draft_id", uuid.uuid4().hex)]


# "展会上碰到卖仿冒货的，咋个当场投诉嘛" is read as report_infringement, but it asks how (at a
# fair), not to file: an answer that shares three specific words with the question and covers
# AGREE of it answers, and the form is offered as a button. "我想举报，怎么弄" shares only
# 举报 with any answer and starts the form; no report_infringement training example, asked as a
# question, meets the bar (measured when it was set).
ASKED_WORDS = 3
# "隔壁店卖假货，在哪举报" (read as a report, so the reporting is implied): where to report is the
# answer on reporting through 12315 and 12345; "别人抄袭我的专利咋办" asks what can be done, the
# answer on the ways (knowledge.service.WHAT_TO_DO). The form is one more way, offered as the
# button. No report_infringement training example asks where or what to do.
# "赣州有几家专利代理机构" asks how many, "网上有人卖冒牌的赣南茶油，谁来管" where (ASKS_WHERE)
# (fields.is_question leaves 几 and 谁 out: "几天前发现的", "不知道是谁做的" are a
# lead's story, not a question, in the middle of the form).
_HOW_MANY = re.compile(r"几[家个件种项位多]")
# Only for the rights this office protects: "网购退货商家不给退怎么办", "照片被盗用找版权局怎么
# 维权" are other offices' (NLU may still read them as a report).
_OUR_RIGHTS = re.compile(RIGHT_NAMES + r"|赣南脐橙|赣南茶油|南康家具|假冒|仿|冒用|冒牌|山寨|抄袭|侵权|假货")


def _about_our_rights(text: str) -> bool:
    return bool(_OUR_RIGHTS.search(text)) and not KNOWLEDGE.names_outside(text)


def _asked_instead(text: str):
    return KNOWLEDGE.rescue(text, ASKED_WORDS, AGREE)


class ActionAskLeadConfirm(Action):
    def name(self) -> str:
        return "action_ask_lead_confirm"

    def run(self, dispatcher, tracker, domain):
        if tracker.get_slot("lead_editing"):
            dispatcher.utter_message(text="要修改哪一项？", buttons=CHANGE_BUTTONS)
        else:
            dispatcher.utter_message(text=summary(tracker), buttons=CONFIRM_BUTTONS)
        return []


class ActionFinishLead(Action):
    """Files the confirmed lead, or says that nothing was filed. Runs again for a repeated
    confirmation: the draft id finds the lead filed the first time."""

    def name(self) -> str:
        return "action_finish_lead"

    def run(self, dispatcher, tracker, domain):
        slot = tracker.get_slot
        key = slot("lead_draft_id")
        if key is None:
            dispatcher.utter_message(response="utter_ok")
            return []
        reset = [SlotSet(s, None) for s in LEAD_SLOTS] + [SlotSet("lead_draft_id", None)]
        if slot("lead_consent") is False:
            dispatcher.utter_message(text="好的。没有您的同意我们不能登记，这次什么都没有保存。"
                                          "也可以通过全国12315平台投诉举报，或拨打12345政务服务热线。")
            return reset
        if slot("lead_confirm") != "submit":
            dispatcher.utter_message(text="好的，已取消，这条线索没有登记。还有其他问题可以继续问我。")
            return reset
        draft = store.Draft(kind=slot("lead_kind"), what=slot("lead_what"),
                            place=slot("lead_place"), who=slot("lead_who") or None,
                            evidence=slot("lead_evidence"), name=slot("lead_name"),
                            phone=slot("lead_phone"),
                            channel=tracker.get_latest_input_channel() or "unknown")
        try:
            lead, filed = LEADS.file(key, draft)
        except Exception as err:  # the message of a database error can hold the citizen's data
            logger.error("lead filing failed: %s", type(err).__name__)
            dispatcher.utter_message(text="抱歉，系统暂时没能登记。请过一会儿再点一次“确认提交”，"
                                          "您填的内容还在。", buttons=CONFIRM_BUTTONS[:1])
            return []
        if not filed:
            dispatcher.utter_message(text=f"这条线索已经登记过了，编号：{lead.ticket}，不会重复登记。")
            return []
        logger.info("lead %s filed (kind %s, channel %s)", lead.ticket, lead.kind, lead.channel)
        dispatcher.utter_message(text=(
            f"已登记，线索编号：{lead.ticket}（请记下）。\n"
            f"接下来：线索会转交{CENTRE}，工作人员核实时可能按您留的电话联系您。"
            "想知道进度，随时跟我说“查询线索进度”，再提供编号和电话后四位。\n"
            "说明：在这里登记的是线索，不等于在全国12315平台正式投诉或举报；"
            "需要正式投诉的，可以同时通过12315平台提交。"))
        return []


# "Is the Ganzhou 14th Five-Year IP plan still in force?" was read as a status query (0.48) and
# was asked for a ticket. A question that names no ticket and nothing of a status query (its
# words below: every check_lead_status training example has one) and that the knowledge base
# answers is answered, with the status query offered as a button.
ABOUT_STATUS = re.compile(r"进度|進度|进展|進展|处理|到哪|哪一步|状态|结果|受理|回电|打来|线索|编号|工单|登记|"
                          r"提交的|下文|有人管|我(?:那个|的|之前)?(?:举报|投诉|反映)|(?:举报|投诉|反映)的|"
                          r"status|ticket|progress", re.IGNORECASE)


class ActionStartLeadStatus(Action):
    def name(self) -> str:
        return "action_start_lead_status"

    def run(self, dispatcher, tracker, domain):
        said = Said.of(tracker)
        if said.button or not fields.is_question(said.text) or fields.ticket_in(said.text) or \
                ABOUT_STATUS.search(said.text):
            return []
        answered = KNOWLEDGE.answer(said.text)
        if not answered.answered:
            return []
        return answer_instead(dispatcher, tracker, answered, {
            "title": "查询线索进度", "payload": "/check_lead_status"})


class ValidateLeadStatusForm(_FormValidation):
    def name(self) -> str:
        return "validate_lead_status_form"

    def prefill(self, said: Said) -> dict[str, Any]:
        found = {"status_ticket": fields.ticket_in(said.text),
                 "status_phone4": fields.last_four_in(said.text)}
        return {slot: value for slot, value in found.items() if value}

    def answer(self, requested: str, said: Said) -> dict[str, Any]:
        return {requested: said.text, **self.prefill(said)}  # both may come in one message

    def validate_status_ticket(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"status_ticket": None}
        ticket = fields.ticket_in(value)
        if ticket is None:
            dispatcher.utter_message(text="没认出编号。编号在登记成功的那条消息里，"
                                          "线索形如 GZ-20261126-7KQ2M，回电请求形如 "
                                          "HD-20261201-3PX7Q。（说“算了”就不查了。）")
        return {"status_ticket": ticket}

    def validate_status_phone4(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"status_phone4": None}
        digits = fields.last_four_in(value)
        if digits is None:
            dispatcher.utter_message(text="请发登记时所留电话的最后四位数字。")
        return {"status_phone4": digits}


class ActionLeadStatus(Action):
    def name(self) -> str:
        return "action_lead_status"

    def run(self, dispatcher, tracker, domain):
        ticket, last4 = tracker.get_slot("status_ticket"), tracker.get_slot("status_phone4")
        reset = [SlotSet("status_ticket", None), SlotSet("status_phone4", None)]
        if not ticket or not last4:
            dispatcher.utter_message(text="好的，不查了。还有其他问题可以继续问我。")
            return reset
        if ticket.startswith(f"{callbacks.PREFIX}-"):
            return reset + self.callback(dispatcher, ticket, last4)
        try:
            lead = LEADS.status(ticket, last4)
        except store.StatusLocked:
            dispatcher.utter_message(text="这个编号今天查询失败的次数太多，暂时不能查询。"
                                          "请明天再试，或拨打12345政务服务热线。")
            return reset
        if lead is None:
            dispatcher.utter_message(text=f"没有找到编号为 {ticket}、电话后四位为 {last4} 的线索。"
                                          "请核对后再说一次“查询线索进度”。")
            return reset
        filed, changed = ((t + BEIJING).date() for t in (lead.created_at, lead.updated_at))
        dispatcher.utter_message(text=f"线索 {lead.ticket}（{filed:%Y-%m-%d}登记）："
                                      f"{STATUS_TEXT[lead.status]}最近更新：{changed:%Y-%m-%d}。")
        return reset

    @staticmethod
    def callback(dispatcher: CollectingDispatcher, ticket: str, last4: str) -> list:
        try:
            request = CALLBACKS.status(ticket, last4)
        except store.StatusLocked:
            dispatcher.utter_message(text="这个编号今天查询失败的次数太多，暂时不能查询。"
                                          "请明天再试，或拨打12345政务服务热线。")
            return []
        if request is None:
            dispatcher.utter_message(text=f"没有找到编号为 {ticket}、电话后四位为 {last4} 的回电请求。"
                                          "请核对后再说一次“查询进度”。")
            return []
        filed, changed = ((t + BEIJING).date() for t in (request.created_at, request.updated_at))
        dispatcher.utter_message(text=f"回电请求 {request.ticket}（{filed:%Y-%m-%d}登记）："
                                      f"{callback_status_text(request)}"
                                      f"最近更新：{changed:%Y-%m-%d}。")
        return []
