"""The assistant against a bare Rasa bot, side by side in one run, over REST.

The bare bot (bench/bare_bot.py: six intents, stock Rasa, static responses, SQLite tracker
store, no action server) is trained by this script in a temporary folder. Both run at once
on spare ports; each phase is measured on one bot, then on the other, with the same questions:

  sequential   n knowledge questions, each from a fresh sender (one conversation each)
  long         one sender, 200 turns: turns 2–11 against turns 191–200 (median of each)
  10 / 50      that many simulated citizens for a fixed time, each on its own senders (a
               citizen asks 3 questions, then the next one starts): messages/s, p50/p95/p99,
               errors (HTTP errors, timeouts, empty replies)
  memory       peak and current RSS of every server process after the load
  NLU          what each NLU component costs per message (the assistant's model, in-process)

The ratios (assistant / bare) are the figures: absolute times vary between machines. Run it
under the shared lock; --runs repeats the whole side-by-side run with fresh servers.

    flock /work/locks/heavy.lock .venv/bin/python bench/latency.py [--runs 3] [--seconds 20]
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot import settings  # noqa: E402
from bot.launcher import servers as launcher  # noqa: E402
from bench import bare_bot  # noqa: E402
from bench.stats import pct  # noqa: E402

QUESTIONS = ["专利费减的条件是什么", "专利费减需要什么材料", "商标注册要多少钱",
             "优先审查要多久", "被侵权了怎么办", "专利质押怎么办理"]
TIMEOUT = aiohttp.ClientTimeout(total=60)


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # ms, successful requests
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        v = self.latencies or [float("nan")]
        return (f"{self.rate:5.1f} msg/s  p50 {statistics.median(v):6.0f}  p95 {pct(v, 95):6.0f}"
                f"  p99 {pct(v, 99):6.0f} ms  errors {self.errors}")


async def ask(session: aiohttp.ClientSession, base: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(f"{base}/webhooks/rest/webhook",
                            json={"sender": sender, "message": text}) as r:
        r.raise_for_status()
        if not await r.json():
            raise RuntimeError("empty reply")
    return (time.perf_counter() - started) * 1000


async def sequential(base: str, tag: str, n: int) -> list[float]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as s:
        return [await ask(s, base, f"{tag}-{uuid.uuid4().hex[:10]}", QUESTIONS[i % 6])
                for i in range(n)]


async def long_conversation(base: str, tag: str, turns: int) -> list[float]:
    sender = f"{tag}-long-{uuid.uuid4().hex[:10]}"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as s:
        return [await ask(s, base, sender, QUESTIONS[i % 6]) for i in range(turns)]


async def concurrent(base: str, tag: str, citizens: int, seconds: float) -> Load:
    load = Load()
    deadline = time.perf_counter() + seconds
    ids = itertools.count()

    async def citizen(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            sender = f"{tag}-c{next(ids)}-{uuid.uuid4().hex[:8]}"
            for turn in range(3):
                if time.perf_counter() >= deadline:
                    return
                try:
                    load.latencies.append(await ask(session, base, sender,
                                                    QUESTIONS[(hash(sender) + turn) % 6]))
                except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError):
                    load.errors += 1

    connector = aiohttp.TCPConnector(limit=citizens)
    async with aiohttp.ClientSession(timeout=TIMEOUT, connector=connector) as s:
        started = time.perf_counter()
        await asyncio.gather(*(citizen(s) for _ in range(citizens)))
        load.seconds = time.perf_counter() - started
    return load


def memory(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process and its children, in MB."""
    now = peak = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        with contextlib.suppress(OSError):
            status = dict(line.split(":", 1) for line in
                          Path(f"/proc/{p}/status").read_text().splitlines() if ":" in line)
            now += int(status["VmRSS"].split()[0])
            peak += int(status["VmHWM"].split()[0])
    return now / 1024, peak / 1024


