"""The review of unanswered questions (审核; the knowledge loop): the groups of similar questions
(knowledge/unanswered.py) with the existing answer that fits each best, and what staff decide.

A group is open until staff act on it. Each decision is stored on the group with who and when,
and audited in the same transaction:
  dismissed          with a required reason (off-topic, a test, already answered …); the group
                     leaves the list, and so do its later occurrences (knowledge/unanswered.py);
  phrasing_proposed  its question proposed as a phrasing of an existing answer: `answer_id`,
                     and the draft version the answer editor made (`version_id`);
  answer_drafted     a new answer drafted from it (`version_id`).
The last two are made with the answer editor (knowledge.editing): `propose_phrasing` below,
and the editor's new-answer form opened from the group (kb_editor.py); either way the draft,
the group's new state and both audit entries are one transaction (`booking`), and the draft
is published only when a second person approves it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.portal.audit import Actor, record
from knowledge import editing, unanswered
from knowledge.models import UnansweredGroup
from knowledge.service import SUGGEST_MIN
from knowledge.storage import Database

if TYPE_CHECKING:
    from knowledge.service import KnowledgeService

STATES = {"open": "待处理", "dismissed": "已忽略", "phrasing_proposed": "已提议为问法",
          "answer_drafted": "已起草新答复"}
LISTS = {"open": "待处理", "dismissed": "已忽略", "resolved": "已处理", "all": "全部"}
MAX_REASON = 200
MAX_PHRASING = 100  # a phrasing is a question, not a story
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


def booking(group_id: int, state: str, actor: Actor, now: dt.datetime,
            answer_id: str | None = None) -> "editing.Audit":
    """What the answer editor runs in the transaction of the draft it makes from a group
    (editing.propose_phrasing / save_draft): the group is marked with the draft, and both
    the review and the draft are audited — or, when the group was decided meanwhile, nothing
    is kept at all (NotAllowed rolls the draft back)."""
    def book(s: Session, version) -> None:
        group = _open_group(s, group_id)
        if group is None:
            raise NotAllowed(f"没有 {label(group_id)} 这组问题。")
        _decide(group, state, actor, now)
        group.answer_id, group.version_id = (answer_id or version.answer_id)[:96], version.id
        what = (f"提议为答复 {group.answer_id} 的问法" if state == "phrasing_proposed"
                else f"起草新答复 {group.answer_id}")
        record(s, actor, "review", target=label(group_id),
               detail=f"未答问题：{what}（草稿第{version.number}版，待另一位审核人员通过）", now=now)
        record(s, actor, "kb_draft", target=version.answer_id,
               detail=f"第{version.number}版：来自未答问题 {label(group_id)}", now=now)
    return book


def propose_phrasing(db: Database, actor: Actor, group_id: int, answer_id: str, text: str,
                     now: dt.datetime) -> int:
    """The group's question (as staff worded it) as a new phrasing of `answer_id`: a draft
    in the answer editor, which a second person approves there; the draft's version id."""
    text = " ".join((text or "").split())
    if len(text) > MAX_PHRASING:
        raise NotAllowed(f"问法请控制在{MAX_PHRASING}字以内（现在是{len(text)}字）。")
    return editing.propose_phrasing(db, answer_id.strip(), text, actor.username, now,
                                    audit=booking(group_id, "phrasing_proposed", actor, now,
                                                  answer_id.strip()))
