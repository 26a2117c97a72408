"""100 citizens file a complaint lead at the same time over REST, each confirming twice (a
double tap): there must be exactly one row and one distinct ticket per conversation, and no
errors. Prints wall time, rows, distinct tickets, errors and per-request latency.

    .venv/bin/python bench/leads.py [--n 100]            # starts its own servers (5505/5555)
    .venv/bin/python bench/leads.py --url http://127.0.0.1:5005   # against `make run`

Rows are counted in DATABASE_URL (var/app.db by default, what the servers use) by the run's
mark in the description, so earlier leads in the database do not count.
"""
from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot import settings  # noqa: E402
from knowledge.storage import database  # noqa: E402
from bot.leads.models import Lead  # noqa: E402
from bot.launcher.servers import Ports, servers  # noqa: E402

TICKET = re.compile(r"GZ-\d{8}-[0-9A-Z]{5}")


def conversation(base: str, run: str, i: int, latencies: list[float]) -> str:
    """Walks the whole form; returns the ticket. AssertionError names the step that failed."""
    sender = f"bench-{run}-{i}"
    steps = [
        ("我要举报有人假冒我们的商标", "发生了什么"),
        (f"压测{run}第{i}号：有人在网店卖假冒我们注册商标的茶油", "在哪里发现"),
        ("章贡区某商场一楼", "不清楚"),
        ('/deny{"lead_step": "who"}', "证据"),
        ("有购买凭证和商品照片", "怎么称呼"),
        ("王女士", "联系电话"),
        (f"139{i:08d}", "同意"),
        ('/affirm{"lead_step": "consent"}', "确认提交"),
        ('/affirm{"lead_step": "confirm"}', "线索编号"),
        ('/affirm{"lead_step": "confirm"}', "不会重复登记"),  # the double tap
    ]
    tickets = []
    with requests.Session() as http:
        for text, expected in steps:
            started = time.perf_counter()
            r = http.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                          timeout=120)
            latencies.append(time.perf_counter() - started)
            r.raise_for_status()
            reply = "\n".join(m.get("text", "") for m in r.json())
            assert expected in reply, f"{sender} after {text!r}: {reply[:80]!r}"
            tickets += TICKET.findall(reply)
    assert len(tickets) == 2 and tickets[0] == tickets[1], f"{sender}: tickets {tickets}"
    return tickets[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--url", help="a running Rasa server; default: start servers here")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    errors: list[str] = []
    running = contextlib.nullcontext(args.url) if args.url else servers(
        Ports.free(), log_dir=settings.LOG_DIR / "bench-leads")
    with running as started:
        base = started if args.url else started.rasa
        def one(i: int) -> str | None:
            try:
                return conversation(base, run, i, latencies)
            except Exception as err:  # counted and shown, never hides the others
                errors.append(f"{type(err).__name__}: {err}")
                return None
        started = time.perf_counter()
        with ThreadPoolExecutor(args.n) as pool:
            tickets = [t for t in pool.map(one, range(args.n)) if t]
        wall = time.perf_counter() - started
    with database(settings.database_url()).session() as s:
        rows = s.execute(select(func.count()).select_from(Lead)
                         .where(Lead.what.like(f"压测{run}第%"))).scalar()
    ms = sorted(x * 1000 for x in latencies)
    print(f"{args.n} concurrent conversations, {len(latencies)} requests: wall {wall:.1f} s")
    print(f"rows {rows}, distinct tickets {len(set(tickets))}, errors {len(errors)}")
    print(f"per request p50 {statistics.median(ms):.0f} ms, "
          f"p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms")
    for err in errors[:5]:
        print("  " + err)
    return 0 if rows == len(set(tickets)) == args.n and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
