"""The staff audit log: who did what, when, from where, with what result.

Every sign-in and failure, every view of personal data, export, status change and account
change is recorded here (GB/T 22239 level 2: time, user, event, result; PIPL art. 51). The
application only ever inserts (`record`); the migration adds database triggers that refuse
UPDATE, and DELETE of entries younger than 180 days (Cybersecurity Law art. 21), so not even a
bug or a stray SQL statement through the application's connection shortens it. Entries hold
tickets and masked phone numbers, never a citizen's full data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Integer, String, func, select
from sqlalchemy.orm import Session

from bot.leads.workdays import utc_start
from knowledge.storage import Base, Database, utcnow

RESULTS = {"ok": "成功", "failed": "失败", "denied": "拒绝", "locked": "已锁定"}
ACTIONS = {
    "sign_in": "登录", "sign_out": "退出", "password": "修改密码", "token": "API令牌",
    "view": "查看个人信息", "export": "导出", "status": "处理（状态/备注）",
    "account": "账号变更", "access": "越权访问", "privacy_find": "个人信息查询",
    "privacy_export": "个人信息导出", "privacy_delete": "个人信息删除",
    "retention": "到期数据清理", "audit_search": "查阅审计日志", "review": "未答问题处理",
    "kb_draft": "知识草稿", "kb_approve": "知识发布", "kb_send_back": "知识退回",
    "kb_rollback": "知识回退",
}


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(64), nullable=False, index=True)  # username, or what was typed
    role = Column(String(16))
    ip = Column(String(64))
    action = Column(String(32), nullable=False, index=True)
    target = Column(String(64), index=True)  # a ticket, an account, a path
    result = Column(String(16), nullable=False)
    detail = Column(String(400))


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person, a script with a person's API token, the command line
    or the system (retention)."""
    username: str
    role: str | None
    display_name: str = ""
    ip: str | None = None
    account_id: int | None = None
    via: str = "session"  # session | token | cli | system
    session_id: str | None = None
    csrf: str | None = None
    must_change_password: bool = False

    @property
    def label(self) -> str:
        """How notes and history name the person."""
        return self.display_name or self.username


def record(s: Session, actor: Actor | None, action: str, result: str = "ok",
           target: str | None = None, detail: str | None = None, *,
           username: str | None = None, ip: str | None = None,
           now: dt.datetime | None = None) -> None:
    """Adds one entry to the caller's transaction (committed with what it records)."""
    s.add(AuditEntry(at=now or utcnow(), actor=(username or (actor and actor.username) or "-")[:64],
                     role=actor.role if actor else None, ip=(ip or (actor and actor.ip) or None),
                     action=action, target=(target or None) and target[:64], result=result,
                     detail=(detail or None) and detail[:400]))


@dataclass(frozen=True)
class Query:
    since: dt.date | None = None  # Beijing dates, as the page shows times
    until: dt.date | None = None
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    result: str | None = None

    def where(self) -> list:
        clauses = []
        if self.since:
            clauses.append(AuditEntry.at >= utc_start(self.since))
        if self.until:
            clauses.append(AuditEntry.at < utc_start(self.until + dt.timedelta(days=1)))
        if self.actor:
            clauses.append(AuditEntry.actor == self.actor)
        if self.action:
            clauses.append(AuditEntry.action == self.action)
        if self.target:
            clauses.append(AuditEntry.target == self.target)
        if self.result:
            clauses.append(AuditEntry.result == self.result)
        return clauses

    def describe(self) -> str:
        return " ".join(f"{k}={v}" for k, v in vars(self).items() if v) or "all"


def search(db: Database, query: Query, reader: Actor, limit: int = 100, offset: int = 0,
           export: bool = False) -> tuple[int, list[AuditEntry]]:
    """Entries newest first. Reading the log is itself recorded, in the same transaction."""
    with db.transaction() as s:
        where = query.where()
        total = s.execute(select(func.count()).select_from(AuditEntry).where(*where)).scalar()
        rows = select(AuditEntry).where(*where).order_by(AuditEntry.at.desc(),
                                                          AuditEntry.id.desc())
        if not export:
            rows = rows.limit(limit).offset(offset)
        found = s.execute(rows).scalars().all()
        record(s, reader, "export" if export else "audit_search", target="audit_log",
               detail=f"{len(found)}条；筛选：{query.describe()}")
        return total, found
