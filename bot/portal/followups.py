"""The follow-up of bad ratings (差评整改): every 不满意 and 非常不满意 opens an item with a
deadline in working days; staff (坐席, 审核) record what was done and why.

国办发〔2019〕51号: every bad rating is followed up — clear cases fixed at once, a rating without
basis explained, a mistaken or malicious one judged so — and follow-up reaches 100%. Hence:
the item is opened in the same transaction as the rating (no bad rating without its item), it
is closed only with an outcome and a reason, and retention never deletes an open item.

The item keeps its own copy of the exchange (the citizen's question and the answer shown, phone
and ID numbers masked), read from Rasa's tracker store when the rating arrives, because the
tracker store redacts and deletes conversations on its own schedule. When the conversation is
not found there (a tracker store emptied, a client posting by hand), the item keeps the text
the widget sent and says so.

The deadline is fixed when the item opens: RATING_FOLLOWUP_WORKING_DAYS working days (default
5) after the day of the rating, on the desk's calendar (bot/leads/workdays.yml); an open item
is overdue from the day after.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Column, Date, DateTime, Integer, String, Text, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.leads.workdays import Calendar, local_date
from bot.portal import ratings
from bot.portal.ratings import LEVELS, AlreadyRated, Vote, masked, text_hash
from bot.privacy import tracker
from knowledge.storage import Base, Database

OUTCOMES = {"fixed": "答复已修正", "explained": "已解释说明", "mistaken": "评价不实（误评）"}
STATES = {"open": "待处理", "overdue": "已超期", "closed": "已办结"}
MAX_REASON = 500
MAX_QUESTION = 500
MAX_ANSWER = ratings.MAX_TEXT
logger = logging.getLogger("bot.portal.followups")
PREFIX = "CP"  # 差评: how pages and the audit log name an item (CP-12)


class RatingFollowUp(Base):
    __tablename__ = "rating_followup"
    id = Column(Integer, primary_key=True)
    rating_id = Column(Integer, nullable=False, unique=True)  # answer_rating.id (may expire first)
    sender = Column(String(64), nullable=False, index=True)  # for PIPL requests
    channel = Column(String(16), nullable=False, default="widget", server_default="widget")
    level = Column(String(20), nullable=False)
    comment = Column(String(ratings.MAX_COMMENT))  # masked
    question = Column(String(MAX_QUESTION))  # masked; None: not found in the tracker store
    answer = Column(Text, nullable=False)  # masked
    answer_id = Column(String(96))
    from_tracker = Column(Integer, nullable=False)  # 1: question and answer as the bot logged them
    created_at = Column(DateTime, nullable=False, index=True)
    due = Column(Date, nullable=False, index=True)
    closed_at = Column(DateTime, index=True)
    outcome = Column(String(16))
    reason = Column(String(MAX_REASON))
    closed_by = Column(String(64))


@dataclass(frozen=True)
class Rules:
    calendar: Calendar
    days: int  # working days to follow a bad rating up
    tracker_url: str


@dataclass(frozen=True)
class Saved:
    rating_id: int
    followup: str | None  # CP-… when the rating opened an item


@dataclass(frozen=True)
class Exchange:
    question: str | None
    answer: str
    from_tracker: bool


def label(item_id: int) -> str:
    return f"{PREFIX}-{item_id}"


def find_exchange(tracker_url: str, vote: Vote) -> Exchange:
    """The rated answer and the citizen's message before it, from the conversation."""
    question = None
    try:
        lines = tracker.transcript(tracker_url, [vote.conversation or vote.sender])
    except Exception as err:  # noqa: BLE001 — the tracker store down must not lose the rating
        logger.warning("rating follow-up: tracker store unreadable (%s)", type(err).__name__)
        lines = []
    for line in lines:
        if line.who == "市民":
            question = line.text
        elif line.who == "助手" and text_hash(line.text) == vote.text_hash:
            return Exchange(question and masked(question)[:MAX_QUESTION],
                            masked(line.text)[:MAX_ANSWER], True)
    return Exchange(None, masked(vote.text)[:MAX_ANSWER], False)


def rate(db: Database, vote: Vote, rules: Rules, now: dt.datetime) -> Saved:
    """Stores a rating and, for a bad one, its follow-up item, in one transaction.
    AlreadyRated when the answer has its rating."""
    exchange = find_exchange(rules.tracker_url, vote) if vote.bad else None
    try:
        with db.transaction() as s:
            row = ratings.add(s, vote)
            if exchange is None:
                return Saved(row.id, None)
            item = RatingFollowUp(
                rating_id=row.id, sender=vote.sender, channel=vote.channel, level=vote.rating,
                comment=vote.comment,
                question=exchange.question, answer=exchange.answer, answer_id=vote.answer_id,
                from_tracker=int(exchange.from_tracker), created_at=now,
                due=rules.calendar.due(local_date(now), rules.days))
            s.add(item)
            s.flush()
            return Saved(row.id, label(item.id))
    except IntegrityError:  # the same answer rated twice at the same moment
        raise AlreadyRated("这条答复您已经评价过了，每条答复只能评价一次。") from None


