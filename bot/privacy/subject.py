"""One citizen's data across every store, for a PIPL request (art. 44–47: see, copy, delete),
found by a ticket or a phone number. Administrators use it from the portal; every search,
export and deletion is in the audit log, with the ticket or the masked number only.

What belongs to the citizen: the leads and call-backs with that ticket or phone (with their
notes and outbox rows); the conversations in Rasa's tracker store that mention the phone or one
of those tickets; the ratings and WeChat state of those conversations (the WeChat openid is
the conversation's sender id; WeChat ratings are kept under its pseudonym, found from it)
and the follow-up items of those ratings, with the replies waiting in the WeChat outbox for them or
naming the ticket or phone; unanswered questions that quote the ticket or the masked phone.
The audit log itself is not the citizen's data and stays (it holds what was done, not what
was said).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import Text, cast, delete, or_, select

from bot.channels.wechat_outbox import WeChatOutbox
from bot.channels.wechat_store import WeChatMessage, WeChatOption, pseudonym
from bot.leads import cases
from bot.leads.cases import Case, Deadlines
from bot.portal.audit import Actor, record
from bot.portal import followups
from bot.portal.ratings import AnswerRating
from bot.privacy import tracker
from knowledge import unanswered
from knowledge.models import UnansweredQuestion
from knowledge.storage import Database, utcnow
from knowledge.text import mask_personal, mask_phone, parse_phone


class BadRequest(ValueError):
    """The message says what to type instead."""


@dataclass(frozen=True)
class Who:
    """What the request names: a ticket, a phone number, or both."""
    ticket: str | None
    phone: str | None

    @classmethod
    def parse(cls, ticket: str | None, phone: str | None) -> "Who":
        ticket = (ticket or "").strip().upper() or None
        if ticket and cases.category_of(ticket) is None:
            raise BadRequest("编号形如 GZ-20261126-7KQ2M（线索）或 HD-20261201-3PX7Q（回电）。")
        number = parse_phone(phone) if (phone or "").strip() else None
        if (phone or "").strip() and number is None:
            raise BadRequest("电话号码不对：请填11位手机号或带区号的固定电话。")
        if not ticket and not number:
            raise BadRequest("请填写编号或电话号码（至少一项）。")
        return cls(ticket, number)

    def describe(self) -> str:
        """For the audit log: never the full number."""
        parts = ([f"编号 {self.ticket}"] if self.ticket else []) + \
                ([f"电话 {mask_phone(self.phone)}"] if self.phone else [])
        return "，".join(parts)


@dataclass
class Found:
    who: Who
    cases: list[Case] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    conversation: list[tracker.Line] = field(default_factory=list)
    ratings: list[dict] = field(default_factory=list)
    wechat: list[dict] = field(default_factory=list)
    unanswered: list[dict] = field(default_factory=list)

    def counts(self) -> str:
        return (f"{len(self.cases)}件线索/回电，{len(self.senders)}段对话，"
                f"{len(self.ratings)}条评价，{len(self.wechat)}条微信记录，"
                f"{len(self.unanswered)}条未答问题")

    def as_json(self) -> str:
        """The export a citizen receives (art. 45: a copy of their data)."""
        def plain(value):
            if isinstance(value, (dt.datetime, dt.date)):
                return value.isoformat()
            raise TypeError(type(value).__name__)
        data = {
            "exported_at": utcnow().isoformat(timespec="seconds") + "Z",
            "cases": [dataclasses.asdict(c) for c in self.cases],
            "conversations": [dataclasses.asdict(line) for line in self.conversation],
            "ratings": self.ratings, "wechat": self.wechat, "unanswered": self.unanswered,
        }
        return json.dumps(data, ensure_ascii=False, indent=2, default=plain)


def _texts_match(who: Who, tickets: list[str]):
    needles = list(tickets) + ([mask_phone(who.phone)] if who.phone else [])
    return or_(*[UnansweredQuestion.text.contains(n) for n in needles]) if needles else None


def _raters(senders: list[str]) -> list[str]:
    """Who rated, as the rating store names them: the widget's sender ids as they are, WeChat
    OpenIDs (the conversations' sender ids) as their pseudonyms."""
    return senders + [pseudonym(sender) for sender in senders]


def _collect(s, tracker_url: str, who: Who, deadlines: Deadlines) -> Found:
    found = Found(who)
    tickets = cases.matching(s, who.ticket, who.phone)
    found.cases = cases.full(s, tickets, deadlines)
    found.senders = tracker.senders_with(tracker_url, sorted(set(tickets) | (
        {who.ticket} if who.ticket else set())), who.phone)
    found.conversation = tracker.transcript(tracker_url, found.senders)
    if found.senders:
        found.ratings = [{"sender": r.sender, "rating": r.rating, "answer_id": r.answer_id,
                          "comment": r.comment, "at": r.updated_at}
                         for r in s.execute(select(AnswerRating).where(
                             AnswerRating.sender.in_(_raters(found.senders)))).scalars()]
        found.ratings += [{"sender": f.sender, "followup": followups.label(f.id),
                           "rating": f.level, "comment": f.comment, "question": f.question,
                           "answer": f.answer, "outcome": f.outcome, "reason": f.reason,
                           "at": f.created_at}
                          for f in followups.of_senders(s, _raters(found.senders))]
        found.wechat = [{"openid": o.openid, "options": o.payloads, "at": o.updated_at}
                        for o in s.execute(select(WeChatOption).where(
                            WeChatOption.openid.in_(found.senders))).scalars()]
    messages = _wechat_messages(who, tickets, found.senders)
    if messages is not None:
        found.wechat += [{"message": m.key, "reply": m.reply, "at": m.created_at}
                         for m in s.execute(select(WeChatMessage).where(messages)).scalars()]
    outbox = _wechat_outbox(who, tickets, found.senders)
    if outbox is not None:
        found.wechat += [{"openid": r.openid, "outbox": r.chunks, "at": r.received_at}
                         for r in s.execute(select(WeChatOutbox).where(outbox)
                                            .order_by(WeChatOutbox.id)).scalars()]
    texts = _texts_match(who, tickets or ([who.ticket] if who.ticket else []))
    if texts is not None:
        found.unanswered = [{"text": q.text, "at": q.created_at} for q in s.execute(
            select(UnansweredQuestion).where(texts)).scalars()]
    return found


def _wechat_messages(who: Who, tickets: list[str], senders: list[str]):
    """Replies kept for WeChat's retries (an hour at most) that name the citizen."""
    clauses = [WeChatMessage.key.startswith(f"{openid}:") for openid in senders]
    clauses += [WeChatMessage.reply.contains(t) for t in tickets]
    if who.phone:
        clauses.append(WeChatMessage.reply.contains(who.phone))
    return or_(*clauses) if clauses else None


def _wechat_outbox(who: Who, tickets: list[str], senders: list[str]):
    """Customer-service replies waiting (or sent within the week) for those conversations, or
    whose text names a ticket or the phone (tickets and digits are stored as written)."""
    text = cast(WeChatOutbox.chunks, Text)
    clauses = [WeChatOutbox.openid.in_(senders)] if senders else []
    clauses += [text.contains(t) for t in tickets]
    if who.phone:
        clauses.append(text.contains(who.phone))
    return or_(*clauses) if clauses else None


def find(db: Database, tracker_url: str, actor: Actor, who: Who, deadlines: Deadlines,
         export: bool = False) -> Found:
    """Everything stored about the citizen; the audit entry is committed with the reads."""
    with db.transaction() as s:
        found = _collect(s, tracker_url, who, deadlines)
        record(s, actor, "privacy_export" if export else "privacy_find",
               target=who.ticket or mask_phone(who.phone), detail=f"{who.describe()}："
               f"{found.counts()}")
    return found


def erase(db: Database, tracker_url: str, actor: Actor, who: Who, deadlines: Deadlines,
          reason: str) -> Found:
    """Deletes everything `find` finds. The application database goes first, in one
    transaction with its audit entry; then the conversations (another database): if that
    fails, a second entry says so and the request can simply be repeated."""
    with db.transaction() as s:
        found = _collect(s, tracker_url, who, deadlines)
        tickets = [c.ticket for c in found.cases]
        cases.remove(s, tickets)
        if found.senders:
            s.execute(delete(AnswerRating).where(AnswerRating.sender.in_(
                _raters(found.senders))).execution_options(synchronize_session=False))
            followups.delete_senders(s, _raters(found.senders))
            s.execute(delete(WeChatOption).where(WeChatOption.openid.in_(found.senders))
                      .execution_options(synchronize_session=False))
        messages = _wechat_messages(who, tickets, found.senders)
        if messages is not None:
            s.execute(delete(WeChatMessage).where(messages)
                      .execution_options(synchronize_session=False))
        outbox = _wechat_outbox(who, tickets, found.senders)
        if outbox is not None:
            s.execute(delete(WeChatOutbox).where(outbox)
                      .execution_options(synchronize_session=False))
        texts = _texts_match(who, tickets or ([who.ticket] if who.ticket else []))
        if texts is not None:
            s.execute(delete(UnansweredQuestion).where(texts)
                      .execution_options(synchronize_session=False))
            unanswered.delete_empty_groups(s)
        record(s, actor, "privacy_delete", target=who.ticket or mask_phone(who.phone),
               detail=f"{who.describe()}：{found.counts()}；申请说明："
                      f"{mask_personal(reason)[:150]}")
    try:
        tracker.delete_senders(tracker_url, found.senders)
    except Exception as err:
        with db.transaction() as s:
            record(s, actor, "privacy_delete", "failed", target=who.ticket or
                   mask_phone(who.phone), detail=f"对话记录未能删除（"
                   f"{type(err).__name__}），请再提交一次删除")
        raise
    return found
