"""50 simulated citizens for 60 s, mixing knowledge questions and complaint leads, against the
embedded default (one Rasa, one action server, SQLite, in-memory locks) and the production
shape (nginx, two Rasa and two action servers, PostgreSQL, Redis) in one run; then a fault run
on the production shape: one Rasa replica killed, one action server killed, PostgreSQL down
for 5 s, Redis down for 5 s, while the citizens keep talking.

    flock /work/locks/heavy.lock .venv/bin/python bench/load.py [--citizens 50] [--seconds 60]
                                                                 [--no-faults]

Each citizen is a sender of its own and, in the production shape, a client address of its own
(127.0.1.x: nginx limits the rate per address). A citizen asks a few knowledge questions, then
(every third round) files a complaint lead through the whole form; a form answer must get the
next question. When a request fails, the citizen looks up in the tracker store whether the
turn happened, and either moves on or sends the same message again: so every conversation can
be checked to continue where it was. Leads are counted in the database by the run's mark:
every ticket a citizen got must be there exactly once.
"""
from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stats import pct  # noqa: E402
from bot import settings  # noqa: E402
from bot.deploy.services import APP_DB, TRACKER_DB  # noqa: E402
from bot.deploy.shape import Layout, production  # noqa: E402
from bot.launcher.servers import Ports, servers  # noqa: E402

TICKET = re.compile(r"GZ-\d{8}-[0-9A-Z]{5}")
THINK = 0.3  # seconds a citizen takes before the next message (reading, tapping a button)
QUESTIONS = ["专利费减的条件是什么", "专利费减需要什么材料", "商标注册要多少钱", "优先审查要多久",
             "被侵权了怎么办", "专利质押怎么办理", "商标受理窗口在哪里", "预审是什么",
             "地理标志怎么申请", "知识产权维权援助怎么申请"]


def lead_steps(mark: str, phone: str) -> list[tuple[str, str]]:
    return [
        ("我要举报有人假冒我们的商标", "发生了什么"),
        (f"{mark}：有人在网店卖假冒我们注册商标的茶油", "在哪里发现"),
        ("章贡区某商场一楼", "不清楚"),
        ('/deny{"lead_step": "who"}', "证据"),
        ("有购买凭证和商品照片", "怎么称呼"),
        ("王女士", "联系电话"),
        (phone, "同意"),
        ('/affirm{"lead_step": "consent"}', "确认提交"),
        ('/affirm{"lead_step": "confirm"}', "线索编号"),
    ]


