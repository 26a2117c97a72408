"""Starts the action server, the Rasa server, the portal and (when asked) the leads forwarder,
waits until each answers, and stops them all. `make run`, the tests and the benches start the
servers the same way, through `servers()`; tests and benches on free ports (`Ports.free()`).

Every server runs in its own process group and dies with its launcher (PR_SET_PDEATHSIG), so a
killed `make run` or test leaves nothing listening on its ports.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import requests

from bot import settings
from bot.launcher.train import model_path

PR_SET_PDEATHSIG = 1


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    """A port nothing listens on now (the OS picks it), for tests and benches."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Ports:
    rasa: int
    actions: int
    portal: int | None = None  # None: no portal

    @classmethod
    def configured(cls) -> "Ports":
        return cls(settings.RASA_PORT, settings.ACTIONS_PORT, settings.WEB_PORT)

    @classmethod
    def free(cls, portal: bool = False) -> "Ports":
        return cls(free_port(), free_port(), free_port() if portal else None)


@dataclass
class Stack:
    """The running servers: where they answer, and their logs."""
    ports: Ports
    logs: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def actions(self) -> str:
        return f"http://127.0.0.1:{self.ports.actions}"

    @property
    def portal(self) -> str | None:
        return f"http://127.0.0.1:{self.ports.portal}" if self.ports.portal else None

    def pid(self, name: str) -> int:
        """The process id of one server: "rasa", "actions", "portal" or "forwarder"."""
        return self.procs[name].pid


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"{url} exited with {proc.returncode}; see {log}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise ServerError(f"{url} did not answer within {timeout:.0f} s; see {log}")


def ensure_free(port: int) -> None:
    """A server already on the port would answer our health checks in place of ours."""
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise ServerError(f"port {port} is already in use: is another `make run` running?")


def _die_with_parent() -> None:
    """Runs in the child: if the launcher is killed outright (no chance to stop its servers),
    Linux sends the server SIGTERM instead of leaving it running on the port."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _as_user(name: str):
    """Runs in the child: becomes `name`, then asks to die with the launcher (a change of user
    clears that request, so it comes after)."""
    account = pwd.getpwnam(name)

    def become() -> None:
        os.setgid(account.pw_gid)
        os.initgroups(name, account.pw_gid)
        os.setuid(account.pw_uid)
        _die_with_parent()
    return become


def spawn(cmd: list[str], env: dict, log: Path, cwd: Path | None = None,
          user: str | None = None) -> subprocess.Popen:
    """Starts a server writing to `log`, in its own process group, dying with its launcher;
    as `user` when given (the launcher runs as root)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    prepare = _as_user(user) if user else _die_with_parent
    with open(log, "ab") as out:  # the child has its own copy of the descriptor
        # own process group: Ctrl-C in the terminal reaches us, and we stop the group.
        return subprocess.Popen(cmd, cwd=cwd or settings.ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=prepare if sys.platform == "linux" else None)


def terminate(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stops the server's process group with `sig`, SIGKILL after 15 s."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# TensorFlow's thread pools for the Rasa server: DIET's matrices are small, and on a shared
# 2-core machine one thread each parses a message about 1 ms faster (7.4 → 6.3 ms) and leaves
# the other core to the action server. Set either variable to override.
RASA_TF_THREADS = {"TF_INTER_OP_PARALLELISM_THREADS": "1",
                   "TF_INTRA_OP_PARALLELISM_THREADS": "1"}


def action_command(port: int) -> list[str]:
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)]


def rasa_command(port: int, host: str, model: Path, api_token: str) -> list[str]:
    cmd = [sys.executable, "-m", "rasa", "run", "--model", str(model),
           "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
           "--interface", host, "--port", str(port), "--cors", "*"]
    if api_token:  # the API reads and edits every conversation: never on without a token
        cmd += ["--enable-api", "--auth-token", api_token]
    return cmd


@contextlib.contextmanager
def servers(ports: Ports | None = None, env: dict[str, str] | None = None,
            log_dir: Path | None = None, api_token: str | None = None,
            forward_leads: bool | None = None, timeout: float = 240) -> Iterator[Stack]:
    """The servers, running until the block ends. `env`: extra variables for the children
    (they read their settings from it); `api_token`: turns Rasa's HTTP API on (default:
    RASA_API_TOKEN); `forward_leads`: run the forwarder (default: when LEADS_FORWARD_URL is
    set, here or in `env`)."""
    if not model_path().exists():
        raise ServerError("no trained model: run `make train`")
    ports = ports or Ports.configured()
    for port in (ports.rasa, ports.actions, ports.portal):
        if port:
            ensure_free(port)
    stack = Stack(ports, log_dir or settings.LOG_DIR)
    child = settings.child_env(SANIC_HOST=settings.BIND_HOST,
                               ACTION_ENDPOINT_URL=f"{stack.actions}/webhook", **(env or {}))
    if api_token is None:
        api_token = settings.rasa_api_token()
    if forward_leads is None:
        forward_leads = bool(child.get("LEADS_FORWARD_URL"))
    started = stack.procs
    try:
        started["actions"] = spawn(action_command(ports.actions), child,
                                    stack.logs / "actions.log")
        if forward_leads:
            started["forwarder"] = spawn([sys.executable, "-m", "bot", "forwarder"], child,
                                          stack.logs / "forwarder.log")
        started["rasa"] = spawn(rasa_command(ports.rasa, settings.BIND_HOST, model_path(),
                                             api_token), {**RASA_TF_THREADS, **child},
                                stack.logs / "rasa.log")
        if ports.portal:
            started["portal"] = spawn(
                [sys.executable, "-m", "bot", "portal"],
                {**child, "WEB_PORT": str(ports.portal), "RASA_PORT": str(ports.rasa)},
                stack.logs / "portal.log")
            wait_until_up(f"{stack.portal}/health", started["portal"],
                          stack.logs / "portal.log", timeout)
        wait_until_up(f"{stack.actions}/health", started["actions"],
                      stack.logs / "actions.log", timeout)
        wait_until_up(f"{stack.rasa}/", started["rasa"], stack.logs / "rasa.log", timeout)
        yield stack
    finally:
        for name in ("portal", "rasa", "forwarder", "actions"):
            if name in started:
                terminate(started[name])


def run() -> int:
    """`make run`: everything on localhost until Ctrl-C (or SIGTERM)."""
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the servers as Ctrl-C does
    print("starting the action server, the Rasa server and the portal (logs in var/logs/) …")
    try:
        with servers() as stack:
            print(f"""
赣州知识产权服务助手 is running.
  web:   {stack.portal}/   (demo page with the chat widget)
  staff: {stack.portal}/staff/   (first administrator: python -m bot staff create-admin …)
  REST:  curl -s {stack.rasa}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
           -d '{{"sender": "me", "message": "专利费减的条件是什么"}}'
  shell: make shell      (rasa shell against the same action server)
Ctrl-C stops them all.""", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    except ServerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print("stopped.")
    return 0


def _interrupt(*_):
    raise KeyboardInterrupt
