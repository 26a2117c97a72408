"""topics.yml is the one list of topics: the dialogue data must agree with it."""
from __future__ import annotations

import yaml

from bot import settings
from knowledge.loader import read_topics
from tests.conftest import DATA_DIR

ROOT = settings.ROOT


def rules() -> list[dict]:
    return yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]


def topic_intents() -> set[str]:
    return {t.intent for t in read_topics(DATA_DIR)}


def test_every_topic_intent_is_answered_from_the_knowledge_base():
    answered = {r["steps"][0]["intent"] for r in rules()
                if len(r["steps"]) == 2 and r["steps"][1] == {"action": "action_answer"}
                and "intent" in r["steps"][0]}
    assert topic_intents() <= answered


def test_forms_answer_exactly_the_topic_questions_in_the_middle():
    """The rules that answer a knowledge question inside a form list the topic intents."""
    inside = [r for r in rules() if r.get("condition") and
              any("or" in step for step in r["steps"])]
    assert inside, "no rule answers knowledge questions inside a form"
    for rule in inside:
        listed = {alt["intent"] for step in rule["steps"] if "or" in step for alt in step["or"]}
        assert listed == topic_intents(), rule["rule"]


def test_topic_intents_are_in_the_domain():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert topic_intents() <= set(domain["intents"])


def test_topic_buttons_name_intents_of_the_domain():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for topic in read_topics(DATA_DIR):
        for button in topic.buttons:
            assert button["payload"].lstrip("/").split("{")[0] in domain["intents"], topic.id
