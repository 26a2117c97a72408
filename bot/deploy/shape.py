"""The production shape on one machine, started in order and supervised:

    PostgreSQL (application + tracker databases) → Redis (lock store) → `python -m bot kb`
    (migrations and knowledge, once) → two action servers → nginx → two Rasa servers → the
    portal → the leads forwarder

Citizens reach nginx's public entry only; staff its internal entry; Rasa reaches the action
servers through nginx's third entry. A server that dies is started again (as Kubernetes
restarts a container), so killing one recovers without manual steps; `stop(name)`/`start(name)`
hold one down on purpose (the fault runs of bench/load.py).

Every process is started from the supervisor's own thread: servers die with the thread that
started them (PR_SET_PDEATHSIG), and that thread lives exactly as long as the shape.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import requests

from bot import settings
from bot.deploy import packages
from bot.deploy.services import (TRACKER_DB, Limits, Nginx, PostgreSQL, Proc, Redis, Secrets,
                                 port_open)
from bot.launcher.servers import (RASA_TF_THREADS, ServerError, action_command, free_port,
                                  rasa_command, spawn, terminate)
from bot.launcher.train import model_path

REPLICAS = 2
RESTART_DELAY = 1.0  # seconds; doubled while a server keeps dying right after its start
RESTART_DELAY_MAX = 30.0


@dataclass(frozen=True)
class Layout:
    """Every port of the shape. Only `public` and `internal` are meant to be reached."""
    public: int
    internal: int
    actions_lb: int
    portal: int
    rasa: tuple[int, ...]
    actions: tuple[int, ...]
    postgres: int
    redis: int

    @classmethod
    def configured(cls) -> "Layout":
        base = settings.PROD_PORT_BASE
        return cls(settings.PROD_PUBLIC_PORT, settings.PROD_INTERNAL_PORT, base + 54, base + 80,
                   tuple(base + 5 + i for i in range(REPLICAS)),
                   tuple(base + 55 + i for i in range(REPLICAS)), base + 432, base + 379)

    @classmethod
    def free(cls) -> "Layout":
        return cls(free_port(), free_port(), free_port(), free_port(),
                   tuple(free_port() for _ in range(REPLICAS)),
                   tuple(free_port() for _ in range(REPLICAS)), free_port(), free_port())

    def all(self) -> list[int]:
        return [self.public, self.internal, self.actions_lb, self.portal, *self.rasa,
                *self.actions, self.postgres, self.redis]


@dataclass
class Event:
    at: float
    name: str
    what: str


@dataclass
class Shape:
    layout: Layout
    folder: Path
    keys: Secrets
    postgres: PostgreSQL
    redis: Redis
    nginx: Nginx
    env: dict[str, str]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    specs: dict[str, Proc] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    _held: set[str] = field(default_factory=set)
    _started: dict[str, float] = field(default_factory=dict)
    _requests: "queue.Queue" = field(default_factory=queue.Queue)
    _closing: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    # -- where things are ------------------------------------------------------------------
    @property
    def public(self) -> str:
        return f"http://127.0.0.1:{self.layout.public}"

    @property
    def internal(self) -> str:
        return f"http://127.0.0.1:{self.layout.internal}"

    def rasa(self, i: int) -> str:
        """Replica i's own address (loopback, behind nginx): for tests that pick a replica."""
        return f"http://127.0.0.1:{self.layout.rasa[i]}"

    def actions(self, i: int) -> str:
        return f"http://127.0.0.1:{self.layout.actions[i]}"

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    @property
    def names(self) -> list[str]:
        return list(self.specs)

    def pid(self, name: str) -> int:
        return self.procs[name].pid

    # -- supervision -----------------------------------------------------------------------
    def _log(self, name: str, what: str) -> None:
        self.events.append(Event(time.time(), name, what))
        with open(self.logs / "supervisor.log", "a", encoding="utf-8") as out:
            out.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {name}: {what}\n")

    def _in_supervisor(self, fn: Callable[[], object]) -> object:
        if threading.current_thread() is self._thread:
            return fn()
        done: concurrent.futures.Future = concurrent.futures.Future()
        self._requests.put((fn, done))
        return done.result()

    def _spawn(self, name: str) -> None:
        spec = self.specs[name]
        self.procs[name] = spawn(spec.command, {**(spec.defaults or {}), **self.env}, spec.log,
                                 cwd=spec.cwd, user=spec.user)
        self._started[name] = time.monotonic()

    def _supervise(self) -> None:
        delay: dict[str, float] = {}
        due: dict[str, float] = {}  # dead servers and when they start again
        while not self._closing.is_set():
            try:
                fn, done = self._requests.get(timeout=0.3)
                try:
                    done.set_result(fn())
                except BaseException as err:  # noqa: BLE001 (handed to the caller)
                    done.set_exception(err)
            except queue.Empty:
                pass
            now = time.monotonic()
            for name, proc in list(self.procs.items()):
                if name in self._held or proc.poll() is None:
                    due.pop(name, None)
                    continue
                if name not in due:  # just died; a server that keeps dying waits longer
                    quick = now - self._started.get(name, 0) < 10
                    delay[name] = min(RESTART_DELAY_MAX, delay.get(name, RESTART_DELAY) * 2) \
                        if quick else RESTART_DELAY
                    due[name] = now + delay[name]
                    self._log(name, f"exited with {proc.returncode}; restarting in "
                                    f"{delay[name]:.0f} s")
                elif now >= due[name]:
                    del due[name]
                    self._spawn(name)
                    self._log(name, f"restarted (pid {self.procs[name].pid})")

    # -- what tests and benches do -----------------------------------------------------------
    def ready(self, name: str) -> bool:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return False
        if name == "postgres":
            return self.postgres.ready()
        if name == "redis":
            return self.redis.ready()
        if name == "nginx":
            return self.nginx.ready()
        url = {"portal": f"http://127.0.0.1:{self.layout.portal}/health"}.get(name)
        if name.startswith("rasa-"):
            url = self.rasa(int(name[5:]) - 1) + "/"
        elif name.startswith("actions-"):
            url = self.actions(int(name[8:]) - 1) + "/health"
        if url is None:  # the forwarder: no HTTP; alive is all there is
            return True
        try:
            return requests.get(url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def wait_ready(self, names: list[str] | None = None, timeout: float = 300) -> float:
        """Seconds until every one of `names` (default: all) answers; ServerError after
        `timeout`."""
        names = names or self.names
        started = time.monotonic()
        while True:
            waiting = [n for n in names if not self.ready(n)]
            if not waiting:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise ServerError(f"not ready after {timeout:.0f} s: {', '.join(waiting)}; "
                                  f"see {self.logs}")
            time.sleep(0.5)

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash would: the supervisor starts it again."""
        self._log(name, "killed (SIGKILL)")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].pid, signal.SIGKILL)

    def stop(self, name: str) -> None:
        """Stops it and keeps it stopped until `start(name)`."""
        self._held.add(name)
        self._log(name, "stopped on purpose")
        terminate(self.procs[name], self.specs[name].stop_signal)

    def start(self, name: str) -> None:
        self._in_supervisor(lambda: self._spawn(name))
        self._held.discard(name)
        self._log(name, "started again")

    def restarts(self, name: str) -> int:
        return sum(1 for e in self.events if e.name == name and e.what.startswith("restarted"))

    def _start(self, name: str, spec: Proc) -> None:
        self.specs[name] = spec
        self._in_supervisor(lambda: self._spawn(name))

    def _stop_all(self) -> None:
        order = ["nginx", *[n for n in self.procs if n.startswith("rasa-")], "portal",
                 "forwarder", *[n for n in self.procs if n.startswith("actions-")],
                 "redis", "postgres"]
        self._held.update(self.procs)
        for name in order:
            if name in self.procs:
                terminate(self.procs[name], self.specs[name].stop_signal)


@contextlib.contextmanager
def production(folder: Path | None = None, layout: Layout | None = None,
               env: dict[str, str] | None = None, limits: Limits = Limits(),
               timeout: float = 400) -> Iterator[Shape]:
    """The whole shape, running until the block ends. `folder`: its data, configuration and
    logs (default var/prod); `env`: extra settings for the Python servers (e.g. WeChat's)."""
    if not model_path().exists():
        raise ServerError("no trained model: run `make train`")
    packages.ensure()
    folder = (folder or settings.PROD_DIR).resolve()
    layout = layout or Layout.configured()
    busy = [p for p in layout.all() if port_open(p)]
    if busy:
        raise ServerError(f"ports already in use: {busy} (is the shape running? "
                          "`make prod-down`)")
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    keys = Secrets(folder)
    pg = PostgreSQL(folder, layout.postgres, keys)
    rd = Redis(folder, layout.redis, keys)
    ngx = Nginx(folder, layout.public, layout.internal, layout.actions_lb, layout.rasa,
                layout.actions, layout.portal, limits)
    child = settings.child_env(
        DATABASE_URL=pg.url(), TRACKER_DB_URL=pg.url(TRACKER_DB), LOCK_STORE_URL=rd.url(),
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{layout.actions_lb}/webhook",
        RASA_PUBLIC_URL=f"http://127.0.0.1:{layout.public}",
        PROXIES_COUNT="1",  # behind nginx: the audit log takes the client's IP from it
        SANIC_HOST="127.0.0.1", WEB_PORT=str(layout.portal), BIND_HOST="127.0.0.1",
        **(env or {}))
    shape = Shape(layout, folder, keys, pg, rd, ngx, child)
    shape._thread = threading.Thread(target=shape._supervise, name="prod-supervisor",
                                     daemon=True)
    shape._thread.start()
    logs = shape.logs
    try:
        pg.prepare()
        shape._start("postgres", pg.proc())
        shape.wait_ready(["postgres"], 60)
        pg.provision()
        rd.prepare()
        shape._start("redis", rd.proc())
        shape.wait_ready(["redis"], 30)
        # migrations and the knowledge, once, before any server (Kubernetes: the Job)
        kb = subprocess.run([sys.executable, "-m", "bot", "kb"], cwd=settings.ROOT, env=child,
                            capture_output=True, text=True)
        (logs / "kb.log").write_text(kb.stdout + kb.stderr)
        if kb.returncode != 0:
            raise ServerError(f"`python -m bot kb` failed; see {logs / 'kb.log'}")
        for i, port in enumerate(layout.actions, 1):
            shape._start(f"actions-{i}", Proc(f"actions-{i}", action_command(port),
                                              logs / f"actions-{i}.log"))
        ngx.prepare()
        shape._start("nginx", ngx.proc())
        for i, port in enumerate(layout.rasa, 1):
            shape._start(f"rasa-{i}", Proc(f"rasa-{i}", rasa_command(
                port, "127.0.0.1", model_path(), keys["rasa_api_token"]), logs / f"rasa-{i}.log",
                defaults=RASA_TF_THREADS))
        shape._start("portal", Proc("portal", [sys.executable, "-m", "bot", "portal"],
                                    logs / "portal.log"))
        shape._start("forwarder", Proc("forwarder", [sys.executable, "-m", "bot", "forwarder"],
                                       logs / "forwarder.log"))
        shape.wait_ready(timeout=timeout)
        yield shape
    finally:
        shape._stop_all()
        shape._closing.set()
        shape._thread.join(10)
