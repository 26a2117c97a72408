"""The knowledge-base action with real rasa-sdk trackers and dispatcher."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from knowledge.models import UnansweredQuestion
from tests.conftest import make_tracker


@pytest.fixture
def action(kb_url):
    from actions.answers import ActionAnswer
    return ActionAnswer()


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_topic_question_is_answered_with_source_and_buttons(action):
    messages, events = run(action, make_tracker("专利费减的条件是什么", "ask_fee_reduction"))
    assert events == [] and len(messages) == 1
    assert "来源：" in messages[0]["text"]
    assert messages[0]["buttons"]


def test_button_payload_answers_that_record(action):
    messages, _ = run(action, make_tracker(
        '/ask_trademark{"answer_id":"x"}', "ask_trademark", 1.0,
        entities=[{"entity": "answer_id", "value": "no.such"}]))
    assert "来源：" in messages[0]["text"]  # unknown id: falls back to the topic overview


def test_fallback_to_search_and_logging_of_unanswered(action, db):
    ranking = [{"name": "nlu_fallback", "confidence": 0.45},
               {"name": "ask_ip_plan", "confidence": 0.3}]
    messages, _ = run(action, make_tracker("明天会下雨吗", "nlu_fallback", 0.45,
                                           ranking=ranking, channel="wechat"))
    assert "12345" in messages[0]["text"]
    with db.session() as s:
        rows = s.execute(select(UnansweredQuestion).where(
            UnansweredQuestion.text == "明天会下雨吗")).scalars().all()
    assert rows and rows[0].channel == "wechat"


def test_empty_message_is_asked_again(action):
    messages, _ = run(action, make_tracker("   ", "nlu_fallback", 0.0))
    assert messages[0]["response"] == "utter_empty"