def from_ip(ip: str | None) -> requests.Session:
    session = requests.Session()
    if ip:
        class FromIP(HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                kwargs["source_address"] = (ip, 0)
                super().init_poolmanager(*args, **kwargs)
        session.mount("http://", FromIP())
    return session


@dataclass
class Run:
    """What one run measured."""
    name: str
    started: float = 0.0
    ended: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[tuple[float, str]] = field(default_factory=list)  # (time, what)
    lost_place: list[str] = field(default_factory=list)  # a form answer not followed
    tickets: dict[str, str] = field(default_factory=dict)  # ticket → sender
    leads_started: int = 0
    rss: dict[str, float] = field(default_factory=dict)  # MB, highest sample
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append((time.time(), what))


class Citizen:
    """One person: a sender of their own, talking until `until[0]` (a box the fault run moves)."""

    def __init__(self, run: Run, base: str, tracker_url: str, sender: str, ip: str | None,
                 mark: str, phone: str, until: list[float]) -> None:
        self.run, self.base, self.sender, self.mark, self.phone = run, base, sender, mark, phone
        self.http = from_ip(ip)
        # one connection each, checked before use (the database may have restarted)
        pooled = {} if tracker_url.startswith("sqlite") else {"pool_size": 1, "max_overflow": 0}
        self.tracker = create_engine(tracker_url, future=True, pool_pre_ping=True, **pooled)
        self.until = until
        self.turns = 0  # user messages the tracker holds for this sender

    def stored_turns(self) -> int | None:
        try:
            with self.tracker.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s "
                                         "AND type_name = 'user'"), {"s": self.sender}).scalar()
        except Exception:  # noqa: BLE001 (the database is down: ask again later)
            return None

    def send(self, message: str, hard_stop: float) -> str | None:
        """The bot's reply text; None when the turn happened but its reply was lost, or time
        ran out. Failures are counted; the message is sent again only if it did not arrive."""
        time.sleep(THINK)
        while time.time() < hard_stop:
            started = time.perf_counter()
            try:
                r = self.http.post(f"{self.base}/webhooks/rest/webhook", timeout=60,
                                   json={"sender": self.sender, "message": message})
                if r.status_code == 200 and r.json():
                    self.run.ok(time.perf_counter() - started)
                    self.turns += 1
                    return "\n".join(m.get("text", "") for m in r.json())
                # Rasa's REST channel answers 200 with nothing when the turn failed inside
                self.run.error(f"HTTP {r.status_code}" + ("" if r.status_code != 200
                                                          else ", no answer"))
            except requests.RequestException as err:
                self.run.error(type(err).__name__)
            time.sleep(1)
            stored = self.stored_turns()
            while stored is None and time.time() < hard_stop:
                time.sleep(1)
                stored = self.stored_turns()
            if stored == self.turns + 1:  # it got through; only the reply was lost
                self.turns += 1
                return None
        return None

    def lead(self, hard_stop: float) -> None:
        with self.run.lock:
            self.run.leads_started += 1
        reply = None
        for message, expected in lead_steps(self.mark, self.phone):
            reply = self.send(message, hard_stop)
            if reply is not None and expected not in reply:
                with self.run.lock:
                    self.run.lost_place.append(f"{self.sender} after {message[:20]!r}: "
                                               f"{reply[:60]!r}")
                return
            if time.time() >= hard_stop:
                return
        ticket = TICKET.search(reply or "")
        if ticket is None:  # the confirmation's reply was lost: a second tap shows the ticket
            ticket = TICKET.search(self.send('/affirm{"lead_step": "confirm"}', hard_stop) or "")
        if ticket:
            with self.run.lock:
                self.run.tickets[ticket.group()] = self.sender

    def live(self, rng: random.Random, hard_stop: float) -> None:
        """Knowledge questions, one complaint lead after the first or second round of three,
        then questions until the end."""
        lead_after = rng.choice([1, 2])
        rounds = 0
        while time.time() < self.until[0]:
            for _ in range(3):
                self.send(rng.choice(QUESTIONS), hard_stop)
            rounds += 1
            if rounds == lead_after and time.time() < self.until[0]:
                self.lead(hard_stop)
        self.tracker.dispose()


def phone(tag: str, i: int) -> str:
    """A mobile number of the run's own (11 digits), so its leads are told apart."""
    return f"13{int(tag[:4], 16) % 10**5:05d}{i:04d}"


