"""Rasa plug-in: the lock store Rasa uses, chosen by LOCK_STORE_URL alone.

endpoints.yml names this class; unset → in-memory locks (one Rasa process, the embedded
default); redis://… → Redis locks, needed as soon as there are several Rasa processes
(replicas or SANIC_WORKERS > 1), so that two messages of one conversation never interleave.

With Redis down Rasa's REST channel answers 200 with no messages (the lock error is only
logged), so a message waits up to a tracker store's PATIENCE for Redis to answer again (a
restart) before Rasa tries for its lock.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator
from urllib.parse import urlsplit

import redis
from rasa.core.lock_store import (LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore,
                                  TicketLock)

from bot import settings
from bot.tracker_store import PATIENCE

logger = logging.getLogger(__name__)


class PatientRedisLockStore(RedisLockStore):
    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[TicketLock]:
        await self._reachable()
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock

    async def _reachable(self) -> None:
        delay, waited = 0.25, 0.0
        while waited < PATIENCE:
            try:
                self.red.ping()
                return
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as err:
                logger.warning("lock store: Redis unreachable (%s); trying again in %.2f s",
                               type(err).__name__, delay)
                await asyncio.sleep(delay)  # other conversations' messages wait too
                waited += delay
                delay = min(2.0, delay * 2)


class LockStoreFromEnv:
    def __new__(cls, endpoint_config=None) -> LockStore:  # noqa: ARG003 (Rasa passes it)
        url = settings.lock_store_url()
        if not url:
            return InMemoryLockStore()
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss"):
            raise ValueError(f"LOCK_STORE_URL must be redis:// or rediss://, not {parts.scheme}")
        return PatientRedisLockStore(
            host=parts.hostname or "localhost", port=parts.port or 6379,
            db=int(parts.path.strip("/") or 0), password=parts.password,
            use_ssl=parts.scheme == "rediss", key_prefix="ganzhou-ip",
        )
