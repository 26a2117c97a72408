"""Personal staff accounts and their API tokens (GB/T 22239 level 2: one account per person,
password complexity and periodic change, lock-out after failed sign-ins).

Passwords are hashed with Argon2id (argon2-cffi, RFC 9106's parameters); API tokens are 256-bit
random strings, so a SHA-256 of one is enough to look it up without storing it. Nobody has a
default password: the first administrator is made on the command line (`python -m bot staff
create-admin`), everyone else by an administrator, with a one-time password the person must
change at the first sign-in. Every change is recorded in the audit log in its own transaction.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets
import string
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Integer, String, func, select,
                        update)

from bot.leads.workdays import BEIJING
from bot.portal import sessions
from bot.portal.audit import Actor, record
from bot.portal.roles import ROLES
from knowledge.storage import Base, Database, utcnow

USERNAME = re.compile(r"[a-z][a-z0-9_.-]{2,31}")
MIN_LENGTH = 10
MAX_LENGTH = 128
LOCK_AFTER = 5  # failed sign-ins in a row …
LOCK_FOR = dt.timedelta(minutes=15)  # … lock the account this long
PASSWORD_MAX_AGE = dt.timedelta(days=90)
TOKEN_LIFETIME = dt.timedelta(days=90)
TOKEN_PREFIX = "gzs_"
MAX_TOKENS = 10  # per person

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that a wrong name costs as long as a
# wrong password and response times do not tell which names exist.
_DUMMY = _hasher.hash(secrets.token_hex(16))


class StaffAccount(Base):
    __tablename__ = "staff_account"
    id = Column(Integer, primary_key=True)
    username = Column(String(32), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    role = Column(String(16), nullable=False)
    password_hash = Column(String(200), nullable=False)
    password_changed_at = Column(DateTime, nullable=False)
    must_change_password = Column(Boolean, nullable=False, default=True)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_sign_in_at = Column(DateTime)


class StaffToken(Base):
    """A person's API token for scripts: acts as that person, with their role."""
    __tablename__ = "staff_api_token"
    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("staff_account.id"), nullable=False, index=True)
    label = Column(String(64), nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    prefix = Column(String(12), nullable=False)  # shown in lists to tell tokens apart
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    last_used_at = Column(DateTime)
    revoked_at = Column(DateTime)


class AccountError(ValueError):
    """Refused; the message is shown on the page as it is."""


class WeakPassword(AccountError):
    pass


def check_password(password: str, username: str) -> None:
    """At least 10 characters from at least three of: capitals, small letters, digits, other
    characters; not containing the username."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPassword(f"密码长度需为{MIN_LENGTH}～{MAX_LENGTH}个字符。")
    classes = [any(c.isupper() for c in password), any(c.islower() for c in password),
               any(c.isdigit() for c in password),
               any(not c.isalnum() for c in password)]
    if sum(classes) < 3:
        raise WeakPassword("密码需包含大写字母、小写字母、数字、其他符号中的至少三类。")
    if username and username.lower() in password.lower():
        raise WeakPassword("密码不能包含用户名。")


def temporary_password() -> str:
    """A one-time password that meets the rule (the person replaces it at the first sign-in)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14)) + "-" + \
            secrets.choice(string.digits)
        try:
            check_password(candidate, "")
            return candidate
        except WeakPassword:
            continue


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignIn:
    outcome: str  # ok | failed | locked
    actor: Actor | None = None
    token: str | None = None  # the session cookie's value
    locked_until: dt.datetime | None = None


def actor_of(account: StaffAccount, ip: str | None, via: str, now: dt.datetime,
             session_id: str | None = None, csrf: str | None = None) -> Actor:
    expired = account.password_changed_at + PASSWORD_MAX_AGE < now
    return Actor(username=account.username, role=account.role,
                 display_name=account.display_name, ip=ip, account_id=account.id, via=via,
                 session_id=session_id, csrf=csrf,
                 must_change_password=bool(account.must_change_password or expired))


def _by_name(s, username: str) -> StaffAccount | None:
    return s.execute(select(StaffAccount).where(StaffAccount.username == username)
                     .with_for_update()).scalar_one_or_none()


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(db: Database, username: str, password: str, ip: str | None,
            now: dt.datetime | None = None) -> SignIn:
    """Checks a password; five failures in a row lock the account for 15 minutes. The answer
    for an unknown name, a disabled account and a wrong password is the same."""
    now = now or utcnow()
    username = (username or "").strip().lower()[:64]
    with db.transaction() as s:
        account = _by_name(s, username) if USERNAME.fullmatch(username) else None
        if account is None or not account.active:
            _verify(_DUMMY, password)
            record(s, None, "sign_in", "failed", username=username or "-", ip=ip, now=now,
                   detail="无此账号" if account is None else "账号已停用")
            return SignIn("failed")
        if account.locked_until and account.locked_until > now:
            record(s, None, "sign_in", "locked", username=username, ip=ip, now=now,
                   detail=f"锁定至 {account.locked_until + BEIJING:%H:%M}（北京时间）")
            return SignIn("locked", locked_until=account.locked_until)
        if not _verify(account.password_hash, password):
            account.failed_logins += 1
            if account.failed_logins >= LOCK_AFTER:
                account.failed_logins, account.locked_until = 0, now + LOCK_FOR
                record(s, None, "sign_in", "locked", username=username, ip=ip, now=now,
                       detail=f"连续{LOCK_AFTER}次失败，锁定"
                              f"{int(LOCK_FOR.total_seconds() // 60)}分钟")
                return SignIn("locked", locked_until=account.locked_until)
            record(s, None, "sign_in", "failed", username=username, ip=ip, now=now,
                   detail=f"密码错误（连续第{account.failed_logins}次，{LOCK_AFTER}次锁定）")
            return SignIn("failed")
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = _hasher.hash(password)
        account.failed_logins, account.locked_until, account.last_sign_in_at = 0, None, now
        token, session_id, csrf = sessions.start(s, account.id, ip, now)
        actor = actor_of(account, ip, "session", now, session_id, csrf)
        record(s, actor, "sign_in", now=now)
        return SignIn("ok", actor, token)


