"""Questions about the service itself (actions/service.py): what happens to personal data, and
how to rate an answer and what a bad rating starts. The answers state the periods in force
(bot/settings.py), describe the rating as each channel really offers it, stay short, and
promise no number the settings do not hold."""
from __future__ import annotations

import re

import pytest
import yaml

from actions import service
from bot import settings
from bot.channels import wechat_rating
from bot.portal import ratings
from tests.conftest import make_tracker

SHORT = 300  # characters: the project's rule for an answer


def _run(action, channel: str) -> list[dict]:
    from rasa_sdk.executor import CollectingDispatcher
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, make_tracker("问题", "x", channel=channel), {})
    assert events == []
    return dispatcher.messages


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


def test_privacy_answer_states_the_periods_in_force(monkeypatch):
    messages = _run(service.ActionExplainPrivacy(), "rest")
    [answer] = messages
    text = answer["text"]
    for fact in ("个人信息", "身份证号", "遮盖", "删除", "匿名化", "审计", "12345", "导出"):
        assert fact in text, fact
    assert _numbers(text) == {"1", "2", "3", "12345", str(settings.tracker_redact_days()),
                              str(settings.tracker_retention_days()),
                              str(settings.leads_retention_days())}
    assert len(text) <= SHORT
    assert {b["payload"] for b in answer["buttons"]} == {"/request_human", "/ask_capabilities"}

    monkeypatch.setenv("TRACKER_REDACT_DAYS", "3")
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "30")
    monkeypatch.setenv("LEADS_RETENTION_DAYS", "730")
    text = _run(service.ActionExplainPrivacy(), "rest")[0]["text"]
    assert "对话结束3天后" in text and "30天后整段删除" in text and "办结730天后匿名化" in text
    assert "90" not in text and "365" not in text


def test_a_zero_period_promises_no_zero_days(monkeypatch):
    monkeypatch.setenv("TRACKER_REDACT_DAYS", "0")
    text = service.privacy_text()
    assert "对话结束后，" in text and "结束0天" not in text


@pytest.mark.parametrize("channel", ["rest", "wechat"])
def test_rating_answer_says_how_and_what_follows_a_bad_rating(channel, monkeypatch):
    monkeypatch.setenv("RATING_FOLLOWUP_WORKING_DAYS", "15")
    messages = _run(service.ActionExplainRating(), channel)
    text = messages[0]["text"]
    assert all(label in text for label in ratings.LEVELS.values())
    assert "差评" in text and "15个工作日内" in text and "只能评价一次" in text
    assert "不会因评价联系您" in text  # a rating carries no contact: nobody calls back
    assert len(text) <= SHORT
    assert _numbers(text) <= {"15", str(ratings.MAX_COMMENT)}
    if channel == "wechat":
        # the line the channel puts under an answer, quoted as the citizen sees it
        shown = wechat_rating.shown(wechat_rating.rating_line("12345678")).splitlines()[0]
        assert f"“{shown}”" in text and "评价 不满意" in text
        assert "提交评价" not in text
        # the marker that keeps the answer before rateable (bot/channels/wechat.py)
        [marker] = messages[1:]
        assert marker["custom"] == {"rating_help": True} and not marker.get("text")
    else:
        assert "提交评价" in text and f"{ratings.MAX_COMMENT}字以内" in text
        assert len(messages) == 1  # nothing for the widget to skip


def test_the_widget_offers_what_the_rating_answer_describes():
    """The widget's button labels and its submit button, as chat.js has them."""
    script = (settings.ROOT / "bot" / "portal" / "static" / "chat.js").read_text(encoding="utf-8")
    for key, label in ratings.LEVELS.items():
        assert f'["{key}", "{label}"]' in script
    assert '"提交评价"' in script
    assert f"const MAX_COMMENT = {ratings.MAX_COMMENT};" in script


def test_new_intents_have_rules_and_training_examples():
    domain = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((settings.ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))
    nlu = yaml.safe_load((settings.ROOT / "data" / "nlu" / "service.yml").read_text(
        encoding="utf-8"))["nlu"]
    for intent, action in (("ask_privacy", "action_explain_privacy"),
                           ("ask_rating", "action_explain_rating")):
        assert intent in domain["intents"] and action in domain["actions"]
        assert any(r["steps"] == [{"intent": intent}, {"action": action}]
                   for r in rules["rules"])
        examples = [e for block in nlu if block.get("intent") == intent
                    for e in block["examples"].splitlines() if e.strip()]
        assert len(examples) >= 30, intent
