"""The production shape, for real: conversations, leads, WeChat and knowledge updates across two
Rasa and two action servers sharing PostgreSQL and Redis, behind nginx; what the public entry
shows and hides; the rate limit."""
from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import create_engine, text

from bot import settings
from bot.deploy.services import TRACKER_DB
from tests.prod.conftest import client
from tests.wechat_side import WeChatSide, new_user

TICKET = re.compile(r"GZ-\d{8}-[0-9A-Z]{5}")


def say(base: str, sender: str, message: str, http=requests) -> str:
    r = http.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                  timeout=120)
    assert r.status_code == 200, r.text
    return "\n".join(m.get("text", "") for m in r.json())


def lead_steps(mark: str) -> list[tuple[str, str]]:
    """A complaint lead from the first message to the ticket: (message, expected in reply)."""
    return [
        ("我要举报有人假冒我们的商标", "发生了什么"),
        (f"{mark}：有人在网店卖假冒我们注册商标的茶油", "在哪里发现"),
        ("章贡区某商场一楼", "不清楚"),
        ('/deny{"lead_step": "who"}', "证据"),
        ("有购买凭证和商品照片", "怎么称呼"),
        ("王女士", "联系电话"),
        ("13912345678", "同意"),
        ('/affirm{"lead_step": "consent"}', "确认提交"),
        ('/affirm{"lead_step": "confirm"}', "线索编号"),
    ]


def tracker_users(shape, sender: str) -> int:
    """User messages Rasa stored for `sender`, in the shared tracker database."""
    engine = create_engine(shape.postgres.url(TRACKER_DB), future=True)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s AND "
                                  "type_name = 'user'"), {"s": sender}).scalar()
    engine.dispose()
    return count


# -- conversations and leads across replicas ------------------------------------------------
def test_a_form_whose_turns_alternate_replicas_keeps_its_state(shape):
    sender = f"alt-{secrets.token_hex(4)}"
    steps = lead_steps(f"交替{sender}")
    steps.insert(3, ("专利费减的条件是什么", "费减"))  # a question mid-form, then the form again
    for i, (message, expected) in enumerate(steps):
        reply = say(shape.rasa(i % 2), sender, message)
        assert expected in reply, f"turn {i} on replica {i % 2 + 1}: {reply[:120]!r}"
    assert TICKET.search(reply)
    assert tracker_users(shape, sender) == len(steps)


def test_a_lead_filed_through_replica_a_is_seen_by_staff_through_the_portal(shape, staff):
    sender = f"lead-{secrets.token_hex(4)}"
    for message, expected in lead_steps(f"副本A{sender}"):
        reply = say(shape.rasa(0), sender, message)
        assert expected in reply, reply[:120]
    ticket = TICKET.search(reply).group()
    listed = requests.get(f"{shape.internal}/staff/api/cases", headers=staff, timeout=10)
    assert listed.status_code == 200
    mine = [case for case in listed.json()["cases"] if case["ticket"] == ticket]
    assert len(mine) == 1 and "13912345678" not in listed.text  # phones masked in lists
    one = requests.get(f"{shape.internal}/staff/api/cases/{ticket}", headers=staff, timeout=10)
    assert one.status_code == 200 and one.json()["phone"] == "13912345678"
    assert requests.get(f"{shape.public}/staff/api/cases/{ticket}", headers=staff,
                        timeout=10).status_code == 404  # never through the public entry


