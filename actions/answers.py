"""Answers from the knowledge base for every topic intent and for questions NLU was unsure of."""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import calculators
from actions.knowledge_base import KNOWLEDGE, record, say, warm_up

FALLBACK = "nlu_fallback"

warm_up()


def best_intent(message: dict) -> tuple[str | None, float]:
    """The best real intent of a parsed message: behind nlu_fallback, the top of the ranking."""
    intent = message.get("intent") or {}
    if intent.get("name") != FALLBACK:
        return intent.get("name"), float(intent.get("confidence") or 0.0)
    for ranked in message.get("intent_ranking") or []:
        if ranked.get("name") != FALLBACK:
            return ranked.get("name"), float(ranked.get("confidence") or 0.0)
    return None, 0.0


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        if not text:
            dispatcher.utter_message(response="utter_empty")
            return []
        intent, confidence = best_intent(message)
        # A button payload ("/ask_trademark{...}") names the topic, not a question.
        question = "" if text.startswith("/") else text
        routed = calculators.worked_out(question, intent) if question else None
        if routed:
            calc, facts = routed
            reply = KNOWLEDGE.calculator_reply(calc.compute(facts))
            say(dispatcher, reply)
            record(tracker, text, intent, confidence, reply)
            # the facts stay in their slots, as after the calculator's own turn
            return [SlotSet(slot, value) for slot, value in calc.to_slots(facts).items()]
        reply = KNOWLEDGE.answer(
            question, intent=intent, confidence=confidence,
            answer_id=next(tracker.get_latest_entity_values("answer_id"), None),
            entities=message.get("entities"),
        )
        say(dispatcher, reply)
        if question:  # a button's answer was asked for by name: nothing to learn from it
            record(tracker, text, intent, confidence, reply)
        return []


class _SecondOpinion(Action, ABC):
    """An intent NLU answers with a fixed response, with the knowledge base's second opinion
    (KnowledgeService.rescue): a question of ours that NLU read as this intent is answered."""
    response = ""
    words = 2  # specific words the answer must share with the question

    @abstractmethod
    def name(self) -> str:
        """Abstract: the action server registers only the concrete ones."""

    def second_opinion(self, text: str):
        return KNOWLEDGE.rescue(text, self.words)

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        reply = (self.second_opinion(text)
                 if text and not text.startswith("/") else None)
        if reply is None:
            dispatcher.utter_message(response=self.response)
            return []
        say(dispatcher, reply)
        record(tracker, text, *best_intent(message), reply)
        return []


class ActionOutOfScope(_SecondOpinion):
    """NLU's out_of_scope: typos NLU has not seen ("被侵全了去哪里投素") still find their answer."""
    response = "utter_out_of_scope"

    def name(self) -> str:
        return "action_out_of_scope"


class ActionCapabilities(_SecondOpinion):
    """NLU's ask_capabilities: "商标受理窗口都能办哪些事" asks what the window does, not the
    assistant; one specific word of ours is enough, as "你能做什么" has none."""
    response = "utter_capabilities"
    words = 1

    def name(self) -> str:
        return "action_capabilities"


class ActionBotIdentity(_SecondOpinion):
    """NLU's ask_bot_identity: "保护中心是哪一年获批建设的" asks about the centre, not the
    assistant ("是哪一年" reads like "是真人吗" to the classifier); "你是机器人吗" has no word of
    ours and gets the identity answer."""
    response = "utter_bot_identity"

    def name(self) -> str:
        return "action_bot_identity"

    def second_opinion(self, text: str):
        """A question that names neither the assistant nor a person or machine ("寻乌县办专利
        业务是不是一定要跑到市里": 是不是 reads like "是不是真人") is asked as any question with
        no intent: the knowledge base answers it when it is confident. Of the 59 identity
        training examples, none lacks such a word."""
        if _ABOUT_THE_ASSISTANT.search(text):
            return super().second_opinion(text)
        reply = KNOWLEDGE.answer(text)
        return reply if reply.answered else None


_ABOUT_THE_ASSISTANT = re.compile(
    r"你|您|机器|真人|人工|客服|智能|自动|程序|系统|助手|回复|回答|答复|电脑|这个服务|活人|人吗|谁|在线|"
    r"bot|robot|machine|automatic|human|person|who are|are you|\bai\b", re.I)
