"""The four staff roles and what each may do — the one table every route checks.

Separate duties (GB/T 22239 asks for them at level 3; they cost nothing here): the
administrator manages accounts and settings but does not work cases, and reaches a citizen's
personal data only through the audited PIPL tools; the auditor reads the audit log and nothing
else. Every signed-in person may change their own password, manage their own API tokens and
sign out.
"""
from __future__ import annotations

ROLES = {"agent": "坐席", "reviewer": "审核", "admin": "管理员", "auditor": "审计"}

PERMISSION_LABELS = {
    "dashboard": "运行看板",      # questions, answers, ratings and cases in numbers
    "lookup": "知识查询",        # search the knowledge base as citizens get it
    "cases": "线索与回电",        # list, open (personal data), move on and export cases
    "ratings": "差评处理",        # follow up bad ratings (好差评): open, record what was done
    "review": "未答问题",         # the questions the bot could not answer: the knowledge loop
    "kb_edit": "知识编辑",        # search and open answers, write drafts, read history and queue
    "kb_approve": "知识审核",     # approve or send back others' drafts, roll back (never own)
    "accounts": "账号管理",
    "settings": "系统设置",
    "privacy": "个人信息请求",     # find, export or delete one citizen's data (PIPL art. 44–47)
    "audit": "审计日志",
}

PERMISSIONS = {
    "agent": frozenset({"dashboard", "lookup", "cases", "ratings", "kb_edit"}),
    "reviewer": frozenset({"dashboard", "lookup", "cases", "ratings", "review", "kb_edit",
                           "kb_approve"}),
    "admin": frozenset({"accounts", "settings", "privacy"}),
    "auditor": frozenset({"audit"}),
}


def allowed(role: str | None, permission: str) -> bool:
    return permission in PERMISSIONS.get(role or "", frozenset())