def _wait(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    import requests
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


@contextlib.contextmanager
def bare_server(folder: Path, log: Path):
    port = launcher.free_port()
    with open(log, "ab") as out:
        # the same TensorFlow threads as the assistant's Rasa: a setting, not a fix
        proc = subprocess.Popen(bare_bot.command(folder, port), cwd=folder,
                                env={**launcher.RASA_TF_THREADS, **settings.child_env()},
                                stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/", proc)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        launcher.terminate(proc)


def staff_token() -> str:
    """A personal API token of a 坐席 account made for this run (staff have accounts)."""
    import secrets
    from sqlalchemy import select
    from bot.portal import accounts
    from bot.portal.audit import Actor
    from knowledge.storage import database, utcnow
    db = database(settings.database_url())
    name = f"bench{secrets.token_hex(4)}"
    accounts.create(db, Actor(username="cli:bench", role=None, via="cli"), name, "性能测试",
                    "agent", f"Bench-{secrets.token_urlsafe(12)}")
    with db.session() as s:
        account = s.execute(select(accounts.StaffAccount)
                            .where(accounts.StaffAccount.username == name)).scalar_one()
    return accounts.create_token(db, accounts.actor_of(account, None, "cli", utcnow()),
                                 "bench/latency.py")


def staff_searches(portal: str, n: int = 30) -> float:
    """The portal's staff look-up, as staff use it; returns the median in ms."""
    import requests
    token = staff_token()
    times = []
    for i in range(n):
        started = time.perf_counter()
        r = requests.get(f"{portal}/staff/api/search", params={"q": QUESTIONS[i % 6]},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
        r.raise_for_status()
        assert r.json()["results"], "staff search found nothing"
        times.append((time.perf_counter() - started) * 1000)
    requests.get(f"{portal}/", timeout=30).raise_for_status()
    return statistics.median(times)


def one_run(args, bare_folder: Path, log_dir: Path) -> dict:
    ports = launcher.Ports.free(portal=True)
    results: dict = {}
    with launcher.servers(ports, log_dir=log_dir) as stack, \
            bare_server(bare_folder, log_dir / "bare.log") as (bare, bare_proc):
        bots = {"assistant": stack.rasa, "bare": bare}
        for name, base in bots.items():  # warm-up: first requests load lazy parts
            asyncio.run(sequential(base, f"warm-{name}", 12))
        for name, base in bots.items():
            results[(name, "seq")] = asyncio.run(sequential(base, f"seq-{name}", args.n))
        for name, base in bots.items():
            results[(name, "long")] = asyncio.run(long_conversation(base, name, args.turns))
        for citizens in (10, 50):
            for name, base in bots.items():
                results[(name, citizens)] = asyncio.run(
                    concurrent(base, f"c{citizens}-{name}", citizens, args.seconds))
        results["staff_ms"] = staff_searches(stack.portal)
        results["mem"] = {"assistant rasa": memory(stack.pid("rasa")),
                          "assistant actions": memory(stack.pid("actions")),
                          "portal": memory(stack.pid("portal")),
                          "bare rasa": memory(bare_proc.pid)}
    return results


def report(run: int, r: dict, turns: int) -> dict:
    """Prints one run; returns its ratios."""
    print(f"\n=== run {run} ===")
    seq = {b: r[(b, "seq")] for b in ("assistant", "bare")}
    for b, v in seq.items():
        print(f"sequential {b:9}  n={len(v)}  p50 {statistics.median(v):6.1f}  "
              f"p95 {pct(v, 95):6.1f} ms")
    early, late = {}, {}
    for b in ("assistant", "bare"):
        v = r[(b, "long")]
        early[b], late[b] = statistics.median(v[1:11]), statistics.median(v[-10:])
        print(f"long       {b:9}  turns 2–11 {early[b]:6.1f} ms → turns {turns - 9}–{turns} "
              f"{late[b]:6.1f} ms  ({late[b] / early[b]:.2f}×)")
    for c in (10, 50):
        for b in ("assistant", "bare"):
            print(f"{c:2} senders {b:9}  {r[(b, c)].line()}")
    for name, (now, peak) in r["mem"].items():
        print(f"RSS {name:18} {now:6.0f} MB now, {peak:6.0f} MB peak")
    print(f"staff search via the portal: median {r['staff_ms']:.1f} ms")
    ratios = {
        "seq p95": pct(seq["assistant"], 95) / pct(seq["bare"], 95),
        "turn 200 / turn 2 (assistant)": late["assistant"] / early["assistant"],
        "turn 200 / turn 2 (bare)": late["bare"] / early["bare"],
        "10 senders msg/s": r[("assistant", 10)].rate / r[("bare", 10)].rate,
        "50 senders msg/s": r[("assistant", 50)].rate / r[("bare", 50)].rate,
        "10 senders p95 ms (assistant)": pct(r[("assistant", 10)].latencies or [0], 95),
        "errors (assistant)": r[("assistant", 10)].errors + r[("assistant", 50)].errors,
        "rasa+actions peak MB": r["mem"]["assistant rasa"][1] + r["mem"]["assistant actions"][1],
        "portal MB": r["mem"]["portal"][0],
    }
    print("ratios: " + "; ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    return ratios


NLU_COSTS = """
import asyncio, json, sys, time, collections
from rasa.utils.tensorflow.environment import setup_tf_environment
setup_tf_environment()  # TF threads as the servers run (rasa's command line does this)
from rasa.core.agent import Agent
from rasa.engine.graph import GraphNodeHook
spent = collections.defaultdict(float)
class Timing(GraphNodeHook):
    def on_before_node(self, node_name, execution_context, config, received_inputs):
        return {"t": time.perf_counter()}
    def on_after_node(self, node_name, execution_context, config, output, input_hook_data):
        spent[node_name] += time.perf_counter() - input_hook_data["t"]
agent = Agent.load(sys.argv[1])
for node in agent.processor.graph_runner._instantiated_nodes.values():
    node._hooks.append(Timing())
questions = json.loads(sys.argv[2])
async def main():
    for q in questions[:12]:
        await agent.parse_message(q)   # warm-up
    spent.clear()
    for i in range(int(sys.argv[3])):
        await agent.parse_message(questions[i % len(questions)])
asyncio.run(main())
print(json.dumps({k: v * 1000 / int(sys.argv[3]) for k, v in spent.items()}))
"""


def nlu_costs(model: Path, n: int = 300) -> None:
    """Per-message cost of each NLU graph node of `model` (hooks on Rasa's graph nodes)."""
    out = subprocess.run([sys.executable, "-c", NLU_COSTS, str(model),
                          json.dumps(QUESTIONS + ["你好", "谢谢", "今天天气怎么样"]), str(n)],
                         capture_output=True, text=True, check=True,
                         env={**launcher.RASA_TF_THREADS, **settings.child_env()})
    costs = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\nNLU cost per message ({model.name}, n={n}):")
    for node, ms in sorted(costs.items(), key=lambda kv: -kv[1]):
        if ms >= 0.01:
            print(f"  {node:55} {ms:6.2f} ms")
    print(f"  {'total':55} {sum(costs.values()):6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--n", type=int, default=200, help="sequential questions per bot")
    parser.add_argument("--turns", type=int, default=200, help="turns of the long conversation")
    parser.add_argument("--seconds", type=float, default=20, help="each concurrent phase")
    parser.add_argument("--skip-nlu", action="store_true")
    args = parser.parse_args()
    log_dir = settings.LOG_DIR / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    all_ratios = []
    with tempfile.TemporaryDirectory(prefix="bare-bot-") as tmp:
        folder = Path(tmp)
        bare_bot.write(folder, settings.ROOT / "data" / "nlu")
        started = time.monotonic()
        bare_model = bare_bot.train(folder, settings.child_env())
        print(f"bare bot trained in {time.monotonic() - started:.0f} s")
        for run in range(1, args.runs + 1):
            (folder / "tracker.db").unlink(missing_ok=True)
            all_ratios.append(report(run, one_run(args, folder, log_dir), args.turns))
        if not args.skip_nlu:
            nlu_costs(launcher.model_path())
            nlu_costs(bare_model)
    if len(all_ratios) > 1:
        print("\nspread over runs (min / median / max):")
        for key in all_ratios[0]:
            v = [r[key] for r in all_ratios]
            print(f"  {key:32} {min(v):7.2f} {statistics.median(v):7.2f} {max(v):7.2f}")
    train = settings.MODEL_DIR / "train_seconds"
    print(f"\nlast training of the assistant: "
          f"{train.read_text().strip() if train.exists() else 'unknown'} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
