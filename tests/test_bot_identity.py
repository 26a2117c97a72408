"""The assistant says plainly that it is an automated assistant (automated replies are labelled
in China since 2025-09-01), in its welcome and when asked, with how to reach a person."""
from __future__ import annotations

import yaml

from bot import settings


def _domain() -> dict:
    return yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))


def test_welcome_and_identity_answer_say_it_is_automated_and_name_a_human_channel():
    responses = _domain()["responses"]
    for name in ("utter_greet", "utter_bot_identity"):
        text = responses[name][0]["text"]
        assert "自动回复" in text and "不是" in text, name
        assert "12345" in text, name
        assert "为准" in text, name  # official notices and systems prevail


def test_identity_question_has_an_intent_a_rule_and_training_examples():
    assert "ask_bot_identity" in _domain()["intents"]
    rules = yaml.safe_load((settings.ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))
    assert any(r["steps"] == [{"intent": "ask_bot_identity"}, {"action": "action_bot_identity"}]
               for r in rules["rules"])
    nlu = yaml.safe_load((settings.ROOT / "data" / "nlu" / "bot_identity.yml").read_text(
        encoding="utf-8"))["nlu"]
    examples = [e for block in nlu if block.get("intent") == "ask_bot_identity"
                for e in block["examples"].splitlines() if e.strip()]
    assert len(examples) >= 20