def resume(db: Database, token: str, ip: str | None,
           now: dt.datetime | None = None) -> Actor | None:
    """The person a session cookie belongs to, or None (unknown, idle too long, too old, or
    the account disabled). An ended session is recorded as a sign-out."""
    now = now or utcnow()
    session_id = sessions.session_id(token)
    with db.transaction() as s:
        found = sessions.load(s, session_id)
        if found is None:
            return None
        account = s.get(StaffAccount, found.account_id)
        reason = sessions.ended(found, now)
        if reason is None and not (account and account.active):
            reason = "账号已停用"
        if reason is not None:
            sessions.remove(s, session_id)
            if account is not None:
                record(s, actor_of(account, ip, "session", now), "sign_out", detail=reason,
                       now=now)
            return None
        sessions.touch(found, now)
        return actor_of(account, ip, "session", now, session_id, found.csrf)


def sign_out(db: Database, actor: Actor, now: dt.datetime | None = None) -> None:
    with db.transaction() as s:
        sessions.remove(s, actor.session_id)
        record(s, actor, "sign_out", now=now)


def change_password(db: Database, actor: Actor, current: str, new: str,
                    now: dt.datetime | None = None) -> None:
    """Needs the current password; the new one must meet the rule and differ from it. Every
    other session of the person ends."""
    now = now or utcnow()
    with db.transaction() as s:
        account = s.get(StaffAccount, actor.account_id, with_for_update=True)
        if not _verify(account.password_hash, current or ""):
            record(s, actor, "password", "failed", target=account.username,
                   detail="当前密码错误", now=now)
            raise AccountError("当前密码不正确。")
        if current == new:
            raise AccountError("新密码不能与当前密码相同。")
        check_password(new or "", account.username)
        account.password_hash = _hasher.hash(new)
        account.password_changed_at, account.must_change_password = now, False
        sessions.remove_all(s, account.id, keep=actor.session_id)
        record(s, actor, "password", target=account.username, now=now)


def _check_new(username: str, display_name: str, role: str) -> None:
    if not USERNAME.fullmatch(username):
        raise AccountError("用户名需为3～32个小写字母、数字或 . _ -，以字母开头。")
    if not display_name or len(display_name) > 32:
        raise AccountError("请填写姓名（32字以内）。")
    if role not in ROLES:
        raise AccountError("请选择角色。")


def create(db: Database, actor: Actor, username: str, display_name: str, role: str,
           password: str | None = None, now: dt.datetime | None = None) -> str:
    """A new account; returns its one-time password (`password` when given, as the command
    line does for the first administrator, who then need not change it)."""
    now = now or utcnow()
    username, display_name = (username or "").strip().lower(), (display_name or "").strip()
    _check_new(username, display_name, role)
    if password is not None:
        check_password(password, username)
    initial = password or temporary_password()
    with db.transaction() as s:
        if s.execute(select(StaffAccount.id).where(StaffAccount.username == username)).first():
            raise AccountError(f"用户名 {username} 已存在。")
        s.add(StaffAccount(username=username, display_name=display_name, role=role,
                           password_hash=_hasher.hash(initial), password_changed_at=now,
                           must_change_password=password is None, failed_logins=0,
                           active=True, created_at=now))
        record(s, actor, "account", target=username, detail=f"新建，角色：{ROLES[role]}",
               now=now)
    return initial


def _active_admins(s) -> int:
    return s.execute(select(func.count()).select_from(StaffAccount).where(
        StaffAccount.role == "admin", StaffAccount.active.is_(True))).scalar()


