"""Citizens' 好差评 on the bot's answers: five levels (国办发〔2019〕51号), one rating per answer,
an optional comment.

Levels: 非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意; the last two are 差评 and open a
follow-up item for staff (followups.py) in the same transaction as the rating.

One rating per answer (一次一评): a second rating of the same answer (same widget sender id and
message id) is refused, not replaced — a bad rating has already opened a follow-up, and a
citizen could otherwise turn it into a good one while staff work it. The widget says so.

What is kept: the widget's random sender id (to read the conversation in the tracker store),
its id for the message, a hash of the answer text, the level, the answer's knowledge-base id
when the bot said it, and the comment with phone and ID-card numbers masked. The answer text
itself is not kept here: a client can post anything as "text". Staff match a hash to a
knowledge-base answer by hashing the answer as the bot renders it
(`text_hash(kb.reply_for(answer_id).text)`).

Both channels rate through here (CHANNELS): the widget posts to /api/ratings, the WeChat
channel rates in bot/channels/wechat_rating.py. A WeChat rating's sender is a pseudonym of
the OpenID (bot/channels/wechat_store.py `pseudonym`), never the OpenID itself, and its
message id names the rated answer's turn.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Session

from knowledge.storage import Base, utcnow
from knowledge.text import mask_personal

# key → label, best first. The keys are what the widget posts and what is stored.
LEVELS = {"very_satisfied": "非常满意", "satisfied": "满意", "fair": "基本满意",
          "dissatisfied": "不满意", "very_dissatisfied": "非常不满意"}
BAD = frozenset({"dissatisfied", "very_dissatisfied"})  # 差评: followed up by staff
# A widget still cached from before the five levels (public, max-age 300) posts these.
OLD_WORDS = {"up": "satisfied", "down": "dissatisfied"}
CHANNELS = {"widget": "网页", "wechat": "微信"}  # key → label on the staff desk
ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # widget-made ids: no free text fits through
ANSWER_ID_RE = re.compile(r"[a-z0-9_.-]{1,96}")
MAX_TEXT = 2000  # a rendered answer is ≤ 300 characters plus a note and the source line
MAX_COMMENT = 200  # characters, as people count them (emoji count as one)


class AnswerRating(Base):
    __tablename__ = "answer_rating"
    __table_args__ = (UniqueConstraint("sender", "message_id"),)
    id = Column(Integer, primary_key=True)
    sender = Column(String(64), nullable=False, index=True)
    message_id = Column(String(64), nullable=False)
    text_hash = Column(String(64), nullable=False, index=True)
    answer_id = Column(String(96))  # set when the bot tells the widget which answer it sent
    rating = Column(String(20), nullable=False)  # a key of LEVELS
    comment = Column(String(MAX_COMMENT))  # phone and ID numbers masked
    channel = Column(String(16), nullable=False, default="widget", server_default="widget")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class InvalidRating(ValueError):
    """What is wrong, and with which field (the widget shows `comment` and `rating` errors)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class AlreadyRated(ValueError):
    """This answer has its rating (一次一评)."""


@dataclass(frozen=True)
class Vote:
    sender: str
    message_id: str
    text_hash: str
    rating: str
    answer_id: str | None = None
    comment: str | None = None
    text: str = ""  # what the widget showed; only for finding the exchange, never stored here
    channel: str = "widget"  # a key of CHANNELS
    # the tracker store's sender id of the conversation, when it is not `sender` (WeChat: the
    # OpenID, which is used to find the exchange and never stored)
    conversation: str | None = None

    @property
    def bad(self) -> bool:
        return self.rating in BAD


def text_hash(text: str) -> str:
    """Line endings and outer blanks differ between browsers and the bot; the words do not."""
    normal = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def masked(text: str) -> str:
    """Phone and ID-card numbers masked (knowledge/text.py); a text without any stays exactly
    as written (masking normalises full-width characters: "？" and "：" would change)."""
    out = mask_personal(text)
    return text if out == unicodedata.normalize("NFKC", text) else out


def clean_comment(raw: object) -> str | None:
    """The comment as stored: control characters out (PostgreSQL refuses NUL), blanks trimmed,
    phone and ID-card numbers masked; None when nothing is left."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidRating("评价说明须是文字。", "comment")
    text = "".join(c for c in raw if c in "\n" or unicodedata.category(c) != "Cc").strip()
    if not text:
        return None
    if len(text) > MAX_COMMENT:
        raise InvalidRating(f"评价说明请控制在{MAX_COMMENT}字以内（现在是{len(text)}字），"
                            "您写的内容还在输入框里。", "comment")
    return masked(text)


def parse(data: object) -> Vote:
    """The widget's JSON body → a Vote, or InvalidRating saying which field is wrong."""
    if not isinstance(data, dict):
        raise InvalidRating("body must be a JSON object", "body")
    sender, message_id = data.get("sender"), data.get("message_id")
    text, rating, answer_id = data.get("text"), data.get("rating"), data.get("answer_id")
    for name, value in (("sender", sender), ("message_id", message_id)):
        if not isinstance(value, str) or not ID_RE.fullmatch(value):
            raise InvalidRating(f"{name} must be 1–64 of A-Z a-z 0-9 _ -", name)
    if isinstance(rating, str):
        rating = OLD_WORDS.get(rating, rating)
    if rating not in LEVELS:
        raise InvalidRating("请选择评价等级：" + " / ".join(LEVELS.values()) +
                            f"（rating: {', '.join(LEVELS)}）", "rating")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise InvalidRating(f"text must be the answer, 1–{MAX_TEXT} characters", "text")
    if answer_id is not None and (not isinstance(answer_id, str)
                                  or not ANSWER_ID_RE.fullmatch(answer_id)):
        raise InvalidRating("answer_id must be a knowledge-base answer id", "answer_id")
    comment = clean_comment(data.get("comment"))
    return Vote(sender, message_id, text_hash(text), rating, answer_id, comment, text)


def add(s: Session, vote: Vote) -> AnswerRating:
    """Stores the rating in the caller's transaction; AlreadyRated when the answer has one.
    (Two posts at the same moment both pass the check; the unique constraint stops the second,
    and the caller turns its IntegrityError into AlreadyRated.)"""
    exists = s.execute(select(AnswerRating.id).where(
        AnswerRating.sender == vote.sender, AnswerRating.message_id == vote.message_id)).first()
    if exists:
        raise AlreadyRated("这条答复您已经评价过了，每条答复只能评价一次。")
    now = utcnow()
    row = AnswerRating(sender=vote.sender, message_id=vote.message_id, text_hash=vote.text_hash,
                       answer_id=vote.answer_id, rating=vote.rating, comment=vote.comment,
                       channel=vote.channel, created_at=now, updated_at=now)
    s.add(row)
    s.flush()
    return row
