"""WeChat channel latency on the passive path: a signed POST as WeChat sends it, to the XML
reply. Sequential plaintext, sequential safe mode (AES), and 10 concurrent users; counts the
replies that missed the reply_timeout (answered "success", the answer would follow by the
customer-service API). Starts its own servers on spare ports; nothing leaves the machine.

    .venv/bin/python bench/wechat.py [--n 200]
"""
from __future__ import annotations

import argparse
import base64
import secrets
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot import settings  # noqa: E402
from bot.channels import wechat_crypto as wx  # noqa: E402
from bot.launcher.servers import Ports, servers  # noqa: E402
from bench.stats import pct  # noqa: E402

QUESTIONS = ["专利费减的条件是什么", "专利费减需要什么材料", "商标注册要多少钱",
             "优先审查要多久", "被侵权了怎么办", "专利质押怎么办理"]
TOKEN, APP_ID = "bench-token", "wx-bench"
AES_KEY = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")


class Sender:
    def __init__(self, base: str) -> None:
        self.url = f"{base}/webhooks/wechat/webhook"
        self.crypto = wx.WeChatCrypto(AES_KEY, APP_ID)
        self.http = requests.Session()
        self.missed = 0

    def ask(self, user: str, text: str, safe: bool = False) -> float:
        ts, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
        params = {"timestamp": ts, "nonce": nonce, "signature": wx.signature(TOKEN, ts, nonce)}
        body = wx.build_xml({"ToUserName": "gh_bench", "FromUserName": user,
                             "CreateTime": int(ts), "MsgType": "text", "Content": text,
                             "MsgId": str(secrets.randbelow(10**18))})
        if safe:
            encrypted = self.crypto.encrypt(body)
            params.update(encrypt_type="aes",
                          msg_signature=wx.signature(TOKEN, ts, nonce, encrypted))
            body = wx.build_xml({"ToUserName": "gh_bench", "Encrypt": encrypted})
        started = time.perf_counter()
        r = self.http.post(self.url, params=params, data=body.encode(), timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        r.raise_for_status()
        if r.text == "success":
            self.missed += 1
        else:
            reply = wx.parse_xml(r.content)
            if safe:
                reply = wx.parse_xml(self.crypto.decrypt(reply["Encrypt"]))
            assert reply["Content"], "empty reply"
        return elapsed


def line(name: str, values: list[float], extra: str = "") -> str:
    return (f"{name:<22} n={len(values)}  p50 {statistics.median(values):.1f} ms  "
            f"p95 {pct(values, 95):.1f} ms{extra}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    run = secrets.token_hex(4)  # fresh conversations: a sender's history slows every turn
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_AES_KEY": AES_KEY,
           "WECHAT_APP_SECRET": "", "WECHAT_API_BASE": "http://127.0.0.1:9"}
    with servers(Ports.free(), env=env, log_dir=settings.LOG_DIR / "bench-wechat") as stack:
        base = stack.rasa
        sender = Sender(base)
        for i in range(10):  # warm-up
            sender.ask(f"o{run}Warm", QUESTIONS[i % len(QUESTIONS)])
        sender.missed = 0
        plain = [sender.ask(f"o{run}Seq{i % 20}", QUESTIONS[i % 6]) for i in range(args.n)]
        safe = [sender.ask(f"o{run}Safe{i % 20}", QUESTIONS[i % 6], safe=True) for i in range(args.n)]
        senders: list[Sender] = []
        local = threading.local()  # one HTTP session per thread

        def ask_concurrently(i: int) -> float:
            if not hasattr(local, "sender"):
                local.sender = Sender(base)
                senders.append(local.sender)
            return local.sender.ask(f"o{run}Conc{i % 10}", QUESTIONS[i % 6])

        with ThreadPoolExecutor(10) as pool:
            started = time.perf_counter()
            conc = list(pool.map(ask_concurrently, range(args.n)))
            wall = time.perf_counter() - started
    missed = sender.missed + sum(s.missed for s in senders)
    print(line("plaintext sequential", plain))
    print(line("safe mode sequential", safe))
    print(line("plaintext 10 users", conc, f"  throughput {len(conc) / wall:.0f} req/s"))
    print(f"missed the 4 s reply timeout (\"success\" + API): {missed} of {3 * args.n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
