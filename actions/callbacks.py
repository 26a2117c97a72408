"""The call-back form: a citizen who asks for a person ("转人工", "找工作人员") is told plainly
that this is an automated assistant, then — after agreeing to a short privacy notice — leaves
a question and a phone number, gets a ticket and is told when to expect the call: within the
configured working days (CALLBACK_WORKING_DAYS), never an invented hour. Staff work the request
in the desk; the citizen queries it like a lead ("查询进度", actions/leads.py).

The routing (cancel, a knowledge question instead of the phone number, a stale button) is the
lead form's (`_FormValidation`), except that the question asked *is* free text: whatever the
citizen writes there is their question, even when it sounds like one the bot could answer.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions.knowledge_base import CALLBACKS
from actions.leads import REQUESTED, Said, _FormValidation, _checked
from bot import settings
from bot.leads import fields
from bot.leads.callbacks import CallbackDraft
from knowledge.text import mask_phone

logger = logging.getLogger(__name__)

QUESTION = fields.TextField("question", "问题", 2, 300)
CALLBACK_SLOTS = ["callback_consent", "callback_question", "callback_phone"]
HOTLINE = "急事请直接拨打12345政务服务热线。"


def promise(days: int) -> str:
    return f"工作人员会在{days}个工作日内（遇周末、法定节假日顺延）"


class ValidateCallbackForm(_FormValidation):
    def name(self) -> str:
        return "validate_callback_form"

    def interrupts(self, requested: str, said: Said) -> bool:
        return requested != "callback_question" and super().interrupts(requested, said)

    def validate_callback_consent(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"callback_consent": None}
        said = Said.of(tracker)
        if said.affirms() and (said.button or not fields.negated(said.text)):  # explicit only
            return {"callback_consent": True}
        if said.denies():  # the form stops here; nothing was asked or kept
            return {"callback_consent": False, REQUESTED: None}
        dispatcher.utter_message(text="请点“同意”或“不同意”。")
        return {"callback_consent": None}

    def validate_callback_question(self, value, dispatcher, tracker, domain):
        return _checked("callback_question", value, lambda v: fields.free_text(v, QUESTION),
                        dispatcher)

    def validate_callback_phone(self, value, dispatcher, tracker, domain):
        return _checked("callback_phone", value, fields.phone, dispatcher)


class ActionStartCallback(Action):
    """Says what this is (an automated assistant) and what it can do instead of a transfer."""

    def name(self) -> str:
        return "action_start_callback"

    def run(self, dispatcher, tracker, domain):
        days = settings.callback_working_days()
        dispatcher.utter_message(text=(
            "我是自动回复的服务助手，不能直接转接人工。可以为您登记回电：您留下问题和电话，"
            f"{promise(days)}给您回电。{HOTLINE}"))
        return [SlotSet(slot, None) for slot in CALLBACK_SLOTS] + [
            SlotSet("callback_draft_id", uuid.uuid4().hex)]


class ActionFinishCallback(Action):
    """Files the request, or says that nothing was kept. A retried call (same draft id) finds
    the request filed the first time."""

    def name(self) -> str:
        return "action_finish_callback"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        slot = tracker.get_slot
        key = slot("callback_draft_id")
        reset = [SlotSet(s, None) for s in CALLBACK_SLOTS] + [SlotSet("callback_draft_id", None)]
        if key is None:
            dispatcher.utter_message(response="utter_ok")
            return []
        if slot("callback_consent") is False:
            dispatcher.utter_message(text="好的，没有登记，也没有保存您的任何信息。"
                                          "需要人工服务，可以拨打12345政务服务热线。")
            return reset
        if not slot("callback_question") or not slot("callback_phone"):
            dispatcher.utter_message(text="好的，已取消，没有登记回电。"
                                          "需要人工服务，可以拨打12345政务服务热线。")
            return reset
        draft = CallbackDraft(question=slot("callback_question"), phone=slot("callback_phone"),
                              channel=tracker.get_latest_input_channel() or "unknown")
        try:
            request, filed = CALLBACKS.file(key, draft, settings.callback_working_days())
        except Exception as err:  # the message of a database error can hold the citizen's data
            logger.error("call-back filing failed: %s", type(err).__name__)
            dispatcher.utter_message(text="抱歉，系统暂时没能登记回电。请稍后再说一次“转人工”，"
                                          "或直接拨打12345政务服务热线。")
            return reset
        if filed:
            logger.info("call-back %s filed (channel %s)", request.ticket, request.channel)
        dispatcher.utter_message(text=(
            f"已登记回电请求，编号：{request.ticket}（请记下）。\n"
            f"{promise(request.promised_days)}拨打您留的电话 {mask_phone(request.phone)} 回电。"
            "想知道进度，跟我说“查询进度”，再提供编号和电话后四位。\n" + HOTLINE))
        return reset
