"""The real servers, started as `make run` starts them, answer questions over REST."""
from __future__ import annotations

import statistics
import threading
import time

import pytest
import requests

from bot.channels import inbound
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


def test_an_overlong_message_is_refused_and_stalls_no_one(rest):
    """100,000 characters used to hold Rasa for 13 s, and everyone else with it."""
    def timed(text: str, sender: str) -> tuple[float, list[dict]]:
        started = time.perf_counter()
        replies = rest(text, sender=sender)
        return time.perf_counter() - started, replies

    usual = statistics.median(timed("专利费减需要什么材料", f"usual-{i}")[0] for i in range(3))
    refused = {}
    thread = threading.Thread(target=lambda: refused.update(
        replies=rest("专利" * 50_000, sender="overlong")))
    thread.start()
    took, replies = timed("专利费减需要什么材料", "meanwhile")
    thread.join(60)
    assert refused["replies"] == [{"recipient_id": "overlong", "text": inbound.TOO_LONG}]
    assert "来源：" in "\n".join(r.get("text", "") for r in replies)
    assert took < max(2.0, 5 * usual), f"{took:.2f} s against {usual:.2f} s usually"
    exact = rest("专" * inbound.MAX_CHARS, sender="at-the-limit")  # the limit itself is fine
    assert exact and exact[0].get("text") != inbound.TOO_LONG


def test_requests_without_a_sender_never_share_a_conversation(rest):
    def anonymous(message: str) -> list[dict]:
        r = requests.post(f"{rest.base}/webhooks/rest/webhook", json={"message": message},
                          timeout=30)
        r.raise_for_status()
        return r.json()

    started = anonymous("我要举报有人假冒我们的商标")  # a form asks "what happened?"
    assert "发生了什么" in "\n".join(m.get("text", "") for m in started)
    # Sharing a conversation, this would be taken as the answer to that question.
    answered = anonymous("专利费减的条件是什么")
    assert "来源：" in "\n".join(m.get("text", "") for m in answered)
    ids = {m["recipient_id"] for m in started + answered}
    assert len(ids) == 2 and "default" not in ids
    tracker = requests.get(f"{rest.base}/conversations/default/tracker",
                           params={"token": API_TOKEN}, timeout=30).json()
    assert not [e for e in tracker["events"] if e["event"] == "user"]


@pytest.mark.parametrize("body", [[1, 2], {"sender": ["x"], "message": "你好"},
                                  {"sender": "x" * 200, "message": "你好"},
                                  {"sender": "s", "message": {"text": "你好"}}])
def test_malformed_requests_are_refused(rest, body):
    r = requests.post(f"{rest.base}/webhooks/rest/webhook", json=body, timeout=30)
    assert r.status_code == 400


def test_a_long_conversation_keeps_its_form_across_recent_turn_boundaries(rest):
    """The tracker store hands Rasa only recent turns (bot/tracker_store.py): a form opened
    after many turns, interrupted by a question, still knows its answers and its step."""
    def say(text: str) -> str:
        return "\n".join(m.get("text", "") for m in rest(text, sender="long-form"))

    for i in range(15):  # 60 events: the recent turns begin after some of them
        assert "来源：" in say(["专利费减的条件是什么", "商标注册要多少钱", "优先审查要多久"][i % 3])
    assert "发生了什么" in say("我要举报有人假冒我们的商标")
    assert "在哪里" in say("有人在网店卖假冒我们注册商标的茶油，上个月发现的")
    for i in range(6):  # questions in the open form: it answers, then asks again
        reply = say("专利费减需要什么材料")
        assert "来源：" in reply and "在哪里" in reply
    assert "不清楚" in say("淘宝店“赣南好油铺”，发货地址在章贡区")
    assert "没有登记" in say("算了")
    assert "来源：" in say("商标注册要多少钱")
