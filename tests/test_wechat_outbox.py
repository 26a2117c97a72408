"""The WeChat outbox: messages for the customer-service API survive a restart, go out once and
in order even with several senders, wait with backoff while WeChat fails, and are dropped and
counted after 48 h. And the access token: two replicas needing one at once fetch it once."""
from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.channels import wechat_outbox as outbox
from bot.channels.wechat import WeChatAPI, WeChatAPIError, permanent_error
from bot.channels.wechat_outbox import Queued, WeChatOutbox
from bot.channels.wechat_store import WeChatStore
from knowledge.storage import Database, utcnow
from tests.conftest import fresh_database


@pytest.fixture
def db(tmp_path) -> Database:
    return Database(fresh_database(tmp_path))


def put(db: Database, openid: str, chunks: list[str], received: dt.datetime | None = None):
    with db.transaction() as s:
        outbox.queue(s, Queued(openid, chunks, received or utcnow()))


class Recorder:
    """Stands in for WeChat's send API; fails the sends it is told to."""

    def __init__(self, fail: set[str] | None = None, error: Exception | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail, self.error = fail or set(), error or ConnectionError("down")
        self.lock = threading.Lock()

    def __call__(self, openid: str, text: str) -> None:
        if text in self.fail:
            raise self.error
        with self.lock:
            self.sent.append((openid, text))


def test_a_turns_messages_go_out_in_order_once_and_leave_no_text(db):
    put(db, "oA", ["一", "二", "三"])
    send = Recorder()
    assert outbox.deliver(db, send, permanent_error).sent == 3
    assert send.sent == [("oA", "一"), ("oA", "二"), ("oA", "三")]
    assert outbox.deliver(db, send, permanent_error).sent == 0  # nothing twice
    with db.session() as s:
        row = s.execute(select(WeChatOutbox)).scalar_one()
    assert (row.outcome, row.chunks, row.sent) == ("sent", [], 3)
    assert outbox.counts(db) == {"pending": 0, "sent": 1, "expired": 0, "refused": 0}


def test_a_failure_waits_with_backoff_and_resumes_where_it_stopped(db):
    put(db, "oB", ["第一段", "第二段"])
    send = Recorder(fail={"第二段"})
    now = utcnow()
    result = outbox.deliver(db, send, permanent_error, now=now)
    assert (result.sent, result.failed) == (1, 1)
    with db.session() as s:
        row = s.execute(select(WeChatOutbox)).scalar_one()
    assert (row.sent, row.attempts, row.done_at) == (1, 1, None)
    assert row.next_attempt_at == now + outbox.backoff(1)
    assert outbox.deliver(db, send, permanent_error, now=now).sent == 0  # not due yet
    send.fail.clear()
    assert outbox.deliver(db, send, permanent_error, now=now + outbox.backoff(1)).sent == 1
    assert send.sent == [("oB", "第一段"), ("oB", "第二段")]  # the first only once
    assert outbox.backoff(1) < outbox.backoff(2) <= outbox.backoff(30) == outbox.BACKOFF_CAP


def test_a_users_later_turn_waits_for_the_earlier_one(db):
    put(db, "oC", ["早"])
    put(db, "oC", ["晚"])
    send = Recorder(fail={"早"})
    now = utcnow()
    outbox.deliver(db, send, permanent_error, now=now)
    assert send.sent == []  # "晚" must not overtake "早"
    send.fail.clear()
    outbox.deliver(db, send, permanent_error, now=now + outbox.backoff(1))
    assert send.sent == [("oC", "早")]
    outbox.deliver(db, send, permanent_error, now=now + outbox.backoff(1))
    assert send.sent == [("oC", "早"), ("oC", "晚")]


def test_older_than_48_hours_is_dropped_and_counted_not_sent(db):
    put(db, "oD", ["太晚了"], received=utcnow() - dt.timedelta(hours=49))
    put(db, "oE", ["及时"], received=utcnow() - dt.timedelta(hours=47))
    send = Recorder()
    result = outbox.deliver(db, send, permanent_error)
    assert (result.expired, result.sent) == (1, 1)
    assert send.sent == [("oE", "及时")]
    assert outbox.counts(db)["expired"] == 1


def test_a_refusal_no_retry_fixes_is_dropped_and_counted(db):
    put(db, "oF", ["取消关注的用户"])
    put(db, "oG", ["暂时失败"])
    send = Recorder(fail={"取消关注的用户"}, error=WeChatAPIError(43004, "unsubscribed"))
    send2 = Recorder(fail={"暂时失败"}, error=WeChatAPIError(-1, "system busy"))

    def either(openid, text):
        (send if openid == "oF" else send2)(openid, text)
    result = outbox.deliver(db, either, permanent_error)
    assert (result.refused, result.failed) == (1, 1)
    assert outbox.counts(db) == {"pending": 1, "sent": 0, "expired": 0, "refused": 1}


def test_a_sender_that_died_holding_rows_leaves_them_to_another(db):
    put(db, "oH", ["重启后送达"])
    now = utcnow()
    assert outbox.claim(db, now) is not None  # leased, then the replica was killed
    send = Recorder()
    assert outbox.deliver(db, send, permanent_error, now=now).sent == 0  # the lease still holds
    assert outbox.deliver(db, send, permanent_error, now=now + outbox.LEASE + dt.timedelta(seconds=1)).sent == 1
    assert send.sent == [("oH", "重启后送达")]


def test_several_senders_send_every_message_once_and_in_order(db):
    users = [f"o{i}" for i in range(20)]
    for turn in range(3):
        for user in users:
            put(db, user, [f"{user}-{turn}-a", f"{user}-{turn}-b"])
    send = Recorder()

    def worker(_):
        while outbox.deliver(db, send, permanent_error).sent:
            pass
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(worker, range(4)))
    while outbox.deliver(db, send, permanent_error).sent:  # what the last round left due
        pass
    assert len(send.sent) == len(set(send.sent)) == 20 * 3 * 2
    for user in users:
        mine = [text for who, text in send.sent if who == user]
        assert mine == [f"{user}-{t}-{x}" for t in range(3) for x in "ab"]


class FakeTokenAPI:
    def __init__(self) -> None:
        self.fetches = 0
        self.lock = threading.Lock()

    def fetch(self) -> tuple[str, float]:
        with self.lock:
            self.fetches += 1
            n = self.fetches
        threading.Event().wait(0.2)  # WeChat takes a moment: the other replica asks meanwhile
        return f"TOKEN-{n}", utcnow().timestamp() + 7000


def test_two_replicas_needing_a_token_at_once_fetch_it_once(tmp_path):
    url = fresh_database(tmp_path)
    fake = FakeTokenAPI()
    replicas = []
    for _ in range(2):  # each its own engine, as two processes have
        api = WeChatAPI("http://unused", "wx-app", "secret", WeChatStore(Database(url)))
        api._fetch = fake.fetch
        replicas.append(api)
    with ThreadPoolExecutor(2) as pool:
        tokens = list(pool.map(lambda api: api.token(), replicas))
    assert fake.fetches == 1 and tokens[0] == tokens[1] == "TOKEN-1"
    assert replicas[1].token(stale="TOKEN-1") == "TOKEN-2"  # a refused token is replaced
    assert replicas[0].token(stale="TOKEN-1") == "TOKEN-2" and fake.fetches == 2
