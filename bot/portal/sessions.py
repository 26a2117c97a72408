"""Staff sign-in sessions: a random cookie value, stored only as its SHA-256.

A session ends after 30 minutes without a request (GB/T 22239: logout after idle time) and at
the latest 12 hours after sign-in; each has its own CSRF token, which every form posts back.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, delete
from sqlalchemy.orm import Session

from knowledge.storage import Base, utcnow

IDLE = dt.timedelta(minutes=30)
LIFETIME = dt.timedelta(hours=12)
# last_seen_at is written at most this often: a page of requests is not a page of writes.
TOUCH_EVERY = dt.timedelta(seconds=60)


class StaffSession(Base):
    __tablename__ = "staff_session"
    id = Column(String(64), primary_key=True)  # SHA-256 of the cookie's value
    account_id = Column(Integer, ForeignKey("staff_account.id"), nullable=False, index=True)
    csrf = Column(String(64), nullable=False)
    ip = Column(String(64))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow, index=True)


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(s: Session, account_id: int, ip: str | None,
          now: dt.datetime) -> tuple[str, str, str]:
    """(cookie value, session id, CSRF token) of a new session."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    sid = session_id(token)
    s.add(StaffSession(id=sid, account_id=account_id, csrf=csrf, ip=ip, created_at=now,
                       last_seen_at=now))
    return token, sid, csrf


def load(s: Session, sid: str) -> StaffSession | None:
    return s.get(StaffSession, sid)


def ended(row: StaffSession, now: dt.datetime) -> str | None:
    """Why the session is over, or None while it lasts."""
    if now - row.last_seen_at > IDLE:
        return "30分钟无操作，自动退出"
    if now - row.created_at > LIFETIME:
        return "登录已超过12小时，自动退出"
    return None


def touch(row: StaffSession, now: dt.datetime) -> None:
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now


def remove(s: Session, sid: str | None) -> None:
    if sid:
        s.execute(delete(StaffSession).where(StaffSession.id == sid))


def remove_all(s: Session, account_id: int, keep: str | None = None) -> None:
    """Every session of an account (but `keep`): after a password change or a disabling."""
    query = delete(StaffSession).where(StaffSession.account_id == account_id)
    if keep:
        query = query.where(StaffSession.id != keep)
    s.execute(query.execution_options(synchronize_session=False))


def purge(s: Session, now: dt.datetime) -> int:
    """Sessions that can no longer be resumed (retention housekeeping)."""
    return s.execute(delete(StaffSession).where(
        (StaffSession.last_seen_at < now - IDLE) | (StaffSession.created_at < now - LIFETIME))
        .execution_options(synchronize_session=False)).rowcount
