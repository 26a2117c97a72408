"""The review of unanswered questions (审核; the knowledge loop): the groups of similar questions
(knowledge/unanswered.py) with the existing answer that fits each best, and what staff decide.

A group is open until staff act on it. Each decision is stored on the group with who and when,
and audited in the same transaction:
  dismissed          with a required reason (off-topic, a test, already answered …); the group
                     leaves the list, and so do its later occurrences (knowledge/unanswered.py);
  phrasing_proposed  its question proposed as a phrasing of an existing answer: `answer_id`,
                     and the draft version the answer editor made (`version_id`);
  answer_drafted     a new answer drafted from it (`version_id`).
The last two are recorded by `propose_phrasing` / `draft_answer` below once the answer editor
(knowledge.editing, with its approval) has made the version; the page offers their buttons
when that editor is part of the portal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.portal.audit import Actor, record
from knowledge import unanswered
from knowledge.models import UnansweredGroup
from knowledge.service import SUGGEST_MIN
from knowledge.storage import Database

if TYPE_CHECKING:
    from knowledge.service import KnowledgeService

STATES = {"open": "待处理", "dismissed": "已忽略", "phrasing_proposed": "已提议为问法",
          "answer_drafted": "已起草新答复"}
LISTS = {"open": "待处理", "dismissed": "已忽略", "resolved": "已处理", "all": "全部"}
MAX_REASON = 200
PREFIX = "UQ"  # how pages and the audit log name a group (UQ-12)


class NotAllowed(ValueError):
    """A decision the rules do not allow; the message says why (in Chinese, for the page)."""


@dataclass(frozen=True)
class Reviewed:
    """A group as the review shows it: the group and the existing answer fitting it best."""
    group: unanswered.Group
    match_id: str | None
    match_title: str | None
    match: float | None  # coverage

    @property
    def label(self) -> str:
        return label(self.group.id)

    def plain(self) -> dict:
        g = self.group
        return {"id": g.id, "label": self.label, "state": g.state, "text": g.text,
                "count": g.count, "first_asked": g.first_asked, "last_asked": g.last_asked,
                "examples": [{"text": t, "count": n} for t, n in g.examples],
                "channels": dict(g.channels), "kinds": dict(g.kinds),
                "best_answer": {"id": self.match_id, "title": self.match_title,
                                "coverage": self.match} if self.match_id else None,
                "reason": g.reason, "answer_id": g.answer_id, "version_id": g.version_id,
                "resolved_by": g.resolved_by, "resolved_at": g.resolved_at}


def label(group_id: int) -> str:
    return f"{PREFIX}-{group_id}"


def review(db: Database, kb: "KnowledgeService", state: str | None = "open",
           since: dt.datetime | None = None, limit: int = 50,
           offset: int = 0) -> tuple[int, list[Reviewed]]:
    """Groups the questions logged since the last look, then lists the groups in `state`
    (a key of LISTS; None: all) with the answer that fits each best today, when it covers at
    least what the bot asks of a suggestion (service.SUGGEST_MIN)."""
    unanswered.group_pending(db, kb.analyser())
    with db.session() as s:
        total, found = unanswered.groups(s, state, since, limit, offset)
    out = []
    for g in found:
        # an answer covering less than the bot's own bar for suggesting it is no lead
        best = next((f for f in kb.search(g.text, k=1) if f.match >= SUGGEST_MIN), None)
        out.append(Reviewed(g, best and best.id, best and best.title, best and best.match))
    return total, out


def _open_group(s: Session, group_id: int) -> UnansweredGroup | None:
    group = s.execute(select(UnansweredGroup).where(UnansweredGroup.id == group_id)
                      .with_for_update()).scalar_one_or_none()
    if group is not None and group.state != "open":
        raise NotAllowed(f"这组问题已处理（{STATES.get(group.state, group.state)}），不能再改。")
    return group


def _decide(group: UnansweredGroup, state: str, actor: Actor, now: dt.datetime) -> None:
    group.state, group.resolved_by, group.resolved_at = state, actor.label[:64], now


def dismiss(db: Database, actor: Actor, group_id: int, reason: str | None,
            now: dt.datetime) -> bool:
    """Dismisses an open group with its reason; False for an unknown group."""
    reason = (reason or "").strip()
    if not reason:
        raise NotAllowed("请填写忽略的理由（例如：与知识产权无关、测试消息、已有答复）。")
    if len(reason) > MAX_REASON:
        raise NotAllowed(f"理由请控制在{MAX_REASON}字以内（现在是{len(reason)}字）。")
    with db.transaction() as s:
        group = _open_group(s, group_id)
        if group is None:
            return False
        _decide(group, "dismissed", actor, now)
        group.reason = reason
        record(s, actor, "review", target=label(group_id), detail=f"未答问题：忽略（{reason}）",
               now=now)
        return True


def propose_phrasing(db: Database, actor: Actor, group_id: int, answer_id: str,
                     version_id: str, now: dt.datetime) -> bool:
    """Records that the group's question went to the answer editor as a phrasing of
    `answer_id` (draft `version_id`, which a second person approves there)."""
    with db.transaction() as s:
        group = _open_group(s, group_id)
        if group is None:
            return False
        _decide(group, "phrasing_proposed", actor, now)
        group.answer_id, group.version_id = answer_id[:96], int(version_id)
        record(s, actor, "review", target=label(group_id),
               detail=f"未答问题：提议为答复 {answer_id} 的问法（版本 {version_id}）", now=now)
        return True


def draft_answer(db: Database, actor: Actor, group_id: int, version_id: str,
                 now: dt.datetime) -> bool:
    """Records that a new answer was drafted for the group (draft `version_id`)."""
    with db.transaction() as s:
        group = _open_group(s, group_id)
        if group is None:
            return False
        _decide(group, "answer_drafted", actor, now)
        group.version_id = int(version_id)
        record(s, actor, "review", target=label(group_id),
               detail=f"未答问题：起草新答复（版本 {version_id}）", now=now)
        return True
