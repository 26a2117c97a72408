"""Citizens' 满意/不满意 on the bot's answers.

Only what staff need to find weak answers is kept: the widget's random sender id (to read the
conversation in the tracker store), its id for the message, a hash of the answer text, and the
vote. The answer text itself is never stored: a client can post anything as "text", and a hash
of free text holds no personal data. Staff match a hash to a knowledge-base answer by hashing the
answer as the bot renders it (`text_hash(kb.reply_for(answer_id).text)`).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Integer, String, UniqueConstraint

from knowledge.storage import Base, Database, upsert, utcnow

RATINGS = ("up", "down")
ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # widget-made ids: no free text fits through
ANSWER_ID_RE = re.compile(r"[a-z0-9_.-]{1,96}")
MAX_TEXT = 2000  # a rendered answer is ≤ 300 characters plus a note and the source line


class AnswerRating(Base):
    __tablename__ = "answer_rating"
    __table_args__ = (UniqueConstraint("sender", "message_id"),)
    id = Column(Integer, primary_key=True)
    sender = Column(String(64), nullable=False, index=True)
    message_id = Column(String(64), nullable=False)
    text_hash = Column(String(64), nullable=False, index=True)
    answer_id = Column(String(96))  # set when the bot tells the widget which answer it sent
    rating = Column(String(4), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class InvalidRating(ValueError):
    pass


@dataclass(frozen=True)
class Vote:
    sender: str
    message_id: str
    text_hash: str
    rating: str
    answer_id: str | None = None


def text_hash(text: str) -> str:
    """Line endings and outer blanks differ between browsers and the bot; the words do not."""
    normal = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def parse(data: object) -> Vote:
    """The widget's JSON body → a Vote, or InvalidRating saying which field is wrong."""
    if not isinstance(data, dict):
        raise InvalidRating("body must be a JSON object")
    sender, message_id = data.get("sender"), data.get("message_id")
    text, rating, answer_id = data.get("text"), data.get("rating"), data.get("answer_id")
    for name, value in (("sender", sender), ("message_id", message_id)):
        if not isinstance(value, str) or not ID_RE.fullmatch(value):
            raise InvalidRating(f"{name} must be 1–64 of A-Z a-z 0-9 _ -")
    if rating not in RATINGS:
        raise InvalidRating("rating must be 'up' or 'down'")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise InvalidRating(f"text must be the answer, 1–{MAX_TEXT} characters")
    if answer_id is not None and (not isinstance(answer_id, str)
                                  or not ANSWER_ID_RE.fullmatch(answer_id)):
        raise InvalidRating("answer_id must be a knowledge-base answer id")
    return Vote(sender, message_id, text_hash(text), rating, answer_id)


def save(db: Database, vote: Vote) -> None:
    """One vote per message: changing one's mind replaces the earlier vote."""
    with db.transaction() as s:
        upsert(s, AnswerRating, {"sender": vote.sender, "message_id": vote.message_id},
               {"text_hash": vote.text_hash, "rating": vote.rating, "answer_id": vote.answer_id,
                "updated_at": utcnow()})
