"""What the WeChat channel keeps in the application database, so that every Rasa replica
sees the same: messages already taken (WeChat retries), the numbered options each user was
last shown with the answer they may rate (好差评, wechat_rating.py), and the access token (fetching a new one elsewhere would invalidate ours). The
messages waiting for the customer-service API are in wechat_outbox.py.

Every method is blocking (one transaction each); the channel calls them off the event loop.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text, delete, select, update

from bot.channels import wechat_outbox
from knowledge.storage import Base, Database, insert_or_ignore, upsert, utcnow

EPOCH = dt.datetime(1970, 1, 1)

KEEP_MESSAGES = dt.timedelta(hours=1)  # WeChat retries within 15 s; replays are refused at 300 s
PRUNE_EVERY = 600  # seconds


class WeChatMessage(Base):
    """One incoming message (MsgId, or user + time for events): the key makes a retry a no-op."""
    __tablename__ = "wechat_message"
    key = Column(String(160), primary_key=True)
    state = Column(String(8), nullable=False)  # running | passive | pushed
    # the passive reply, repeated to a retry: WeChat retries only when it did not receive it
    reply = Column(Text)
    created_at = Column(DateTime, nullable=False, index=True)


def pseudonym(openid: str) -> str:
    """What stores outside the channel keep instead of an OpenID (the ratings): a hash that
    links one user's rows and is found again from the OpenID (a PIPL request finds the OpenID
    as the conversation's sender id in the tracker store), but names nobody by itself."""
    return "wx-" + hashlib.sha256(b"wechat-openid:" + openid.encode("utf-8")).hexdigest()[:40]


class WeChatOption(Base):
    """What the user was shown last: the payloads of the numbered options ("1" sends
    payloads[0]) and, when that turn was an answer from the knowledge base, the answer they
    may rate (answer_ref names it in answer_rating.message_id; menu_ref is in its rating
    links' msgmenuid) and, once rated, the rating (a comment may follow it)."""
    __tablename__ = "wechat_option"
    openid = Column(String(64), primary_key=True)
    payloads = Column(JSON, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    answer_ref = Column(String(64))
    answer_hash = Column(String(64))  # ratings.text_hash of the answer's text
    answer_id = Column(String(96))  # the knowledge base's id of the answer
    menu_ref = Column(String(16))
    rating_id = Column(Integer)  # answer_rating.id once the answer is rated


@dataclass(frozen=True)
class Rateable:
    """The latest answer a user may rate."""
    ref: str
    text_hash: str
    answer_id: str | None
    menu_ref: str
    rating_id: int | None = None


class WeChatToken(Base):
    __tablename__ = "wechat_token"
    app_id = Column(String(64), primary_key=True)
    token = Column(String(512), nullable=False)
    expires_at = Column(DateTime, nullable=False)  # UTC, already minus the refresh margin


class WeChatStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._pruned = 0.0
        self._prune_lock = threading.Lock()

    # -- messages -------------------------------------------------------------------------
    def claim(self, key: str) -> WeChatMessage | None:
        """None when this call took the message; else the row of whoever took it first."""
        self._prune()
        with self.db.transaction() as s:
            if insert_or_ignore(s, WeChatMessage, ["key"],
                                {"key": key, "state": "running", "created_at": utcnow()}):
                return None
            return s.execute(select(WeChatMessage).where(WeChatMessage.key == key)).scalar_one()

    def finish(self, key: str, state: str, reply: str | None = None,
               later: wechat_outbox.Queued | None = None) -> None:
        """Records the turn's outcome and queues the messages sent `later` by the
        customer-service API in the same transaction: answered means queued."""
        with self.db.transaction() as s:
            s.execute(update(WeChatMessage).where(WeChatMessage.key == key)
                      .values(state=state, reply=reply))
            if later is not None and later.chunks:
                wechat_outbox.queue(s, later)

    def _prune(self) -> None:
        now = time.monotonic()
        with self._prune_lock:
            if now - self._pruned < PRUNE_EVERY:
                return
            self._pruned = now
        with self.db.transaction() as s:
            s.execute(delete(WeChatMessage)
                      .where(WeChatMessage.created_at < utcnow() - KEEP_MESSAGES))

    # -- numbered options -----------------------------------------------------------------
    def save_options(self, openid: str, payloads: list[str],
                     answer: Rateable | None = None, keep_answer: bool = False) -> None:
        """Every bot turn replaces the options: a number refers to the latest list only, and
        a rating to the latest turn's answer only (None: that turn was no answer to rate) —
        except a turn that explained how to rate (`keep_answer`): the answer before it, and
        its rating if given, stay."""
        values = {"payloads": payloads, "updated_at": utcnow()}
        if not keep_answer:
            values.update({
                "answer_ref": answer and answer.ref, "answer_hash": answer and answer.text_hash,
                "answer_id": answer and answer.answer_id,
                "menu_ref": answer and answer.menu_ref, "rating_id": None})
        with self.db.transaction() as s:
            upsert(s, WeChatOption, {"openid": openid}, values)

    def rateable(self, openid: str) -> Rateable | None:
        with self.db.session() as s:
            row = s.get(WeChatOption, openid)
            if row is None or not row.answer_ref:
                return None
            return Rateable(row.answer_ref, row.answer_hash, row.answer_id, row.menu_ref,
                            row.rating_id)

    def rated(self, openid: str, answer_ref: str, rating_id: int) -> None:
        """Remembers the rating of the answer (a comment may follow), unless a newer turn
        replaced the answer meanwhile."""
        with self.db.transaction() as s:
            s.execute(update(WeChatOption).where(WeChatOption.openid == openid,
                                                 WeChatOption.answer_ref == answer_ref)
                      .values(rating_id=rating_id))

    def option(self, openid: str, number: int) -> str | None:
        with self.db.session() as s:
            payloads = s.execute(select(WeChatOption.payloads)
                                 .where(WeChatOption.openid == openid)).scalar()
        if payloads and 1 <= number <= len(payloads):
            return payloads[number - 1]
        return None

    # -- access token ---------------------------------------------------------------------
    def load_token(self, app_id: str) -> tuple[str, float] | None:
        """(token, expiry as epoch seconds), or None."""
        with self.db.session() as s:
            row = s.get(WeChatToken, app_id)
            if row is None or not row.token:
                return None
            return row.token, _epoch(row.expires_at)

    def token(self, app_id: str, usable: Callable[[tuple[str, float] | None], bool],
              fetch: Callable[[], tuple[str, float]]) -> tuple[str, float]:
        """The stored token when `usable`, else a new one from `fetch()`, stored. The row is
        locked meanwhile, so replicas needing a token at the same moment fetch it once: the
        second finds the first's (fetching again would retire it a few minutes later)."""
        with self.db.transaction() as s:
            # the row must exist to be locked; on SQLite this write takes the database's lock
            insert_or_ignore(s, WeChatToken, ["app_id"],
                             {"app_id": app_id, "token": "", "expires_at": EPOCH})
            row = s.execute(select(WeChatToken).where(WeChatToken.app_id == app_id)
                            .with_for_update()).scalar_one()
            stored = (row.token, _epoch(row.expires_at)) if row.token else None
            if usable(stored):
                return stored
            token, expires = fetch()
            row.token = token
            row.expires_at = dt.datetime.fromtimestamp(expires, dt.timezone.utc) \
                .replace(tzinfo=None)
            return token, expires


def _epoch(naive_utc: dt.datetime) -> float:
    return naive_utc.replace(tzinfo=dt.timezone.utc).timestamp()
