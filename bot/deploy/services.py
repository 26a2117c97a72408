"""PostgreSQL, Redis and nginx as the production shape runs them: each a foreground process the
shape supervises, with its data and generated configuration in a folder of its own (var/prod/
for `make prod-up`, a temporary folder for tests), listening on 127.0.0.1 only.

Run as root (CI, a fresh server), PostgreSQL runs as Debian's `postgres` user (it refuses root)
and nginx's workers as `www-data`; run as a developer, everything runs as that developer.
Passwords and tokens are generated once per folder into secrets.json (mode 600).
"""
from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import secrets
import signal
import socket
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bot.deploy import packages

TEMPLATES = Path(__file__).resolve().parent / "templates"
APP_ROLE = "ganzhou"
APP_DB = "ganzhou_app"
TRACKER_DB = "ganzhou_tracker"


def render(template: str, **values: object) -> str:
    """{{name}} placeholders (nginx's own syntax uses $, so string.Template would not do)."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    missing = set(re.findall(r"\{\{(\w+)\}\}", text)) - set(values)
    if missing:
        raise KeyError(f"{template}: no value for {', '.join(sorted(missing))}")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: str(values[m.group(1)]), text)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Secrets:
    """Generated once per folder, kept in secrets.json (readable by its owner only)."""
    # Staff have personal accounts (`python -m bot prod staff create-admin …`), no shared key.
    NAMES = ("postgres_admin", "postgres_app", "redis", "rasa_api_token")

    def __init__(self, folder: Path) -> None:
        self.path = folder / "secrets.json"
        folder.mkdir(parents=True, exist_ok=True)
        values = json.loads(self.path.read_text()) if self.path.exists() else {}
        changed = False
        for name in self.NAMES:
            if name not in values:
                values[name] = secrets.token_urlsafe(24)
                changed = True
        if changed:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(values, out, indent=1)
        self.values = values

    def __getitem__(self, name: str) -> str:
        return self.values[name]


def _reachable_by(user: pwd.struct_passwd, path: Path) -> bool:
    """Whether `user` may enter every folder on the way to `path` (mode bits; no ACLs)."""
    for folder in [*reversed(path.parents), path]:
        if not folder.exists():
            break
        st = folder.stat()
        if st.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid == user.pw_gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def run_as(user: str | None) -> list[str]:
    """The prefix that runs a one-off command as `user` (setpriv execs it)."""
    if user is None:
        return []
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--"]


@dataclass
class Proc:
    """What the shape needs to run one server."""
    name: str
    command: list[str]
    log: Path
    stop_signal: int = signal.SIGTERM
    cwd: Path | None = None
    user: str | None = None  # None: the launcher's own
    defaults: dict | None = None  # environment variables the shape's environment may override


class PostgreSQL:
    """One cluster: the application database and Rasa's tracker database, owned by one role."""

    def __init__(self, folder: Path, port: int, keys: Secrets) -> None:
        self.port, self.keys = port, keys
        self.user = "postgres" if os.geteuid() == 0 else None  # it refuses to run as root
        self.data = folder / "pg"
        if self.user and not _reachable_by(pwd.getpwnam(self.user), folder):
            # e.g. a clone inside root's home or a mktemp folder (mode 700): the postgres user
            # cannot enter it, so its data goes where it can, named after this folder.
            tag = hashlib.sha1(str(folder).encode()).hexdigest()[:12]
            self.data = Path("/var/lib/postgresql/ganzhou-ip") / tag
        self.log = folder / "logs" / "postgres.log"

    def url(self, database: str = APP_DB, admin: bool = False) -> str:
        who = f"postgres:{self.keys['postgres_admin']}" if admin else \
            f"{APP_ROLE}:{self.keys['postgres_app']}"
        return f"postgresql://{who}@127.0.0.1:{self.port}/{database}"

    def prepare(self) -> None:
        """initdb once: password authentication over TCP on loopback, no Unix socket."""
        if (self.data / "PG_VERSION").exists():
            return
        bin_dir = packages.postgres_bin()
        self.data.mkdir(parents=True, exist_ok=True)
        pwfile = self.data.parent / f".{self.data.name}.pw"
        pwfile.write_text(self.keys["postgres_admin"] + "\n")
        if self.user:
            owner = pwd.getpwnam(self.user)
            for path in (self.data, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        os.chmod(self.data, 0o700)
        try:
            done = subprocess.run(
                run_as(self.user) + [str(bin_dir / "initdb"), "-D", str(self.data),
                                     "-U", "postgres", f"--pwfile={pwfile}",
                                     "--auth-host=scram-sha-256", "--auth-local=reject",
                                     "-E", "UTF8", "--locale=C.UTF-8"],
                capture_output=True, text=True, cwd="/")
        finally:
            pwfile.unlink()
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr or done.stdout}")

    def proc(self) -> Proc:
        return Proc("postgres", [
            str(packages.postgres_bin() / "postgres"), "-D", str(self.data),
            "-c", "listen_addresses=127.0.0.1", "-c", f"port={self.port}",
            "-c", "unix_socket_directories=", "-c", "max_connections=300",
            "-c", "shared_buffers=128MB", "-c", "logging_collector=off"],
            self.log, stop_signal=signal.SIGINT, cwd=Path("/"),  # SIGINT: fast shutdown
            user=self.user)

    def ready(self) -> bool:
        import psycopg2
        try:
            psycopg2.connect(self.url("postgres", admin=True), connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            return False

    def provision(self) -> None:
        """The application role and its two databases, made once."""
        import psycopg2
        conn = psycopg2.connect(self.url("postgres", admin=True))
        conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,))
                if cur.fetchone() is None:
                    cur.execute(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD %s",
                                (self.keys["postgres_app"],))
                for name in (APP_DB, TRACKER_DB):
                    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                    if cur.fetchone() is None:
                        cur.execute(f"CREATE DATABASE {name} OWNER {APP_ROLE}")
        finally:
            conn.close()

    def create_database(self, name: str) -> str:
        """A new empty database owned by the application role (for tests); its URL."""
        import psycopg2
        conn = psycopg2.connect(self.url("postgres", admin=True))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cur.execute(f'CREATE DATABASE "{name}" OWNER {APP_ROLE}')
        finally:
            conn.close()
        return self.url(name)


