"""The action server's shared services: the knowledge base, the lead store and the call-back
store, one each; and how an action says and records a knowledge-base reply."""
from __future__ import annotations

import dataclasses
import logging


from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

import knowledge
from bot import settings
from bot.leads.callbacks import CallbackStore
from bot.leads.store import LeadStore
from knowledge.storage import database

logger = logging.getLogger(__name__)

KNOWLEDGE = knowledge.open(settings.database_url(), settings.KNOWLEDGE_DATA_DIR, settings.today)
LEADS = LeadStore(database(settings.database_url()))
CALLBACKS = CallbackStore(database(settings.database_url()))


def warm_up() -> None:
    """Builds the search index at start-up rather than on the first citizen's question."""
    try:
        KNOWLEDGE.warm_up()
    except Exception:  # an empty database: the first question will say so loudly
        logger.exception("knowledge base not ready; run `make kb`")


def say(dispatcher: CollectingDispatcher, reply) -> None:
    """A knowledge-base or calculator reply. The answer's id rides along (a custom message after
    the text): the channels offer 好差评 only after an answer from the knowledge base, and name
    the answer rated."""
    rated = {"answer_id": reply.answer_id} if reply.answered and reply.answer_id else None
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons, json_message=rated)


def record(tracker: Tracker, text: str, intent: str | None, confidence: float, reply) -> None:
    """Counts the question for the dashboard and logs it for staff when it was not answered."""
    KNOWLEDGE.record_question(text, tracker.get_latest_input_channel() or "unknown",
                              intent, confidence, reply)


def answer_instead(dispatcher: CollectingDispatcher, tracker: Tracker, reply,
                   offer: dict | None) -> list:
    """A form's start action that finds a question, not a request: the answer, with the form
    offered as a button (`offer`; None for a question outside our field), and no form (the
    rule's next step is skipped)."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    say(dispatcher, dataclasses.replace(reply, buttons=[*reply.buttons, *filter(None, [offer])]))
    record(tracker, (message.get("text") or "").strip(), intent.get("name"),
           float(intent.get("confidence") or 0.0), reply)
    return [FollowupAction("action_listen")]