def administer(db: Database, actor: Actor, account_id: int, *, role: str | None = None,
           active: bool | None = None, unlock: bool = False, reset_password: bool = False,
           revoke_tokens: bool = False, now: dt.datetime | None = None) -> str | None:
    """An administrator's change to an account; returns the new one-time password when the
    password was reset. The last active administrator cannot be demoted or disabled, and
    nobody changes their own role or disables themselves."""
    now = now or utcnow()
    with db.transaction() as s:
        account = s.get(StaffAccount, account_id, with_for_update=True)
        if account is None:
            raise AccountError("没有这个账号。")
        own = account.id == actor.account_id
        changes = []
        if role is not None and role != account.role:
            if role not in ROLES:
                raise AccountError("请选择角色。")
            if own:
                raise AccountError("不能修改自己的角色。")
            if account.role == "admin" and account.active and _active_admins(s) <= 1:
                raise AccountError("这是最后一个管理员账号，不能改为其他角色。")
            changes.append(f"角色：{ROLES[account.role]} → {ROLES[role]}")
            account.role = role
        if active is not None and active != account.active:
            if own and not active:
                raise AccountError("不能停用自己的账号。")
            if not active and account.role == "admin" and _active_admins(s) <= 1:
                raise AccountError("这是最后一个管理员账号，不能停用。")
            changes.append("启用" if active else "停用")
            account.active = active
            if not active:
                sessions.remove_all(s, account.id)
        if unlock and (account.locked_until or account.failed_logins):
            account.locked_until, account.failed_logins = None, 0
            changes.append("解锁")
        password = None
        if reset_password:
            password = temporary_password()
            account.password_hash = _hasher.hash(password)
            account.password_changed_at, account.must_change_password = now, True
            account.locked_until, account.failed_logins = None, 0
            sessions.remove_all(s, account.id)
            changes.append("重置密码")
        if revoke_tokens:
            revoked = s.execute(update(StaffToken).where(
                StaffToken.account_id == account.id, StaffToken.revoked_at.is_(None))
                .values(revoked_at=now).execution_options(synchronize_session=False)).rowcount
            changes.append(f"吊销{revoked}个API令牌")
        if not changes:
            raise AccountError("没有需要修改的内容。")
        record(s, actor, "account", target=account.username, detail="；".join(changes), now=now)
    return password


def accounts(db: Database) -> list[tuple[StaffAccount, int]]:
    """Every account with its number of live API tokens, by username."""
    with db.session() as s:
        live = (select(StaffToken.account_id, func.count().label("n"))
                .where(StaffToken.revoked_at.is_(None)).group_by(StaffToken.account_id)
                .subquery())
        return [(a, n or 0) for a, n in s.execute(
            select(StaffAccount, live.c.n).outerjoin(live, live.c.account_id == StaffAccount.id)
            .order_by(StaffAccount.username)).all()]


def create_token(db: Database, actor: Actor, label: str,
                 now: dt.datetime | None = None) -> str:
    """A new API token of the actor's own; the only time its value is seen."""
    now = now or utcnow()
    label = (label or "").strip()
    if not 1 <= len(label) <= 64:
        raise AccountError("请给令牌起个名字（64字以内），例如“每日导出脚本”。")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as s:
        live = s.execute(select(func.count()).select_from(StaffToken).where(
            StaffToken.account_id == actor.account_id, StaffToken.revoked_at.is_(None),
            StaffToken.expires_at > now)).scalar()
        if live >= MAX_TOKENS:
            raise AccountError(f"最多可有{MAX_TOKENS}个有效令牌，请先吊销不用的。")
        s.add(StaffToken(account_id=actor.account_id, label=label, token_hash=hash_token(token),
                         prefix=token[:len(TOKEN_PREFIX) + 4], created_at=now,
                         expires_at=now + TOKEN_LIFETIME))
        record(s, actor, "token", target=actor.username, detail=f"新建：{label}", now=now)
    return token


def tokens(db: Database, account_id: int) -> list[StaffToken]:
    with db.session() as s:
        return s.execute(select(StaffToken).where(StaffToken.account_id == account_id)
                         .order_by(StaffToken.created_at.desc())).scalars().all()


def revoke_token(db: Database, actor: Actor, token_id: int,
                 now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    with db.transaction() as s:
        row = s.get(StaffToken, token_id)
        if row is None or row.account_id != actor.account_id:
            raise AccountError("没有这个令牌。")
        if row.revoked_at is None:
            row.revoked_at = now
            record(s, actor, "token", target=actor.username, detail=f"吊销：{row.label}",
                   now=now)


def token_actor(db: Database, token: str, ip: str | None,
                now: dt.datetime | None = None) -> Actor | None:
    """The person an API token belongs to, or None (unknown, revoked, expired, or the account
    disabled). A token is not a password: it never needs changing to work."""
    now = now or utcnow()
    if not token.startswith(TOKEN_PREFIX):
        return None
    with db.transaction() as s:
        found = s.execute(select(StaffToken, StaffAccount)
                          .join(StaffAccount, StaffAccount.id == StaffToken.account_id)
                          .where(StaffToken.token_hash == hash_token(token))).first()
        if found is None:
            return None
        row, account = found
        if row.revoked_at is not None or row.expires_at <= now or not account.active:
            return None
        if row.last_used_at is None or now - row.last_used_at > sessions.TOUCH_EVERY:
            row.last_used_at = now
        return dataclasses.replace(actor_of(account, ip, "token", now),
                                   must_change_password=False)