def rss_mb(pid: int) -> float:
    """Resident memory of the process group `pid` leads (a server and its children)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split(")")[1].split()
            if int(fields[2]) == pid:
                total += int(fields[21]) * 4096
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


def load(run: Run, base: str, tracker_url: str, citizens: int, seconds: float, ips: bool,
         pids, tag: str) -> None:
    """`citizens` citizens for `seconds`; `pids()` gives the servers to sample for RSS."""
    rng = random.Random(7)
    run.started = time.time()
    until = [run.started + seconds]
    hard_stop = until[0] + 60  # a turn under way may finish; nothing is sent after this
    people = [Citizen(run, base, tracker_url, f"load-{tag}-{i}", f"127.0.1.{i + 1}" if ips
                      else None, f"压测{tag}第{i}号", phone(tag, i), until)
              for i in range(citizens)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(5):
            for name, pid in pids().items():
                run.rss[name] = max(run.rss.get(name, 0.0), rss_mb(pid))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with ThreadPoolExecutor(citizens) as pool:
        list(pool.map(lambda c: c.live(random.Random(rng.random()), hard_stop), people))
    run.ended = time.time()
    stop.set()
    sampler.join()


def leads_in_db(app_url: str, tag: str) -> dict[str, int]:
    engine = create_engine(app_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT ticket, count(*) FROM lead WHERE what LIKE :m "
                                 "GROUP BY ticket"), {"m": f"压测{tag}第%"}).all()
    engine.dispose()
    return {ticket: n for ticket, n in rows}


def kinds(errors: list[tuple[float, str]]) -> str:
    counted = defaultdict(int)
    for _, what in errors:
        counted[what] += 1
    return ", ".join(f"{k} ×{v}" for k, v in sorted(counted.items())) or "-"


def summary(run: Run) -> list[str]:
    wall = run.ended - run.started
    ms = [x * 1000 for x in run.latencies]
    return [run.name, f"{len(ms) / wall:.1f}", f"{pct(ms, 50):.0f}" if ms else "-",
            f"{pct(ms, 95):.0f}" if ms else "-", f"{pct(ms, 99):.0f}" if ms else "-",
            str(len(ms)), f"{len(run.errors)} ({kinds(run.errors)})"]


def check_leads(run: Run, app_url: str, tag: str) -> list[str]:
    stored = leads_in_db(app_url, tag)
    problems = [f"ticket {t} stored {stored.get(t, 0)} times" for t in run.tickets
                if stored.get(t, 0) != 1]
    problems += [f"ticket {t} stored but never given to its citizen" for t in stored
                 if t not in run.tickets]
    return problems


def embedded(args, tag: str) -> tuple[Run, list[str]]:
    folder = Path(tempfile.mkdtemp(prefix="load-embedded-"))
    app_url, tracker_url = f"sqlite:///{folder / 'app.db'}", f"sqlite:///{folder / 'tracker.db'}"
    env = {"DATABASE_URL": app_url, "TRACKER_DB_URL": tracker_url, "LOCK_STORE_URL": ""}
    subprocess.run([sys.executable, "-m", "bot", "kb"], cwd=settings.ROOT, check=True,
                   env=settings.child_env(**env), capture_output=True)
    run = Run("embedded (1 Rasa, 1 actions, SQLite)")
    with servers(Ports.free(), env=env, log_dir=folder / "logs") as stack:
        load(run, stack.rasa, tracker_url, args.citizens, args.seconds, False,
             lambda: {n: p.pid for n, p in stack.procs.items()}, tag)
    return run, check_leads(run, app_url, tag)


@dataclass
class Fault:
    name: str
    started: float
    ended: float = 0.0  # when the shape answered fully again
    recovery_s: float = 0.0


def answered(shape, timeout: float = 120) -> None:
    """Recovered means a citizen is answered again through the public entry, not only that
    every server's health check passes: a probe of its own asks until it is."""
    probe = from_ip("127.0.3.1")
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            r = probe.post(f"{shape.public}/webhooks/rest/webhook", timeout=30,
                           json={"sender": f"probe-{uuid.uuid4().hex[:8]}",
                                 "message": "专利费减的条件是什么"})
            if r.status_code == 200 and r.json():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)


