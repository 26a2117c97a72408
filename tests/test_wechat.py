"""The WeChat channel: its protocol helpers alone, then the live channel in a real Rasa server.

The live tests play WeChat's part with their own implementation of the protocol (signing,
AES envelope, XML), and a local fake of WeChat's API (token and customer-service endpoints)
stands in for api.weixin.qq.com, counting what it receives (both in tests/wechat_side.py).
Nothing leaves the machine.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.channels import inbound, wechat
from bot.channels import wechat_crypto as wx
from bot.channels.wechat import WeChatInput, render
from bot.channels.wechat_store import WeChatStore
from bot.launcher.servers import Ports, servers
from bot.launcher.train import model_path
from tests.wechat_side import (ACCOUNT, AES_KEY, TOKEN, FakeWeChatAPI, WeChatSide, aes_decrypt,
                               new_user, reply_text, sha1_sorted, xml_fields)

# -- the protocol helpers alone -----------------------------------------------------------
# Published test vectors of WeChat's safe mode (the ones every SDK's tests use).
VECTOR_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


def test_known_encryption_vector():
    crypto = wx.WeChatCrypto(VECTOR_KEY, "rust")
    assert crypto.encrypt("test", random=b"1234567890123456") == \
        "9s4gMv99m88kKTh/H8IdkNiFGeG9pd7vNWl50fGRWXY="
    assert crypto.decrypt("9s4gMv99m88kKTh/H8IdkNiFGeG9pd7vNWl50fGRWXY=") == "test"


def test_known_signature_and_decryption_vector():
    echo = ("4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOch"
            "LF6p+Q==")
    assert wx.check_signature("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
                              "123456", "1411443780", "437374425", echo)
    assert not wx.check_signature("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
                                  "123456", "1411443780", "437374424", echo)
    assert wx.WeChatCrypto(VECTOR_KEY, "wx49f0ab532d5d035a").decrypt(echo) == "5927782489442352469"


def test_decrypt_refuses_other_app_and_tampering():
    encrypted = wx.WeChatCrypto(AES_KEY, "wx-other").encrypt("<xml/>")
    with pytest.raises(wx.CryptoError):
        wx.WeChatCrypto(AES_KEY, "wx-ours").decrypt(encrypted)
    raw = bytearray(base64.b64decode(encrypted))
    raw[-1] ^= 0xFF  # the last block decrypts to garbage: padding no longer valid
    with pytest.raises(wx.CryptoError):
        wx.WeChatCrypto(AES_KEY, "wx-other").decrypt(base64.b64encode(bytes(raw)).decode())
    with pytest.raises(ValueError):
        wx.WeChatCrypto("too-short", "wx-ours")


def test_timestamps_outside_five_minutes_are_stale():
    now = time.time()
    assert wx.fresh(str(int(now) - 299), now) and wx.fresh(str(int(now) + 299), now)
    assert not wx.fresh(str(int(now) - 301), now) and not wx.fresh(str(int(now) + 301), now)
    assert not wx.fresh(None, now) and not wx.fresh("yesterday", now)


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>',
    b'<!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml><Content>x</Content></xml>',
    b'<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><C>&x;</C></xml>',
    b"<xml><Content>unclosed</xml>",
    b"<other><Content>x</Content></other>",
])
def test_parse_xml_refuses_dtd_entities_and_garbage(body):
    with pytest.raises(wx.XmlError):
        wx.parse_xml(body)


def test_reply_xml_round_trips_awkward_text():
    content = "费减 <条件> & ]]> 结束"
    parsed = wx.parse_xml(wx.text_reply("oUser", ACCOUNT, content, 1700000000))
    assert parsed["Content"] == content and parsed["CreateTime"] == "1700000000"


def test_split_stays_under_the_limit_and_cuts_between_lines():
    paragraph = "专利费减的条件是什么？" * 30 + "\n"
    chunks = wx.split_text(paragraph * 20)
    assert len(chunks) > 1
    assert all(len(c.encode("utf-8")) <= wx.MAX_TEXT_BYTES for c in chunks)
    assert all(c.endswith("？") for c in chunks)  # whole lines only
    assert "".join(chunks).replace("\n", "") == (paragraph * 20).replace("\n", "")
    one_line = "句子。" * 1000  # no line break at all: cut between sentences
    chunks = wx.split_text(one_line)
    assert all(c.endswith("。") and len(c.encode()) <= 2048 for c in chunks)
    assert "".join(chunks) == one_line


def test_pack_merges_short_messages_and_keeps_order():
    assert wx.pack(["第一条", "第二条"]) == ["第一条\n\n第二条"]
    long = "长" * 1000  # 3000 bytes
    packed = wx.pack(["开头", long])
    assert len(packed) == 3 and packed[0].startswith("开头")
    assert "".join(packed).replace("\n", "") == "开头" + long


def test_buttons_become_one_numbering_across_the_turn():
    texts, payloads = render([
        {"text": "答复一", "buttons": [{"title": "专利费减", "payload": "/ask_fee_reduction"}]},
        {"text": "答复二", "buttons": [{"title": "商标注册", "payload": "/ask_trademark"},
                                      {"title": "官网", "url": "https://example.org"}]},
    ])
    assert texts == ["答复一\n\n回复 1 专利费减", "答复二\n\n回复 2 商标注册\n官网：https://example.org"]
    assert payloads == ["/ask_fee_reduction", "/ask_trademark"]


def test_settings_from_credentials_else_environment(monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", "from-env")
    monkeypatch.setenv("WECHAT_APP_ID", "wx-env")
    monkeypatch.setenv("WECHAT_REPLY_TIMEOUT", "2.5")
    monkeypatch.delenv("WECHAT_API_BASE", raising=False)
    monkeypatch.delenv("WECHAT_AES_KEY", raising=False)
    channel = WeChatInput.from_credentials(None)
    assert (channel.token, channel.app_id, channel.reply_timeout) == ("from-env", "wx-env", 2.5)
    assert channel.api_base == "https://api.weixin.qq.com" and channel.crypto is None
    assert WeChatInput.from_credentials({"token": "from-yml"}).token == "from-yml"


def test_no_token_refuses_even_a_correct_signature():
    now = str(int(time.time()))
    args = {"timestamp": now, "nonce": "1", "signature": hashlib.sha1(
        "".join(sorted(["", now, "1"])).encode()).hexdigest()}
    assert not WeChatInput(token="")._signed(SimpleNamespace(args=args))
    args["signature"] = hashlib.sha1("".join(sorted([TOKEN, now, "1"])).encode()).hexdigest()
    assert WeChatInput(token=TOKEN)._signed(SimpleNamespace(args=args))


def test_store_claims_once_and_keeps_options(db):
    store = WeChatStore(db)
    key = f"msg-{secrets.token_hex(4)}"
    assert store.claim(key) is None
    assert store.claim(key).state == "running"
    store.finish(key, "passive", "答复")
    assert (store.claim(key).state, store.claim(key).reply) == ("passive", "答复")
    store.save_options("oStore", ["/a", "/b"])
    assert store.option("oStore", 2) == "/b" and store.option("oStore", 3) is None
    store.save_options("oStore", [])
    assert store.option("oStore", 1) is None


def _unit_channel(monkeypatch, reply_timeout: float = 4.0):
    """The channel without a server: its turn logic with a stand-in bot and API."""
    monkeypatch.setattr(wechat, "PUSH_DELAY", 0.0)
    channel = WeChatInput(token=TOKEN, app_id="wx-unit", app_secret="s",
                          reply_timeout=reply_timeout)
    channel._start()
    sent: list[str] = []
    channel.api = SimpleNamespace(send_text=lambda openid, content: sent.append(content))
    return channel, sent


def _handle(channel, bot, msg_id: str) -> str | None:
    async def run():
        reply = await channel._handle({"FromUserName": "oUnit", "ToUserName": ACCOUNT,
                                       "MsgType": "text", "Content": "问", "MsgId": msg_id}, bot)
        while channel._tasks:  # slow turns still running
            await asyncio.gather(*list(channel._tasks))
        return reply
    reply = asyncio.run(run())
    channel.deliver_now()  # what the server's sender does next: the outbox's due messages
    return reply


def test_long_answer_first_part_passive_rest_by_api(db, monkeypatch):
    channel, sent = _unit_channel(monkeypatch)
    long = "\n".join(["专利费减的条件是什么？" * 20] * 10)  # 6600 bytes

    async def bot(message):
        await message.output_channel.send_text_with_buttons(
            message.sender_id, long, [{"title": "下一步", "payload": "/next"}])

    reply = _handle(channel, bot, "unit-1")
    assert len(reply.encode()) <= 2048 and len(sent) == 3
    assert "".join([reply] + sent).replace("\n", "") == (long + "回复 1 下一步").replace("\n", "")
    assert channel.store.option("oUnit", 1) == "/next"


def test_turn_past_the_deadline_is_sent_by_api(db, monkeypatch):
    channel, sent = _unit_channel(monkeypatch, reply_timeout=0.05)

    async def slow_bot(message):
        await asyncio.sleep(0.3)
        await message.output_channel.send_text_message(message.sender_id, "迟到的答复")

    assert _handle(channel, slow_bot, "unit-2") is None  # "success" to WeChat
    assert sent == ["迟到的答复"]
    assert channel.store.claim("unit-2").state == "pushed"


def test_overlong_text_is_answered_without_a_turn(db, monkeypatch):
    channel, sent = _unit_channel(monkeypatch)
    turns = []

    async def bot(message):
        turns.append(message.text)

    async def run(content: str):
        return await channel._handle({"FromUserName": "oLong", "ToUserName": ACCOUNT,
                                      "MsgType": "text", "Content": content,
                                      "MsgId": secrets.token_hex(6)}, bot)
    assert asyncio.run(run("专" * 100_000)) == inbound.TOO_LONG
    assert asyncio.run(run("专" * (inbound.MAX_CHARS + 1))) == inbound.TOO_LONG
    assert turns == [] and sent == []
    asyncio.run(run("专" * inbound.MAX_CHARS))
    assert turns == ["专" * inbound.MAX_CHARS]


def user_turns(openid: str) -> int:
    """User messages the bot processed for this sender, from Rasa's own tracker store."""
    with create_engine(os.environ["TRACKER_DB_URL"]).connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s AND "
                                 "type_name = 'user'"), {"s": openid}).scalar()