# --- the desk ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    id: int
    level: str
    comment: str | None
    question: str | None
    answer: str
    answer_id: str | None
    from_tracker: bool
    created_at: dt.datetime
    due: dt.date
    closed_at: dt.datetime | None
    outcome: str | None
    reason: str | None
    closed_by: str | None
    overdue: bool
    channel: str = "widget"

    @property
    def channel_label(self) -> str:
        return ratings.CHANNELS.get(self.channel, self.channel)

    @property
    def label(self) -> str:
        return label(self.id)

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, self.level)

    @property
    def state(self) -> str:
        return "closed" if self.closed_at else "overdue" if self.overdue else "open"


def _item(row: RatingFollowUp, today: dt.date) -> Item:
    return Item(row.id, row.level, row.comment, row.question, row.answer, row.answer_id,
                bool(row.from_tracker), row.created_at, row.due, row.closed_at, row.outcome,
                row.reason, row.closed_by, row.closed_at is None and today > row.due,
                row.channel)


def _where(state: str | None, today: dt.date) -> list:
    if state == "open":  # everything not yet closed, overdue ones included
        return [RatingFollowUp.closed_at.is_(None)]
    if state == "overdue":
        return [RatingFollowUp.closed_at.is_(None), RatingFollowUp.due < today]
    if state == "closed":
        return [RatingFollowUp.closed_at.isnot(None)]
    return []


def find(s: Session, state: str | None, today: dt.date, limit: int = 50,
         offset: int = 0) -> tuple[int, list[Item]]:
    """Items in this state (None: all), the earliest deadline first, and how many in all."""
    where = _where(state, today)
    total = s.execute(select(func.count()).select_from(RatingFollowUp).where(*where)).scalar()
    rows = s.execute(select(RatingFollowUp).where(*where)
                     .order_by(RatingFollowUp.closed_at.isnot(None), RatingFollowUp.due,
                               RatingFollowUp.id).limit(limit).offset(offset)).scalars()
    return total, [_item(r, today) for r in rows]


def counts(s: Session, today: dt.date) -> dict[str, int]:
    return {state: s.execute(select(func.count()).select_from(RatingFollowUp)
                             .where(*_where(state, today))).scalar()
            for state in STATES}


def get(s: Session, item_id: int, today: dt.date) -> Item | None:
    row = s.get(RatingFollowUp, item_id)
    return _item(row, today) if row else None


class NotAllowed(ValueError):
    """A change the rules do not allow; the message says why (in Chinese, for the page)."""


def close(s: Session, item_id: int, outcome: str | None, reason: str | None, staff: str,
          now: dt.datetime) -> Item | None:
    """Records what was done; None for an unknown item."""
    reason = (reason or "").strip()
    row = s.execute(select(RatingFollowUp).where(RatingFollowUp.id == item_id)
                    .with_for_update()).scalar_one_or_none()
    if row is None:
        return None
    if row.closed_at is not None:
        raise NotAllowed("这件差评已办结，不能再修改。")
    if outcome not in OUTCOMES:
        raise NotAllowed("请选择处理结果：" + "、".join(OUTCOMES.values()) + "。")
    if not reason:
        raise NotAllowed("请填写处理说明（做了什么、为什么）。")
    if len(reason) > MAX_REASON:
        raise NotAllowed(f"处理说明请控制在{MAX_REASON}字以内（现在是{len(reason)}字）。")
    row.outcome, row.reason, row.closed_by, row.closed_at = outcome, reason, staff[:64], now
    s.flush()
    return _item(row, local_date(now))


# --- retention and PIPL requests --------------------------------------------------------------
def delete_closed(s: Session, closed_before: dt.datetime) -> int:
    """Items closed before the cut-off; open items stay until they are followed up."""
    return s.execute(delete(RatingFollowUp).where(RatingFollowUp.closed_at < closed_before)
                     .execution_options(synchronize_session=False)).rowcount


def of_senders(s: Session, senders: list[str]) -> list[RatingFollowUp]:
    return list(s.execute(select(RatingFollowUp).where(RatingFollowUp.sender.in_(senders))
                          .order_by(RatingFollowUp.id)).scalars())


def delete_senders(s: Session, senders: list[str]) -> int:
    return s.execute(delete(RatingFollowUp).where(RatingFollowUp.sender.in_(senders))
                     .execution_options(synchronize_session=False)).rowcount


def add_comment(db: Database, rating_id: int, comment: str) -> bool:
    """A comment given after the rating (WeChat: "说明：…" after a tapped level), on the rating
    and on its follow-up item while that is open. False when the rating is gone or already has
    its comment (one rating, one comment: it is never replaced)."""
    with db.transaction() as s:
        row = s.execute(select(ratings.AnswerRating).where(ratings.AnswerRating.id == rating_id)
                        .with_for_update()).scalar_one_or_none()
        if row is None or row.comment:
            return False
        row.comment = comment
        item = s.execute(select(RatingFollowUp).where(RatingFollowUp.rating_id == rating_id,
                                                      RatingFollowUp.closed_at.is_(None))
                         ).scalar_one_or_none()
        if item is not None and not item.comment:
            item.comment = comment
        return True