def test_the_first_administrator_is_made_on_the_command_line_and_signs_in_through_nginx(
        shape, app_url):
    """Nobody has a default password: the administrator is made on the server; the desk's
    sign-in works through the internal entry as a browser posts it (Origin with the port),
    and the audit log has the client's address, not nginx's (PROXIES_COUNT=1)."""
    password, name = "Prod-Passw0rd-ok", f"admin{secrets.token_hex(3)}"
    made = subprocess.run([sys.executable, "-m", "bot", "staff", "create-admin", name,
                           "--name", "李章", "--password-stdin"], input=password + "\n",
                          cwd=settings.ROOT, env=shape.env, capture_output=True, text=True,
                          timeout=120)
    assert made.returncode == 0, made.stderr[-500:]
    http = client("127.0.0.24")
    browser = {"Origin": shape.internal}
    assert http.get(shape.internal + "/staff/login", timeout=10).status_code == 200
    wrong = http.post(shape.internal + "/staff/login", headers=browser, timeout=10,
                      data={"username": name, "password": "wrong"}, allow_redirects=False)
    assert wrong.status_code == 401
    right = http.post(shape.internal + "/staff/login", headers=browser, timeout=10,
                      data={"username": name, "password": password}, allow_redirects=False)
    assert right.status_code == 303, right.text[:300]
    assert "gz_staff=" in right.headers.get("Set-Cookie", "")
    engine = create_engine(app_url, future=True)
    with engine.connect() as conn:
        seen = set(conn.execute(text("SELECT ip, result FROM audit_log WHERE action = "
                                     "'sign_in' AND actor = :name"), {"name": name}).all())
    engine.dispose()
    assert seen == {("127.0.0.24", "failed"), ("127.0.0.24", "ok")}
    assert http.get(shape.public + "/staff/login", timeout=10).status_code == 404


def test_nginx_sends_one_conversations_turns_to_both_replicas(shape):
    http = client("127.0.0.21")
    sender = f"rr-{secrets.token_hex(4)}"
    log = shape.nginx.access_log
    before = log.read_text().count("\n") if log.exists() else 0
    for question in ["你好", "专利费减的条件是什么", "需要什么材料", "商标注册要多少钱"]:
        assert say(shape.public, sender, question, http)
    time.sleep(0.5)  # nginx writes its log line after answering
    lines = [line for line in log.read_text().splitlines()[before:]
             if "/webhooks/rest/webhook" in line and line.startswith("127.0.0.21 ")]
    upstreams = {re.search(r"upstream=(\S+)", line).group(1) for line in lines}
    assert upstreams == {f"127.0.0.1:{port}" for port in shape.layout.rasa}
    assert tracker_users(shape, sender) == 4


# -- WeChat across replicas -------------------------------------------------------------------
def test_wechat_retries_of_one_msgid_on_both_replicas_get_one_answer(shape, wechat_api):
    user = new_user()
    msg_id = str(secrets.randbelow(10**18))
    sides = [WeChatSide(shape.rasa(i), "wx-prod-test") for i in (0, 1)]
    with ThreadPoolExecutor(4) as pool:  # WeChat's first try and retries, on both replicas
        replies = list(pool.map(lambda i: sides[i % 2].say(user, "专利质押怎么办理",
                                                          msg_id=msg_id), range(4)))
    assert [r.status_code for r in replies] == [200] * 4
    texts = wechat_api.wait_for(user)
    time.sleep(3)  # a second turn would have been answered by now
    assert texts and wechat_api.texts_for(user) == texts
    assert len(set(texts)) == len(texts) and "质押" in "\n".join(texts)
    assert tracker_users(shape, user) == 1


def test_wechat_through_nginx_and_the_access_token_fetched_once_for_both(shape, wechat_api):
    users = [new_user() for _ in range(6)]
    sides = [WeChatSide(shape.rasa(i), "wx-prod-test") for i in (0, 1)]
    sides.append(WeChatSide(shape.public, "wx-prod-test"))  # and through the public entry
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda i: sides[i % 3].say(users[i], "商标注册要多少钱"),
                                range(6)))
    assert [r.text for r in replies] == ["success"] * 6
    for user in users:
        assert "商标" in "\n".join(wechat_api.wait_for(user))
    assert wechat_api.token_fetches == 1 and wechat_api.refused == 0


