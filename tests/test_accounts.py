"""Personal accounts: password rule and hashing, lock-out, sessions that end, password changes,
what administrators may and may not do, API tokens, and the command line's first admin."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import select, text

from bot import settings
from bot.portal import accounts, sessions
from bot.portal.accounts import AccountError, StaffAccount, WeakPassword
from bot.portal.audit import AuditEntry
from knowledge.storage import database
from tests.conftest import fresh_database
from tests.staff_client import PASSWORD, TEST_ACTOR, actor_for, make_account

T0 = dt.datetime(2026, 11, 26, 1, 0)
IP = "10.1.2.3"


@pytest.fixture
def db(tmp_path):
    return database(fresh_database(tmp_path, "accounts.db"))


def entries(db, **where) -> list[AuditEntry]:
    with db.session() as s:
        return s.execute(select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
                         ).scalars().all()


@pytest.mark.parametrize("password, problem", [
    ("Short-1a", "长度"), ("alllowercaseletters", "三类"), ("ALLUPPER123456", "三类"),
    ("Has-zhangsan-1", "用户名"), ("x" * 129, "长度"),
])
def test_weak_passwords_are_refused_with_the_reason(password, problem):
    with pytest.raises(WeakPassword, match=problem):
        accounts.check_password(password, "zhangsan")


def test_good_and_temporary_passwords_meet_the_rule():
    accounts.check_password("Gan-zhou-2026", "zhangsan")
    accounts.check_password("赣州知识产权Ip2026", "zhangsan")  # Chinese counts as "other"
    for _ in range(20):
        accounts.check_password(accounts.temporary_password(), "")


def test_passwords_are_stored_as_argon2id_hashes(db):
    make_account(db, "agent", "hashcheck")
    with db.session() as s:
        stored = s.execute(select(StaffAccount.password_hash)
                           .where(StaffAccount.username == "hashcheck")).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_five_failures_lock_the_account_for_fifteen_minutes(db):
    make_account(db, "agent", "locky")
    for n in range(1, accounts.LOCK_AFTER):
        assert accounts.sign_in(db, "locky", "wrong", IP, T0).outcome == "failed", n
    locked = accounts.sign_in(db, "locky", "wrong", IP, T0)
    assert locked.outcome == "locked" and locked.locked_until == T0 + dt.timedelta(minutes=15)
    # the right password does not open a locked account
    assert accounts.sign_in(db, "locky", PASSWORD, IP, T0 + dt.timedelta(minutes=14)
                            ).outcome == "locked"
    later = accounts.sign_in(db, "locky", PASSWORD, IP, T0 + dt.timedelta(minutes=16))
    assert later.outcome == "ok" and later.token
    results = [(e.result, e.ip) for e in entries(db, action="sign_in", actor="locky")]
    assert results == [("failed", IP)] * 4 + [("locked", IP)] * 2 + [("ok", IP)]


def test_unknown_and_disabled_accounts_fail_alike(db):
    admin = actor_for(db, make_account(db, "admin", "boss"))
    make_account(db, "agent", "gone")
    accounts.administer(db, admin, actor_for(db, "gone").account_id, active=False, now=T0)
    assert accounts.sign_in(db, "nobody", PASSWORD, IP, T0).outcome == "failed"
    assert accounts.sign_in(db, "gone", PASSWORD, IP, T0).outcome == "failed"
    assert accounts.sign_in(db, "'; DROP TABLE staff_account; --", "x", IP, T0
                            ).outcome == "failed"
    assert [e.detail for e in entries(db, action="sign_in", result="failed")] == [
        "无此账号", "账号已停用", "无此账号"]


def test_sessions_end_after_thirty_idle_minutes_and_after_twelve_hours(db):
    make_account(db, "agent", "idler")
    signed = accounts.sign_in(db, "idler", PASSWORD, IP, T0)
    at = T0
    for _ in range(3):  # active every 29 minutes: still signed in
        at += dt.timedelta(minutes=29)
        assert accounts.resume(db, signed.token, IP, at) is not None
    assert accounts.resume(db, signed.token, IP, at + dt.timedelta(minutes=31)) is None
    assert accounts.resume(db, signed.token, IP, at) is None  # gone for good
    assert entries(db, action="sign_out", actor="idler")[-1].detail == "30分钟无操作，自动退出"

    long = accounts.sign_in(db, "idler", PASSWORD, IP, T0)
    at = T0
    while at < T0 + sessions.LIFETIME:
        assert accounts.resume(db, long.token, IP, at) is not None
        at += dt.timedelta(minutes=25)
    assert accounts.resume(db, long.token, IP, at) is None


def test_a_new_account_must_change_its_one_time_password(db):
    admin = actor_for(db, make_account(db, "admin", "boss2"))
    one_time = accounts.create(db, admin, "Newbie", "新同事", "agent", now=T0)
    signed = accounts.sign_in(db, "newbie", one_time, IP, T0)
    assert signed.outcome == "ok" and signed.actor.must_change_password
    with pytest.raises(AccountError, match="当前密码"):
        accounts.change_password(db, signed.actor, "wrong", "Brand-new-2026", T0)
    with pytest.raises(WeakPassword):
        accounts.change_password(db, signed.actor, one_time, "weak", T0)
    other = accounts.sign_in(db, "newbie", one_time, IP, T0)  # a second browser
    accounts.change_password(db, signed.actor, one_time, "Brand-new-2026", T0)
    assert accounts.resume(db, other.token, IP, T0) is None  # other sessions end
    assert not accounts.resume(db, signed.token, IP, T0).must_change_password
    # … and again after 90 days
    aged = T0 + accounts.PASSWORD_MAX_AGE + dt.timedelta(days=1)
    assert accounts.sign_in(db, "newbie", "Brand-new-2026", IP, aged).actor.must_change_password


def test_administrators_cannot_lock_everyone_out(db):
    boss = actor_for(db, make_account(db, "admin", "onlyadmin"))
    with pytest.raises(AccountError, match="自己"):
        accounts.administer(db, boss, boss.account_id, role="agent")
    with pytest.raises(AccountError, match="自己"):
        accounts.administer(db, boss, boss.account_id, active=False)
    second = actor_for(db, make_account(db, "admin", "secondadmin"))
    accounts.administer(db, second, boss.account_id, role="auditor")  # two admins: allowed
    with pytest.raises(AccountError, match="最后一个管理员"):
        accounts.administer(db, boss, second.account_id, active=False)
    assert [e.detail for e in entries(db, action="account", target="onlyadmin")][-1] == \
        "角色：管理员 → 审计"


def test_reset_and_disable_end_sessions_and_tokens(db):
    boss = actor_for(db, make_account(db, "admin", "boss3"))
    worker = actor_for(db, make_account(db, "agent", "worker"))
    signed = accounts.sign_in(db, "worker", PASSWORD, IP, T0)
    one_time = accounts.administer(db, boss, worker.account_id, reset_password=True, now=T0)
    assert accounts.resume(db, signed.token, IP, T0) is None
    assert accounts.sign_in(db, "worker", PASSWORD, IP, T0).outcome == "failed"
    assert accounts.sign_in(db, "worker", one_time, IP, T0).actor.must_change_password
    token = accounts.create_token(db, worker, "script", T0)
    assert accounts.token_actor(db, token, IP, T0).username == "worker"
    accounts.administer(db, boss, worker.account_id, active=False, now=T0)
    assert accounts.token_actor(db, token, IP, T0) is None


def test_api_tokens_are_stored_hashed_and_end(db):
    worker = actor_for(db, make_account(db, "reviewer", "scripter"))
    token = accounts.create_token(db, worker, "nightly export", T0)
    assert token.startswith("gzs_") and len(token) > 40
    with db.session() as s:
        dump = "\n".join(map(str, s.execute(text("SELECT * FROM staff_api_token")).all()))
    assert token not in dump and accounts.hash_token(token) in dump
    assert accounts.token_actor(db, token, IP, T0).role == "reviewer"
    assert accounts.token_actor(db, token + "x", IP, T0) is None
    assert accounts.token_actor(db, token, IP, T0 + accounts.TOKEN_LIFETIME) is None
    row = accounts.tokens(db, worker.account_id)[0]
    accounts.revoke_token(db, worker, row.id, T0)
    assert accounts.token_actor(db, token, IP, T0) is None
    other = actor_for(db, make_account(db, "agent", "nosy"))
    with pytest.raises(AccountError):
        accounts.revoke_token(db, other, row.id, T0)  # only one's own
    for n in range(accounts.MAX_TOKENS):
        accounts.create_token(db, other, f"t{n}", T0)
    with pytest.raises(AccountError, match="最多"):
        accounts.create_token(db, other, "one too many", T0)


def test_usernames_and_roles_are_checked(db):
    for username, role in [("ab", "agent"), ("1abc", "agent"), ("好人", "agent"),
                           ("okname", "root")]:
        with pytest.raises(AccountError):
            accounts.create(db, TEST_ACTOR, username, "某人", role)
    make_account(db, "agent", "twice")
    with pytest.raises(AccountError, match="已存在"):
        accounts.create(db, TEST_ACTOR, "TWICE", "某人", "agent")


def cli(args: list[str], url: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "staff", *args], input=stdin,
                          cwd=settings.ROOT, env=settings.child_env(DATABASE_URL=url),
                          capture_output=True, text=True, timeout=120)


def test_the_first_administrator_comes_from_the_command_line(tmp_path):
    url = fresh_database(tmp_path, "cli.db")
    weak = cli(["create-admin", "chief", "--name", "李科长", "--password-stdin"], url, "weak\n")
    assert weak.returncode == 1 and "密码" in weak.stderr
    made = cli(["create-admin", "chief", "--name", "李科长", "--password-stdin"], url,
               "Head-Passw0rd!\n")
    assert made.returncode == 0, made.stderr
    db = database(url)
    signed = accounts.sign_in(db, "chief", "Head-Passw0rd!", IP)
    assert signed.outcome == "ok" and signed.actor.role == "admin"
    assert not signed.actor.must_change_password  # they chose it themselves
    reset = cli(["reset-password", "chief"], url)
    one_time = reset.stdout.strip().rsplit(" ", 1)[-1]
    assert accounts.sign_in(db, "chief", one_time, IP).actor.must_change_password
    assert [e.actor.startswith("cli:") for e in entries(db, action="account")] == [True, True]