@contextlib.contextmanager
def live(tmp_path_factory, app_id: str, reply_timeout: str):
    """The real Rasa server with the channel, and the WeChat side that talks to it."""
    if not model_path().exists():
        pytest.fail("no trained model: `make test` trains before running pytest")
    api = FakeWeChatAPI(app_id, "test-secret")
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": app_id, "WECHAT_APP_SECRET": "test-secret",
           "WECHAT_AES_KEY": AES_KEY, "WECHAT_API_BASE": api.base,
           "WECHAT_REPLY_TIMEOUT": reply_timeout}
    try:
        with servers(Ports.free(), env=env,
                     log_dir=tmp_path_factory.mktemp(f"logs-{app_id}")) as running:
            side = WeChatSide(running.rasa, app_id)
            side.api = api
            yield side
    finally:
        api.close()


# -- the live channel, answering in time -----------------------------------------------
class TestPassive:
    @pytest.fixture(scope="class")
    def wechat(self, kb_url, tmp_path_factory):
        with live(tmp_path_factory, "wx-passive-test", "4.0") as side:
            side.say(new_user(), "你好")  # warm-up: the first turn loads lazily
            yield side

    def test_get_echoes_only_when_signed(self, wechat):
        q = wechat.query()
        assert requests.get(wechat.url, params={**q, "echostr": "8237461"}).text == "8237461"
        q["signature"] = "0" * 40
        assert requests.get(wechat.url, params={**q, "echostr": "1"}).status_code == 403
        assert requests.get(wechat.url, params={"echostr": "1"}).status_code == 403
        wrong_token = wechat.query(token="not-our-token")
        assert requests.get(wechat.url, params={**wrong_token, "echostr": "1"}).status_code == 403

    def test_plaintext_question_gets_the_answer_passively(self, wechat):
        user = new_user()
        answer = reply_text(wechat.say(user, "专利费减的条件是什么"), user)
        assert "5000" in answer.replace(",", "") and "来源：" in answer
        assert user_turns(user) == 1

    def test_safe_mode_round_trip(self, wechat):
        user = new_user()
        r = wechat.post(wechat.message(user, "text", "900001", Content="商标注册要多少钱"),
                        safe=True)
        assert r.status_code == 200, r.text
        outer = xml_fields(r.text)
        assert outer["MsgSignature"] == sha1_sorted(TOKEN, outer["TimeStamp"], outer["Nonce"],
                                                    outer["Encrypt"])
        inner, app_id = aes_decrypt(AES_KEY, outer["Encrypt"])
        assert app_id == "wx-passive-test"
        fields = xml_fields(inner)
        assert fields["ToUserName"] == user and "商标" in fields["Content"]

    def test_safe_mode_refuses_bad_signature_and_other_app(self, wechat):
        user = new_user()
        body = wechat.message(user, "text", "900002", Content="商标注册要多少钱")
        assert wechat.post(body, safe=True, bad_msg_signature=True).status_code == 403
        assert wechat.post(body, safe=True, app_id="wx-someone-else").status_code == 403
        assert user_turns(user) == 0

    def test_replayed_or_unsigned_requests_are_refused(self, wechat):
        user = new_user()
        assert wechat.say(user, "专利费减", timestamp=int(time.time()) - 400).status_code == 403
        assert wechat.say(user, "专利费减", timestamp=int(time.time()) + 400).status_code == 403
        unsigned = requests.post(wechat.url, data=wechat.message(user, "text", "1", Content="x"))
        assert unsigned.status_code == 403
        assert user_turns(user) == 0

    def test_retry_of_one_msgid_is_one_bot_turn(self, wechat):
        user = new_user()
        first = reply_text(wechat.say(user, "优先审查要多久", msg_id="7000000001"), user)
        again = reply_text(wechat.say(user, "优先审查要多久", msg_id="7000000001"), user)
        assert again == first  # WeChat retries only when it missed the first reply
        assert user_turns(user) == 1

    def test_subscribe_gets_the_welcome_menu_and_a_number_picks_from_it(self, wechat):
        user = new_user()
        welcome = reply_text(wechat.post(wechat.message(user, "event", Event="subscribe")), user)
        assert "知识产权服务助手" in welcome and "回复 1 专利费减" in welcome
        answer = reply_text(wechat.say(user, "1"), user)
        assert "费减" in answer and "来源：" in answer

    def test_menu_click_sends_its_key_as_payload(self, wechat):
        user = new_user()
        r = wechat.post(wechat.message(user, "event", Event="CLICK", EventKey="/ask_trademark"))
        assert "商标" in reply_text(r, user)

    def test_voice_uses_the_recognised_text(self, wechat):
        user = new_user()
        r = wechat.post(wechat.message(user, "voice", "900010", MediaId="m", Format="amr",
                                       Recognition="商标注册要多少钱"))
        assert "商标" in reply_text(r, user)
        r = wechat.post(wechat.message(user, "voice", "900011", MediaId="m", Format="amr",
                                       Recognition=""))
        assert "文字" in reply_text(r, user)
        assert user_turns(user) == 1

    def test_other_message_types_are_asked_for_text(self, wechat):
        user = new_user()
        r = wechat.post(wechat.message(user, "image", "900020", PicUrl="http://x/y.jpg",
                                       MediaId="m"))
        assert "文字" in reply_text(r, user)
        assert user_turns(user) == 0

    def test_typed_slash_is_not_an_intent_payload(self, wechat):
        user = new_user()
        reply_text(wechat.say(user, '/ask_trademark{"answer_id": "x"}'), user)
        reply_text(wechat.say(user, "/::)"), user)  # WeChat's smiley
        with create_engine(os.environ["TRACKER_DB_URL"]).connect() as conn:
            rows = conn.execute(text("SELECT data FROM events WHERE sender_id = :s "
                                     "AND type_name = 'user'"), {"s": user}).scalars().all()
        assert len(rows) == 2
        for row in map(json.loads, rows):
            parse = row["parse_data"]
            assert not parse["text"].startswith("/") and parse["intent"]["confidence"] < 1.0
            assert all(e.get("value") != "x" for e in parse["entities"])

    @pytest.mark.parametrize("body", [
        '<!DOCTYPE xml [<!ENTITY a "专利费减">]><xml><ToUserName>gh</ToUserName>'
        '<FromUserName>{u}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>'
        '<Content>&a;</Content><MsgId>5</MsgId></xml>',
        '<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<xml><FromUserName>{u}</FromUserName><Content>&lol2;</Content></xml>',
    ])
    def test_doctype_and_entities_are_refused(self, wechat, body):
        user = new_user()
        r = wechat.post(body.format(u=user))
        assert r.status_code == 400
        assert wechat.post(body.format(u=user), safe=True).status_code == 400
        assert user_turns(user) == 0