# -- knowledge updates reach every action server -------------------------------------------------
def ask_action_server(base: str, question: str, intent: str = "ask_fee_reduction",
                      confidence: float = 0.95, sender: str = "kb-check") -> str:
    """action_answer's reply to `question` as Rasa would ask for it, NLU having read `intent`."""
    parse = {"text": question, "intent": {"name": intent, "confidence": confidence},
             "entities": [], "intent_ranking": [{"name": intent, "confidence": confidence}]}
    body = {"next_action": "action_answer", "sender_id": sender, "version": "3.6.21",
            "domain": {}, "tracker": {
                "sender_id": sender, "slots": {}, "latest_message": parse, "paused": False,
                "events": [{"event": "user", "text": question, "parse_data": parse,
                            "input_channel": "rest"}],
                "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}}
    r = requests.post(f"{base}/webhook", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return "\n".join(m.get("text") or "" for m in r.json()["responses"])


def make_kb(shape, data_dir: Path) -> None:
    env = dict(shape.env, KNOWLEDGE_DATA_DIR=str(data_dir))
    done = subprocess.run([sys.executable, "-m", "bot", "kb"], cwd=settings.ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_make_kb_reaches_every_action_server_without_a_restart(shape, tmp_path):
    question = "专利费减的条件是什么"
    marker = f"【更新{secrets.token_hex(3)}】"
    data = tmp_path / "data"
    shutil.copytree(settings.KNOWLEDGE_DATA_DIR, data)
    path = data / "answers" / "fee_reduction.yml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    for answer in content["answers"]:
        answer["short"] = marker + answer["short"][:100]
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    pids = {name: shape.pid(name) for name in ("actions-1", "actions-2")}
    try:
        make_kb(shape, data)
        deadline = time.monotonic() + 60
        seen: dict[int, str] = {}
        while time.monotonic() < deadline and len(seen) < 2:
            for i in (0, 1):
                if marker in ask_action_server(shape.actions(i), question):
                    seen[i] = "new"
            time.sleep(1)
        assert sorted(seen) == [0, 1], "an action server still answers from the old knowledge"
        assert {name: shape.pid(name) for name in pids} == pids  # no restart
    finally:
        make_kb(shape, settings.KNOWLEDGE_DATA_DIR)


# -- only the public paths are public --------------------------------------------------------------
@pytest.mark.parametrize("method,path", [
    ("GET", "/status"), ("GET", "/version"), ("GET", "/conversations/someone/tracker"),
    ("POST", "/conversations/someone/messages"), ("POST", "/model/parse"),
    ("GET", "/webhooks/rest/"), ("GET", "/staff/"), ("GET", "/staff/login"),
    ("GET", "/staff/api/cases"), ("GET", "/staff/api/cases.csv"), ("POST", "/webhook"),
    ("GET", "/actions"), ("GET", "/.env"), ("GET", "/nginx.conf"),
])
def test_the_public_entry_hides_everything_but_the_public_paths(shape, staff, method, path):
    headers = staff  # even with a staff token: not here
    params = {"token": shape.keys["rasa_api_token"]}  # even with Rasa's token: not here
    r = requests.request(method, shape.public + path, headers=headers, params=params,
                         json={}, timeout=10)
    assert r.status_code == 404, (path, r.status_code, r.text[:100])


def test_the_public_paths_work_and_the_hidden_ones_exist_behind_it(shape, staff):
    http = client("127.0.0.22")
    assert "GanzhouIpChat" in http.get(shape.public + "/", timeout=10).text
    assert http.get(shape.public + "/widget/chat.js", timeout=10).status_code == 200
    assert http.get(shape.public + "/webhooks/rest/webhook", timeout=10).status_code == 403
    vote = http.post(shape.public + "/api/ratings", timeout=10, json={})
    assert vote.status_code == 400  # reached the portal, which checks the body
    # the hidden ones are there (on loopback, for the shape itself), so the 404s above mean
    # nginx hid them, not that they were missing
    token = {"token": shape.keys["rasa_api_token"]}
    assert requests.get(shape.rasa(0) + "/status", params=token, timeout=10).status_code == 200
    assert requests.get(shape.actions(0) + "/health", timeout=10).status_code == 200
    assert requests.get(shape.internal + "/staff/api/cases", headers=staff,
                        timeout=10).status_code == 200
    assert requests.get(shape.internal + "/status", timeout=10).status_code == 404


def test_the_database_and_redis_listen_on_loopback_only(shape):
    engine = create_engine(shape.postgres.url("postgres", admin=True), future=True)
    with engine.connect() as conn:
        assert conn.execute(text("SHOW listen_addresses")).scalar() == "127.0.0.1"
    engine.dispose()
    config = (shape.folder / "redis.conf").read_text()
    assert "\nbind 127.0.0.1\n" in config and "requirepass" in config
    assert str(shape.layout.postgres) not in shape.nginx.conf.read_text()  # never proxied


# -- the rate limit ------------------------------------------------------------------------------
def test_one_client_over_the_rate_limit_gets_429_and_the_bot_stays_up(shape):
    """The limit is per client address. The flood's messages come from one address under
    thirty sender ids: one sender's turns wait for each other on the conversation lock, so a
    same-sender flood measured the machine's speed (the last turns passed nginx's 60 s read
    timeout on a busy CI machine, 504) rather than the limit."""
    http = client("127.0.0.31")
    sender = f"flood-{secrets.token_hex(4)}"

    def post(i):
        return http.post(f"{shape.public}/webhooks/rest/webhook", timeout=120,
                         json={"sender": f"{sender}-{i}", "message": "你好"}).status_code
    with ThreadPoolExecutor(30) as pool:
        codes = list(pool.map(post, range(30)))
    assert codes.count(429) >= 10 and codes.count(200) >= 5, codes
    assert set(codes) <= {200, 429}
    # another citizen is not slowed by this one
    assert "费减" in say(shape.public, f"calm-{sender}", "专利费减的条件是什么",
                        client("127.0.0.32"))
    time.sleep(2)  # the flooding client too, once it keeps to the rate
    assert say(shape.public, sender, "专利费减的条件是什么", http)
    assert shape.restarts("rasa-1") == shape.restarts("rasa-2") == 0


def test_wechat_is_limited_per_user_not_per_wechat_server(shape, wechat_api):
    side = WeChatSide(shape.public, "wx-prod-test")
    flooder, other = new_user(), new_user()
    with ThreadPoolExecutor(15) as pool:
        codes = list(pool.map(lambda _: side.say(flooder, "你好").status_code, range(15)))
    assert codes.count(429) >= 5 and 200 in codes, codes
    assert side.say(other, "你好").status_code == 200  # same WeChat server, another user


def test_ratings_are_limited_per_client(shape):
    http = client("127.0.0.33")
    with ThreadPoolExecutor(25) as pool:
        codes = list(pool.map(lambda _: http.post(f"{shape.public}/api/ratings", json={},
                                                  timeout=10).status_code, range(25)))
    assert codes.count(429) >= 5 and codes.count(400) >= 5, codes


# -- a database or lock store restart mid-form (last: they stop parts of the shared shape) -------
@pytest.mark.parametrize("server", ["postgres", "redis"])
def test_a_restart_mid_form_delays_the_answer_and_loses_nothing(shape, server, app_url):
    http = client("127.0.0.41" if server == "postgres" else "127.0.0.42")
    sender = f"restart-{server}-{secrets.token_hex(4)}"
    steps = lead_steps(f"重启{sender}")
    for message, expected in steps[:4]:
        assert expected in say(shape.public, sender, message, http)
    shape.stop(server)
    pool = ThreadPoolExecutor(1)
    try:
        waiting = pool.submit(say, shape.public, sender, steps[4][0], http)
        time.sleep(4)
        assert not waiting.done()  # waits for the server instead of answering blind
    finally:
        shape.start(server)
        pool.shutdown(wait=False)
    assert steps[4][1] in waiting.result(timeout=60)  # the form went on where it was
    for message, expected in steps[5:]:
        reply = say(shape.public, sender, message, http)
        assert expected in reply, reply[:120]
    ticket = TICKET.search(reply).group()
    engine = create_engine(app_url, future=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM lead WHERE ticket = :t"),
                            {"t": ticket}).scalar() == 1
    engine.dispose()
    assert tracker_users(shape, sender) == len(steps)
