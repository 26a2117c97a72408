"""REST round-trip latency of a knowledge-base answer, sequential and with 10 concurrent
senders; RSS of both servers; the last training time. Starts its own servers on spare ports.

    .venv/bin/python bench/latency.py [--n 200]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot import settings  # noqa: E402
from bot.launcher.servers import Ports, servers  # noqa: E402
from bench.stats import pct  # noqa: E402

QUESTIONS = ["专利费减的条件是什么", "专利费减需要什么材料", "商标注册要多少钱",
             "优先审查要多久", "被侵权了怎么办", "专利质押怎么办理"]


def rss_mb(port: int) -> float:
    """Resident memory of the process group listening on `port` (the server and its children)."""
    import subprocess
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True)
    pid = out.stdout.split("pid=")[1].split(",")[0] if "pid=" in out.stdout else None
    if pid is None:
        return float("nan")
    pgid = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[2]
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split(")")[1].split()
            if fields[2] == pgid:
                total += int(fields[21]) * 4096
        except (OSError, IndexError):
            continue
    return total / 2**20


def ask(base: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    r = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                      timeout=30)
    r.raise_for_status()
    assert r.json(), "empty reply"
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    ports = Ports.free()
    run = uuid.uuid4().hex[:8]  # fresh conversations: a sender's history slows every turn
    with servers(ports, log_dir=settings.LOG_DIR / "bench") as stack:
        base = stack.rasa
        for i in range(10):  # warm-up
            ask(base, f"{run}-warm", QUESTIONS[i % len(QUESTIONS)])
        seq = [ask(base, f"{run}-seq-{i % 20}", QUESTIONS[i % len(QUESTIONS)])
               for i in range(args.n)]
        with ThreadPoolExecutor(10) as pool:
            started = time.perf_counter()
            conc = list(pool.map(lambda i: ask(base, f"{run}-conc-{i % 10}", QUESTIONS[i % 6]),
                                 range(args.n)))
            wall = time.perf_counter() - started
        rasa_mb, actions_mb = rss_mb(ports.rasa), rss_mb(ports.actions)
    train = settings.MODEL_DIR / "train_seconds"
    print(f"sequential  n={len(seq)}  p50 {statistics.median(seq):.1f} ms  p95 {pct(seq, 95):.1f} ms")
    print(f"10 senders  n={len(conc)}  p50 {statistics.median(conc):.1f} ms  "
          f"p95 {pct(conc, 95):.1f} ms  throughput {len(conc) / wall:.0f} req/s")
    print(f"RSS  rasa {rasa_mb:.0f} MB  actions {actions_mb:.0f} MB")
    print(f"last training {train.read_text().strip() if train.exists() else 'unknown'} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
