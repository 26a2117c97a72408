"""Answers from the knowledge base for every topic intent and for questions NLU was unsure of."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import SERVICE, warm_up

MAX_QUESTION = 500  # longer input is searched by its start; the whole text stays in the tracker
FALLBACK = "nlu_fallback"
# Someone reading how to get help with an infringement can report it here and now.
REPORT_BUTTON = {"title": "我要登记侵权线索", "payload": "/report_infringement"}

warm_up()


def _intent(message: dict) -> tuple[str | None, float]:
    """The best real intent: behind nlu_fallback it is the top of the ranking."""
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
        intent, confidence = _intent(message)
        # A button payload ("/ask_trademark{...}") names the topic, not a question.
        question = "" if text.startswith("/") else text[:MAX_QUESTION]
        reply = SERVICE.answer(
            question, intent=intent, confidence=confidence,
            answer_id=next(tracker.get_latest_entity_values("answer_id"), None),
            entities=message.get("entities"),
        )
        buttons = reply.buttons
        if (reply.answer_id or "").startswith("rights_assistance."):
            buttons = [*buttons, REPORT_BUTTON]
        dispatcher.utter_message(text=reply.text, buttons=buttons)
        if not reply.answered:
            SERVICE.log_unanswered(text, tracker.get_latest_input_channel() or "unknown",
                                   intent, confidence)
        return []
