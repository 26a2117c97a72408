"""`python -m bot prod <command>` (`make prod-up`, `make prod-down`):

    install     install Debian's postgresql, redis-server and nginx when missing (as root)
    up          start the production shape in the background; returns when it answers
    down        stop it (PostgreSQL's data stays in var/prod/pg)
    status      what runs, where, and what the supervisor restarted
    serve       the shape in the foreground until Ctrl-C or SIGTERM (what `up` runs)
    manifests   validate the Kubernetes manifests in bot/deploy/k8s/ offline
    staff …     `python -m bot staff …` against the running shape's database, e.g.
                `staff create-admin lizhang --name 李章` (the first administrator)
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from bot import settings

STATE = settings.PROD_DIR / "state.json"
LOG = settings.PROD_DIR / "logs" / "prod.log"


def _state() -> dict | None:
    """The running shape's state, or None (a state file whose supervisor died is stale)."""
    if not STATE.exists():
        return None
    state = json.loads(STATE.read_text())
    try:
        os.kill(state["pid"], 0)
    except ProcessLookupError:
        return None
    return state


def _serve() -> int:
    from bot.deploy.shape import production
    stopping = []

    def stop(*_):
        stopping.append(True)
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    STATE.parent.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps({"pid": os.getpid(), "status": "starting"}))
    try:
        with production() as shape:
            STATE.write_text(json.dumps({
                "pid": os.getpid(), "status": "ready", "public": shape.public,
                "internal": shape.internal, "layout": vars(shape.layout),
                "pids": {n: p.pid for n, p in shape.procs.items()}}))
            print("ready", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    except Exception as err:  # noqa: BLE001 (the state file tells `up` what went wrong)
        STATE.write_text(json.dumps({"pid": os.getpid(), "status": "failed",
                                     "error": str(err)}))
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 1
    STATE.unlink(missing_ok=True)
    return 0


def _up() -> int:
    from bot.deploy import packages
    if _state():
        print(f"already running: {json.dumps(_state(), indent=1)}")
        return 0
    try:
        installed = packages.ensure()  # here, in the foreground, where errors are seen
    except packages.MissingPackages as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if installed:
        print(f"installed {', '.join(installed)}")
    LOG.parent.mkdir(parents=True, exist_ok=True)
    STATE.unlink(missing_ok=True)
    with open(LOG, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "prod", "serve"],
                                cwd=settings.ROOT, env=settings.child_env(), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    print("starting PostgreSQL, Redis, nginx, 2 action servers, 2 Rasa servers, the portal "
          f"and the forwarder (logs in {LOG.parent}) …", flush=True)
    while True:
        time.sleep(1)
        state = json.loads(STATE.read_text()) if STATE.exists() else {}
        if state.get("status") == "ready":
            break
        if proc.poll() is not None or state.get("status") == "failed":
            print(f"error: the shape did not start: {state.get('error', '')}; "
                  f"see {LOG}", file=sys.stderr)
            return 1
    print(f"""
The production shape is running (`make prod-down` stops it).
  citizens:  {state['public']}/   (web widget; REST and WeChat webhooks; ratings)
  staff:     {state['internal']}/staff/   (the first administrator:
               .venv/bin/python -m bot prod staff create-admin USERNAME --name 姓名)
  chat:      curl -s {state['public']}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
               -d '{{"sender": "me", "message": "专利费减的条件是什么"}}'""")
    return 0


def _down() -> int:
    state = _state()
    if state is None:
        print("not running")
        STATE.unlink(missing_ok=True)
        return 0
    os.kill(state["pid"], signal.SIGTERM)
    for _ in range(120):
        try:
            os.kill(state["pid"], 0)
        except ProcessLookupError:
            print("stopped")
            return 0
        time.sleep(0.5)
    print(f"error: the supervisor (pid {state['pid']}) did not stop in 60 s", file=sys.stderr)
    return 1


def _status() -> int:
    state = _state()
    if state is None:
        print("not running")
        return 3
    print(json.dumps(state, indent=1))
    log = settings.PROD_DIR / "logs" / "supervisor.log"
    if log.exists():
        print("supervisor:\n" + "".join(log.read_text().splitlines(True)[-10:]))
    return 0


def _staff(rest: list[str]) -> int:
    """Staff accounts on the shape's application database (its PostgreSQL must be up)."""
    from bot.deploy.services import APP_DB, PostgreSQL, Secrets
    state = _state()
    if state is None or state.get("status") != "ready":
        print("error: the shape is not running (`make prod-up`)", file=sys.stderr)
        return 1
    url = PostgreSQL(settings.PROD_DIR, state["layout"]["postgres"],
                     Secrets(settings.PROD_DIR)).url(APP_DB)
    return subprocess.call([sys.executable, "-m", "bot", "staff", *rest], cwd=settings.ROOT,
                           env=settings.child_env(DATABASE_URL=url))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot prod")
    parser.add_argument("command", choices=["install", "up", "down", "status", "serve",
                                            "manifests", "staff"])
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "staff":
        return _staff(args.rest)
    if args.command == "install":
        from bot.deploy import packages
        try:
            installed = packages.ensure()
        except packages.MissingPackages as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(f"installed: {', '.join(installed)}" if installed else "all installed")
        return 0
    if args.command == "manifests":
        from bot.deploy.manifests import main as validate
        return validate()
    return {"up": _up, "down": _down, "status": _status, "serve": _serve}[args.command]()
