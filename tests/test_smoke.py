"""The real servers, started as `make run` starts them, answer questions over REST."""
from __future__ import annotations

import pytest
import requests

from tests.conftest import API_TOKEN


@pytest.fixture(scope="module")
def rest(stack):
    def ask(text: str, sender: str = "smoke") -> list[dict]:
        r = requests.post(f"{stack.rasa}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=30)
        r.raise_for_status()
        return r.json()
    ask.base = stack.rasa
    return ask


def test_fee_reduction_conditions(rest):
    replies = rest("专利费减的条件是什么")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "5000" in text.replace(",", "") and "来源：" in text
    assert any(r.get("buttons") for r in replies)


def test_weather_is_politely_declined(rest):
    text = "\n".join(r.get("text", "") for r in rest("今天天气怎么样", sender="smoke-2"))
    assert "抱歉" in text and "12345" in text


def test_trademark_window_question(rest):
    text = "\n".join(r.get("text", "") for r in rest("商标受理窗口能办什么业务", sender="smoke-3"))
    assert "来源：" in text
    assert "可注册性" not in text.replace("不做可注册性", "")  # never claims registrability review


def test_http_api_needs_the_token(rest):
    tracker = f"{rest.base}/conversations/smoke/tracker"
    assert requests.get(tracker, timeout=30).status_code == 401
    assert requests.get(tracker, params={"token": "wrong"}, timeout=30).status_code == 401
    r = requests.get(tracker, params={"token": API_TOKEN}, timeout=30)
    assert r.status_code == 200 and r.json()["sender_id"] == "smoke"