# -- the live channel, answering too slowly: everything through the customer-service API --
class TestCustomerServiceAPI:
    @pytest.fixture(scope="class")
    def wechat(self, kb_url, tmp_path_factory):
        with live(tmp_path_factory, "wx-slow-test", "0.001") as side:
            yield side

    def test_slow_answer_says_success_then_arrives_by_api(self, wechat):
        user = new_user()
        r = wechat.say(user, "专利费减的条件是什么")
        assert r.status_code == 200 and r.text == "success"
        texts = wechat.api.wait_for(user)
        assert texts and "来源：" in "\n".join(texts)
        assert all(len(t.encode()) <= 2048 for t in texts)

    def test_token_is_fetched_once_for_many_sends(self, wechat):
        users = [new_user() for _ in range(3)]
        for user in users:
            assert wechat.say(user, "商标注册要多少钱").text == "success"
        for user in users:
            assert wechat.api.wait_for(user)
        assert wechat.api.token_fetches == 1 and wechat.api.refused == 0

    def test_refused_token_is_refreshed_once_and_the_send_retried(self, wechat):
        before = wechat.api.token_fetches
        wechat.api.revoke_tokens()  # as WeChat does when a token is reset in its console
        user = new_user()
        assert wechat.say(user, "被侵权了怎么办").text == "success"
        assert wechat.api.wait_for(user)
        assert wechat.api.refused == 1 and wechat.api.token_fetches == before + 1

    def test_retry_while_the_turn_runs_is_one_turn(self, wechat):
        user = new_user()
        with ThreadPoolExecutor(3) as pool:
            replies = list(pool.map(
                lambda _: wechat.say(user, "专利质押怎么办理", msg_id="8000000001"), range(3)))
        assert [r.text for r in replies] == ["success"] * 3
        texts = wechat.api.wait_for(user)
        time.sleep(2)  # a second turn would have sent by now
        assert wechat.api.texts_for(user) == texts and len(set(texts)) == len(texts)
        assert user_turns(user) == 1

    def test_subscribe_welcome_arrives_by_api(self, wechat):
        user = new_user()
        r = wechat.post(wechat.message(user, "event", Event="subscribe"), safe=True)
        assert r.text == "success"
        assert "回复 1 专利费减" in "\n".join(wechat.api.wait_for(user))