class Redis:
    """Rasa's lock store: in memory, password-protected, nothing persisted."""

    def __init__(self, folder: Path, port: int, keys: Secrets) -> None:
        self.port, self.keys = port, keys
        self.dir = folder / "redis"
        self.conf = folder / "redis.conf"
        self.log = folder / "logs" / "redis.log"

    def url(self) -> str:
        return f"redis://:{self.keys['redis']}@127.0.0.1:{self.port}/0"

    def prepare(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(render("redis.conf", port=self.port, password=self.keys["redis"],
                                    dir=self.dir))
        os.chmod(self.conf, 0o600)  # it holds the password

    def proc(self) -> Proc:
        return Proc("redis", [str(packages.redis_server()), str(self.conf)], self.log)

    def ready(self) -> bool:
        import redis
        try:
            return bool(redis.Redis.from_url(self.url(), socket_timeout=2).ping())
        except redis.RedisError:
            return False


@dataclass(frozen=True)
class Limits:
    """Requests per second and burst per client on the public entry (README, "Deploying
    bigger"): a person types a message every few seconds; the bursts cover quick button taps
    and WeChat's three retries."""
    chat_rate: int = 2
    chat_burst: int = 10
    wechat_rate: int = 1
    wechat_burst: int = 5
    ratings_rate: int = 2
    ratings_burst: int = 10


class Nginx:
    def __init__(self, folder: Path, public: int, internal: int, actions_lb: int,
                 rasa: tuple[int, ...], actions: tuple[int, ...], portal: int,
                 limits: Limits = Limits()) -> None:
        self.dir = folder / "nginx"
        self.conf = folder / "nginx.conf"
        self.public, self.internal, self.actions_lb = public, internal, actions_lb
        self.rasa, self.actions, self.portal, self.limits = rasa, actions, portal, limits

    @property
    def access_log(self) -> Path:
        return self.dir / "access.log"

    def prepare(self) -> None:
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        # As root the master keeps root and the workers drop to www-data; they open no file.
        user = "user www-data;" if os.geteuid() == 0 else "# workers run as the invoking user"

        def servers(ports: tuple[int, ...]) -> str:
            return "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"
                             for p in ports)
        self.conf.write_text(render(
            "nginx.conf", user_line=user, dir=self.dir, public=self.public,
            internal=self.internal, actions_lb=self.actions_lb, portal=self.portal,
            rasa_servers=servers(self.rasa), action_servers=servers(self.actions),
            **vars(self.limits)))
        done = subprocess.run(self._base() + ["-t"], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"nginx refuses {self.conf}: {done.stderr}")

    def _base(self) -> list[str]:
        return [str(packages.nginx()), "-p", str(self.dir), "-c", str(self.conf),
                "-e", str(self.dir / "error.log")]

    def proc(self) -> Proc:
        return Proc("nginx", self._base(), self.dir / "nginx.log")

    def ready(self) -> bool:
        return all(port_open(p) for p in (self.public, self.internal, self.actions_lb))
