"""Rasa plug-in: the lock store Rasa uses, chosen by LOCK_STORE_URL alone.

endpoints.yml names this class; unset → in-memory locks (one Rasa process, the embedded
default); redis://… → Redis locks, needed as soon as there are several Rasa processes
(replicas or SANIC_WORKERS > 1), so that two messages of one conversation never interleave.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

from bot import settings


class LockStoreFromEnv:
    def __new__(cls, endpoint_config=None) -> LockStore:  # noqa: ARG003 (Rasa passes it)
        url = settings.lock_store_url()
        if not url:
            return InMemoryLockStore()
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss"):
            raise ValueError(f"LOCK_STORE_URL must be redis:// or rediss://, not {parts.scheme}")
        return RedisLockStore(
            host=parts.hostname or "localhost", port=parts.port or 6379,
            db=int(parts.path.strip("/") or 0), password=parts.password,
            use_ssl=parts.scheme == "rediss", key_prefix="ganzhou-ip",
        )
