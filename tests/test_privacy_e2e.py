"""Personal data end to end, on servers of its own (Rasa, actions, the portal) and databases of
its own: real conversations leave a name and phone numbers in the tracker store, a lead and a
call-back; staff work them in the desk; after retention the person is in no table of either
database; a PIPL deletion leaves nothing findable; no log holds a full phone number."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid

import pytest
import requests
from sqlalchemy import inspect, text

import knowledge
from bot import settings
from bot.launcher.servers import Ports, servers
from bot.launcher.train import model_path
from bot.migrations import upgrade
from knowledge.storage import database
from tests.conftest import DATA_DIR
from tests.staff_client import StaffClient, make_account

NAME = "欧阳晓雯"
PHONE = "13987650123"  # typed as "139 8765 0123"
CALLBACK_PHONE = "0797-8876543"
DELETE_PHONE = "15879700456"


def chat(base: str, sender: str, message: str) -> str:
    r = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender,
                                                             "message": message}, timeout=60)
    r.raise_for_status()
    return "\n".join(m.get("text", "") for m in r.json())


def everything(url: str) -> str:
    """Every value of every table, JSON decoded (Rasa and SQLAlchemy write Chinese as \\u…)."""
    engine = database(url).engine
    out = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    out.append(str(value))
                    if isinstance(value, str) and value[:1] in "[{":
                        try:
                            out.append(json.dumps(json.loads(value), ensure_ascii=False))
                        except ValueError:
                            pass
    return "\n".join(out)


def retention(env: dict, **periods: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot", "retention"], cwd=settings.ROOT,
                          env={**env, **periods}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    if not model_path().exists():
        pytest.fail("no trained model: `make test` trains before running pytest")
    home = tmp_path_factory.mktemp("privacy-e2e")
    app_url, tracker_url = f"sqlite:///{home / 'app.db'}", f"sqlite:///{home / 'tracker.db'}"
    upgrade(app_url)
    knowledge.build(app_url, DATA_DIR)
    env = {"DATABASE_URL": app_url, "TRACKER_DB_URL": tracker_url}
    logs = home / "logs"
    with servers(Ports.free(portal=True), env=env, log_dir=logs) as stack:
        yield stack, app_url, tracker_url, settings.child_env(**env), logs


def file_lead(rasa: str) -> str:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    chat(rasa, sender, "我要举报有人假冒我们的商标")
    chat(rasa, sender, "有人在网店卖假冒我们注册商标的茶油，上个月发现的")
    chat(rasa, sender, "淘宝店“赣南好油铺”，发货地址在章贡区")
    chat(rasa, sender, '/deny{"lead_step": "who"}')
    chat(rasa, sender, "有购买订单截图和商品照片")
    chat(rasa, sender, NAME)
    chat(rasa, sender, "139 8765 0123")
    summary = chat(rasa, sender, '/affirm{"lead_step": "consent"}')
    assert NAME in summary and PHONE in summary
    filed = chat(rasa, sender, '/affirm{"lead_step": "confirm"}')
    return re.search(r"GZ-\d{8}-[0-9A-Z]{5}", filed).group()


def ask_for_a_call(rasa: str, phone: str, question: str) -> str:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    intro = chat(rasa, sender, "我要转人工")
    assert "自动" in intro and f"{settings.callback_working_days()}个工作日内" in intro
    assert "同意" in intro  # the privacy notice comes first …
    assert "问题" in chat(rasa, sender, '/affirm{"lead_step": "callback_consent"}')  # … then
    assert "电话" in chat(rasa, sender, question)
    filed = chat(rasa, sender, phone)
    assert "个工作日内" in filed and phone not in filed
    return re.search(r"HD-\d{8}-[0-9A-Z]{5}", filed).group()


def test_after_retention_the_person_is_in_no_table(world, request):
    stack, app_url, tracker_url, env, _ = world
    lead = file_lead(stack.rasa)
    call = ask_for_a_call(stack.rasa, CALLBACK_PHONE, f"我是{NAME}，想问商标续展的材料")
    status = chat(stack.rasa, f"e2e-{uuid.uuid4().hex[:8]}", f"查一下{call} 6543")
    assert call in status and "回电" in status
    for secret in (NAME, PHONE, "139 8765 0123", CALLBACK_PHONE):
        assert secret in everything(app_url) + everything(tracker_url), secret

    agent = StaffClient(stack.portal)
    agent.sign_in(make_account(database(app_url), "agent", display_name="坐席小王"))
    assert PHONE in agent.get(f"/staff/desk/{lead}").text
    for ticket in (lead, call):
        agent.get(f"/staff/desk/{ticket}")
        r = agent.post(f"/staff/desk/{ticket}", {"status": "closed", "note": f"已联系{NAME}"})
        assert 'id="case-status">已办结' in r.text

    out = retention(env, LEADS_RETENTION_DAYS="0", TRACKER_REDACT_DAYS="0",
                    TRACKER_RETENTION_DAYS="90")
    assert "1 leads and 1 call-backs anonymised" in out
    stored = everything(app_url) + everything(tracker_url)
    for secret in (NAME, PHONE, "139 8765 0123", "8765 0123", CALLBACK_PHONE, "8876543"):
        assert secret not in stored, secret
    assert lead in stored and call in stored  # the cases stay, without the person

    retention(env, TRACKER_REDACT_DAYS="0", TRACKER_RETENTION_DAYS="0")
    with database(tracker_url).engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 0


def test_a_deletion_request_leaves_nothing_findable(world):
    stack, app_url, tracker_url, _, _ = world
    call = ask_for_a_call(stack.rasa, DELETE_PHONE, "专利年费减缴怎么办")
    admin = StaffClient(stack.portal)
    admin.sign_in(make_account(database(app_url), "admin"))
    admin.get("/staff/admin/privacy")
    found = admin.post("/staff/admin/privacy", {"phone": DELETE_PHONE})
    assert call in found.text and "1 段对话" in found.text
    copy = admin.post("/staff/admin/privacy/export", {"phone": DELETE_PHONE})
    assert DELETE_PHONE in copy.text and copy.headers["Content-Disposition"].startswith(
        "attachment")
    gone = admin.post("/staff/admin/privacy/delete", {"phone": DELETE_PHONE, "confirm": "yes",
                                                      "reason": "申请单 PIPL-2026-007"})
    assert 'id="deleted"' in gone.text
    again = admin.post("/staff/admin/privacy", {"phone": DELETE_PHONE})
    assert "0 件线索/回电，0 段对话" in again.text
    assert "0 件线索/回电" in admin.post("/staff/admin/privacy", {"ticket": call}).text
    stored = everything(app_url) + everything(tracker_url)
    assert DELETE_PHONE not in stored and DELETE_PHONE[-8:] not in stored
    agent = StaffClient(stack.portal)
    agent.sign_in(make_account(database(app_url), "agent"))
    assert agent.get(f"/staff/desk/{call}").status_code == 404


def test_no_log_holds_a_full_phone_number_or_the_name(world):
    *_, logs = world
    texts = {log.name: log.read_text(encoding="utf-8", errors="replace")
             for log in logs.glob("*.log")}
    assert set(texts) >= {"rasa.log", "actions.log", "portal.log"}
    for name, content in texts.items():
        for secret in (PHONE, "139 8765 0123", CALLBACK_PHONE, DELETE_PHONE, NAME):
            assert secret not in content, (name, secret)
    assert re.search(r"call-back HD-\d{8}-\w{5} filed", texts["actions.log"])
