"""A lead filed over REST across a restart of both servers: the form resumes where it was
(Rasa's SQL tracker store), a repeated confirmation files nothing, the forwarder `servers()`
starts sends the lead on, and no log holds the citizen's name or phone."""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import select

from bot.launcher.servers import Ports, servers
from bot.launcher.train import model_path
from bot.leads.models import Lead
PHONE, NAME = "13987650123", "欧阳女士"


class Centre(BaseHTTPRequestHandler):
    tickets: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Centre.tickets.append(body["ticket"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def chat(base: str, sender: str, text: str) -> str:
    r = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                      timeout=60)
    r.raise_for_status()
    return "\n".join(m.get("text", "") + "".join(f"[{b['title']}]" for b in m.get("buttons", []))
                     for m in r.json())


def test_a_form_survives_a_restart_and_files_one_lead(db, tmp_path):
    if not model_path().exists():
        pytest.fail("no trained model: `make test` trains before running pytest")
    sender, logs = f"restart-{uuid.uuid4().hex[:8]}", tmp_path / "logs"
    ports = Ports.free()  # the same ports after the restart, as a restarted deployment has
    with servers(ports, log_dir=logs) as running:
        base = running.rasa
        assert "发生了什么" in chat(base, sender, "我要举报有人假冒我们的商标")
        assert "在哪里发现" in chat(base, sender, "有人在网店卖假冒我们注册商标的茶油，上个月发现的")
        assert "不清楚" in chat(base, sender, "淘宝店“赣南好油铺”，发货地址在章贡区")
    centre = ThreadingHTTPServer(("127.0.0.1", 0), Centre)
    threading.Thread(target=centre.serve_forever, daemon=True).start()
    forwarding = {"LEADS_FORWARD_URL": f"http://127.0.0.1:{centre.server_address[1]}/leads",
                  "LEADS_FORWARD_POLL_SECONDS": "0.5"}
    with servers(ports, env=forwarding, log_dir=logs) as running:
        base = running.rasa
        assert "证据" in chat(base, sender, '/deny{"lead_step": "who"}')
        assert "怎么称呼" in chat(base, sender, "有购买订单截图和商品照片")
        assert "联系电话" in chat(base, sender, NAME)
        assert "0797-8123456" in chat(base, sender, "12345")  # asked again, with examples
        assert "[同意]" in chat(base, sender, PHONE)
        summary = chat(base, sender, '/affirm{"lead_step": "consent"}')
        assert "类型：商标侵权" in summary and "地点：淘宝店“赣南好油铺”" in summary
        assert f"电话：{PHONE}" in summary and "[确认提交]" in summary
        filed = chat(base, sender, '/affirm{"lead_step": "confirm"}')
        again = chat(base, sender, '/affirm{"lead_step": "confirm"}')
        ticket = re.search(r"GZ-\d{8}-[0-9A-Z]{5}", filed).group()
        deadline = time.monotonic() + 30
        while ticket not in Centre.tickets and time.monotonic() < deadline:
            time.sleep(0.5)
    centre.shutdown()
    assert Centre.tickets.count(ticket) == 1  # other tests' leads may have gone out too
    assert f"编号：{ticket}，不会重复登记" in again
    with db.session() as s:
        leads = s.execute(select(Lead).where(Lead.phone == PHONE)).scalars().all()
    assert [(lead.ticket, lead.kind, lead.county, lead.who, lead.name, lead.status)
            for lead in leads] == [(ticket, "trademark", "章贡区", None, NAME, "forwarded")]
    for log in logs.glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert PHONE not in text and NAME not in text, log.name
    assert ticket in (logs / "actions.log").read_text(encoding="utf-8")
