"""`python -m bot portal` as it runs: no TensorFlow in the process, jieba's dictionary the
shared trie (knowledge/jieba_dictionary.py), and the staff look-up working."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from bot import settings
from bot.launcher.servers import free_port
from tests.staff_client import api_token


def test_the_portal_serves_staff_search_without_tensorflow(kb_url, db):
    port = free_port()
    token = api_token(db, "agent")  # a person's API token (staff accounts)
    env = settings.child_env(WEB_PORT=str(port), DATABASE_URL=kb_url)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "portal"], cwd=settings.ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/health", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                assert proc.poll() is None and time.monotonic() < deadline, "portal did not start"
                time.sleep(0.3)
        r = requests.get(f"{base}/staff/api/search", params={"q": "专利费减的条件"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 200 and r.json()["results"]
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "tensorflow" not in maps
        assert ".marisa" in maps  # jieba reads the shared trie, not a dict of its own
    finally:
        proc.terminate()
        proc.wait(15)
