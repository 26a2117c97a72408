"""Starts the action server and the Rasa server, waits until both answer, and stops both
cleanly on Ctrl-C. `servers()` is the same start-up for tests and benchmarks. With
LEADS_FORWARD_URL set it also runs the worker that forwards complaint leads."""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import requests

from bot import settings
from bot.train import model_path, rasa_env


PR_SET_PDEATHSIG = 1


class ServerError(RuntimeError):
    pass


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
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


def _ensure_free(port: int) -> None:
    """A server already on the port would answer our health checks in place of ours."""
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise ServerError(f"port {port} is already in use: is another `make run` running?")


def _die_with_parent() -> None:
    """Runs in the child: if the launcher is killed outright (no chance to stop its servers),
    Linux sends the server SIGTERM instead of leaving it running on the port."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    out = open(log, "ab")
    # own process group: Ctrl-C in the terminal reaches us, and we stop the group.
    return subprocess.Popen(cmd, cwd=settings.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True,
                            preexec_fn=_die_with_parent if sys.platform == "linux" else None)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def action_command(port: int) -> list[str]:
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)]


def rasa_command(port: int, host: str, model: Path, api_token: str) -> list[str]:
    cmd = [sys.executable, "-m", "rasa", "run", "--model", str(model),
           "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
           "--interface", host, "--port", str(port), "--cors", "*"]
    if api_token:  # the API reads and edits every conversation: never on without a token
        cmd += ["--enable-api", "--auth-token", api_token]
    return cmd


def web_command() -> list[str]:
    return [sys.executable, "-m", "bot.web"]


@contextlib.contextmanager
def servers(rasa_port: int = settings.RASA_PORT, actions_port: int = settings.ACTIONS_PORT,
            env_extra: dict | None = None, log_dir: Path | None = None,
            timeout: float = 240, web_port: int | None = None) -> Iterator[str]:
    """Yields the Rasa server's base URL while the servers run; the portal (widget, demo page,
    staff look-up) only when web_port is given."""
    if not model_path().exists():
        raise ServerError("no trained model: run `make train`")
    for port in (rasa_port, actions_port, web_port):
        if port:
            _ensure_free(port)
    log_dir = log_dir or settings.VAR_DIR / "logs"
    env = rasa_env()
    env.update({"SANIC_HOST": settings.BIND_HOST,
                "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook"})
    env.update(env_extra or {})
    actions = _start(action_command(actions_port), env, log_dir / "actions.log")
    rasa = web = forwarder = None
    try:
        if env.get("LEADS_FORWARD_URL"):
            forwarder = _start([sys.executable, "-m", "bot.leads.forwarder"], env,
                               log_dir / "forwarder.log")
        rasa = _start(rasa_command(rasa_port, settings.BIND_HOST, model_path(),
                                   env.get("RASA_API_TOKEN", "")), env, log_dir / "rasa.log")
        if web_port:
            web = _start(web_command(), {**env, "WEB_PORT": str(web_port),
                                         "RASA_PORT": str(rasa_port)}, log_dir / "web.log")
            _wait(f"http://127.0.0.1:{web_port}/health", web, log_dir / "web.log", timeout)
        _wait(f"http://127.0.0.1:{actions_port}/health", actions, log_dir / "actions.log", timeout)
        _wait(f"http://127.0.0.1:{rasa_port}/", rasa, log_dir / "rasa.log", timeout)
        yield f"http://127.0.0.1:{rasa_port}"
    finally:
        for proc in (web, rasa, forwarder, actions):
            if proc is not None:
                _stop(proc)


def main() -> int:
    print("starting the action server, the Rasa server and the portal (logs in var/logs/) …")
    try:
        with servers(web_port=settings.WEB_PORT) as base:
            print(f"""
赣州知识产权服务助手 is running.
  web:   http://127.0.0.1:{settings.WEB_PORT}/   (demo page with the chat widget)
  staff: http://127.0.0.1:{settings.WEB_PORT}/staff/   (needs STAFF_TOKEN)
  REST:  curl -s {base}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
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


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the servers as Ctrl-C does
    sys.exit(main())