def faults(shape, args, tag: str) -> tuple[Run, list[Fault], list[str]]:
    """Citizens talk for the whole fault sequence; the faults come one after another, each
    after the shape has recovered from the last and 15 s of calm."""
    run = Run("production, faults")
    done: list[Fault] = []
    calm = 15.0

    def inject() -> None:
        time.sleep(calm)
        for name, action in [("kill rasa-1", lambda: shape.kill("rasa-1")),
                             ("kill actions-1", lambda: shape.kill("actions-1")),
                             ("PostgreSQL down 5 s", lambda: pause("postgres")),
                             ("Redis down 5 s", lambda: pause("redis"))]:
            fault = Fault(name, time.time())
            action()
            time.sleep(2)  # the supervisor notices a death within a second
            shape.wait_ready(timeout=300)
            answered(shape)
            fault.ended = time.time()
            fault.recovery_s = fault.ended - fault.started
            done.append(fault)
            time.sleep(calm)

    def pause(name: str) -> None:
        shape.stop(name)
        time.sleep(5)
        shape.start(name)

    until = [float("inf")]  # the citizens talk until the last fault has passed

    def run_faults() -> None:
        inject()
        until[0] = time.time()
    injector = threading.Thread(target=run_faults)
    run.started = time.time()
    injector.start()
    rng = random.Random(11)
    hard = run.started + 900  # bounded whatever happens
    people = [Citizen(run, shape.public, shape.postgres.url(TRACKER_DB), f"fault-{tag}-{i}",
                      f"127.0.2.{i + 1}", f"压测{tag}F第{i}号", phone(tag + "F", i), until)
              for i in range(args.citizens)]
    with ThreadPoolExecutor(args.citizens) as pool:
        list(pool.map(lambda c: c.live(random.Random(rng.random()), hard), people))
    injector.join()
    run.ended = time.time()
    return run, done, check_leads(run, shape.postgres.url(APP_DB), f"{tag}F")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:6]
    print(f"{args.citizens} citizens, {args.seconds:.0f} s each run, {THINK} s between a reply "
          f"and the next message; run {tag}", flush=True)

    emb, emb_leads = embedded(args, tag + "E")
    print("embedded done", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="load-prod-"))
    with production(folder, Layout.free()) as shape:
        prod = Run("production (nginx, 2 Rasa, 2 actions, PostgreSQL, Redis)")
        load(prod, shape.public, shape.postgres.url(TRACKER_DB), args.citizens, args.seconds,
             True, lambda: {n: p.pid for n, p in shape.procs.items()}, tag + "P")
        prod_leads = check_leads(prod, shape.postgres.url(APP_DB), tag + "P")
        print("production done", flush=True)
        if not args.no_faults:
            fault_run, fault_list, fault_leads = faults(shape, args, tag)
            restarts = {n: shape.restarts(n) for n in shape.names if shape.restarts(n)}
            healthy = all(shape.ready(n) for n in shape.names)
    if shape.postgres.data.parent != folder:
        subprocess.run(["rm", "-rf", str(shape.postgres.data)], check=False)

    print("\n| run | msg/s | p50 ms | p95 ms | p99 ms | messages | errors |")
    print("|---|---|---|---|---|---|---|")
    for row in (summary(emb), summary(prod)):
        print("| " + " | ".join(row) + " |")
    for run, problems in ((emb, emb_leads), (prod, prod_leads)):
        print(f"{run.name}: leads started {run.leads_started}, tickets {len(run.tickets)}, "
              f"lead problems {len(problems)}, conversations off their place "
              f"{len(run.lost_place)}")
        print("  RSS MB: " + ", ".join(f"{n} {mb:.0f}" for n, mb in sorted(run.rss.items())))
        for p in (problems + run.lost_place)[:5]:
            print("   ", p)
    ok = not emb_leads and not prod_leads and not emb.lost_place and not prod.lost_place
    if args.no_faults:
        return 0 if ok else 1

    print("\nfault run (production shape): " + " | ".join(summary(fault_run)[1:]))
    print("| fault | recovered after s | errors during | error kinds |")
    print("|---|---|---|---|")
    outside = list(fault_run.errors)
    for f in fault_list:
        inside = [e for e in fault_run.errors if f.started <= e[0] <= f.ended]
        outside = [e for e in outside if not f.started <= e[0] <= f.ended]
        print(f"| {f.name} | {f.recovery_s:.0f} | {len(inside)} | {kinds(inside)} |")
    print(f"errors outside every fault window: {len(outside)} ({kinds(outside)})")
    print(f"leads: started {fault_run.leads_started}, tickets {len(fault_run.tickets)}, "
          f"each stored exactly once: {'yes' if not fault_leads else 'NO'}"
          f" ({len(fault_leads)} problems)")
    for p in fault_leads[:10]:
        print("   ", p)
    print(f"conversations off their place: {len(fault_run.lost_place)}")
    for p in fault_run.lost_place[:5]:
        print("   ", p)
    print(f"restarts by the supervisor: {restarts}; all servers ready at the end: {healthy}")
    ok = ok and not fault_leads and not fault_run.lost_place and not outside and healthy
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
