"""Debian's PostgreSQL, Redis and nginx: found where Debian installs them, installed with apt
when missing. Nothing is skipped: without apt (or root) the shape cannot run, and we say so."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bot import settings

PACKAGES = {"postgresql": "postgresql", "redis": "redis-server", "nginx": "nginx"}


class MissingPackages(RuntimeError):
    pass


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server's bin/ (Debian keeps each major version apart)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return found[-1].parent if found else None


def redis_server() -> Path | None:
    found = shutil.which("redis-server") or "/usr/bin/redis-server"
    return Path(found) if Path(found).exists() else None


def nginx() -> Path | None:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return Path(found) if Path(found).exists() else None


def missing() -> list[str]:
    """Debian package names of what is not installed."""
    have = {"postgresql": postgres_bin(), "redis": redis_server(), "nginx": nginx()}
    return [PACKAGES[name] for name, path in have.items() if path is None]


def _apt_prefix() -> list[str]:
    if not shutil.which("apt-get"):
        raise MissingPackages(
            "apt-get is not available on this machine, so the production shape cannot install "
            f"{', '.join(missing())}. Install them with the system's package manager (they "
            "are Debian's postgresql, redis-server and nginx) and run again.")
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"],
                                               capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    raise MissingPackages(
        f"{', '.join(missing())} must be installed with apt, which needs root: run "
        f"`sudo apt-get install {' '.join(missing())}` (or `make prod-up` as root) and again.")


def ensure() -> list[str]:
    """Installs what is missing; returns what it installed. Raises MissingPackages."""
    needed = missing()
    if not needed:
        return []
    prefix = _apt_prefix()
    env = settings.child_env(DEBIAN_FRONTEND="noninteractive")
    print(f"installing Debian packages: {' '.join(needed)} …", flush=True)
    for cmd in (["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", "--no-install-recommends", *needed]):
        done = subprocess.run(prefix + cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise MissingPackages(f"`{' '.join(cmd)}` failed ({done.returncode}):\n"
                                  + (done.stderr or done.stdout)[-2000:])
    still = missing()
    if still:
        raise MissingPackages(f"apt-get installed, but still missing: {', '.join(still)}")
    return needed
