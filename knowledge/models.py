"""The knowledge tables (replaced whole by each build), the log of unanswered questions with
their groups for staff review, and the daily count of questions answered."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from knowledge.storage import Base, utcnow


class Source(Base):
    __tablename__ = "kb_source"
    id = Column(String(64), primary_key=True)
    document = Column(Text, nullable=False)
    number = Column(String(128))
    issuer = Column(String(128))
    date = Column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD: only as precise as the source is
    note = Column(String(32))
    confidence = Column(String(1))  # H / M / L: an answer citing it can be no surer


class Answer(Base):
    __tablename__ = "kb_answer"
    id = Column(String(96), primary_key=True)
    topic = Column(String(32), nullable=False, index=True)
    title = Column(String(64), nullable=False)
    short = Column(Text, nullable=False)
    long = Column(Text)
    source_id = Column(String(64), ForeignKey("kb_source.id"), nullable=False)
    article = Column(String(64))
    confidence = Column(String(1), nullable=False)
    in_force_from = Column(Date)
    in_force_until = Column(Date)
    superseded_by = Column(String(96))
    change_note = Column(Text)
    last_verified = Column(Date, nullable=False)
    next_ids = Column(JSON, nullable=False, default=list)

    source = relationship(Source, lazy="joined")
    questions = relationship("Question", lazy="selectin", order_by="Question.id")

    def in_force(self, day: dt.date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= day) and (
            self.in_force_until is None or day <= self.in_force_until
        )


class Question(Base):
    __tablename__ = "kb_question"
    id = Column(Integer, primary_key=True)
    answer_id = Column(String(96), ForeignKey("kb_answer.id"), nullable=False, index=True)
    text = Column(Text, nullable=False)


class Division(Base):
    """A county-level division of Ganzhou (or a functional zone)."""
    __tablename__ = "kb_division"
    name = Column(String(32), primary_key=True)
    kind = Column(String(16), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)


class ServicePoint(Base):
    __tablename__ = "kb_service_point"
    id = Column(String(64), primary_key=True)
    type = Column(String(32), nullable=False)
    name = Column(String(128), nullable=False)
    division = Column(String(32), ForeignKey("kb_division.name"))  # NULL: serves the whole city
    address = Column(Text)  # NULL everywhere a source gives nothing: never guessed
    hours = Column(Text)
    phone = Column(String(64))
    verified = Column(Boolean, nullable=False, default=False)
    source_id = Column(String(64), ForeignKey("kb_source.id"), nullable=False)
    note = Column(Text)

    source = relationship(Source, lazy="joined")


class Term(Base):
    """Gazetteer: canonical terms and their variants (entity ruler, jieba dictionary, synonyms)."""
    __tablename__ = "kb_term"
    id = Column(Integer, primary_key=True)
    kind = Column(String(32), nullable=False, index=True)
    canonical = Column(String(64), nullable=False)
    variant = Column(String(64), nullable=False)


class Fee(Base):
    """An official fee (knowledge/data/fees.yml): a patent fee, or a trademark fee for one way
    of filing (paper or online). `amount` NULL: the sources name the fee but give no amount."""
    __tablename__ = "kb_fee"
    id = Column(String(96), primary_key=True)
    office = Column(String(16), nullable=False)  # patent / trademark
    item = Column(String(32), nullable=False)
    patent_type = Column(String(16))  # invention / utility_model / design / any
    year_from = Column(Integer)  # annual fees: the years of the patent's life it applies to
    year_to = Column(Integer)
    channel = Column(String(8))  # trademark fees: paper / online
    name = Column(String(64), nullable=False)
    amount = Column(Integer)  # whole yuan
    per = Column(String(16))  # trademark fees: class / good / application
    includes = Column(Integer)  # goods included per class (registration)
    reducible = Column(Boolean)  # patent fees: whether 专利费减 applies
    source_id = Column(String(64), ForeignKey("kb_source.id"), nullable=False)
    confidence = Column(String(1), nullable=False)
    in_force_from = Column(Date)
    in_force_until = Column(Date)
    last_verified = Column(Date, nullable=False)

    source = relationship(Source, lazy="joined")


class FeeRule(Base):
    """A threshold, rate or period of the fee rules (income limit, 85 %, 10 years …)."""
    __tablename__ = "kb_fee_rule"
    id = Column(String(96), primary_key=True)
    rule = Column(String(48), nullable=False, index=True)
    name = Column(Text, nullable=False)
    value = Column(Integer)  # NULL: a statement without a number
    unit = Column(String(16))
    source_id = Column(String(64), ForeignKey("kb_source.id"), nullable=False)
    confidence = Column(String(1), nullable=False)
    in_force_from = Column(Date)
    in_force_until = Column(Date)
    last_verified = Column(Date, nullable=False)

    source = relationship(Source, lazy="joined")


class ApplicantKind(Base):
    """A kind of applicant and how it qualifies for 专利费减 (test), with the proof it uploads."""
    __tablename__ = "kb_applicant_kind"
    id = Column(String(32), primary_key=True)
    name = Column(String(32), nullable=False)
    test = Column(String(16), nullable=False)  # income / taxable_income / by_kind / not_covered
    words = Column(JSON, nullable=False, default=list)
    proof = Column(Text)
    proof_source_id = Column(String(64), ForeignKey("kb_source.id"))
    note = Column(Text)
    source_id = Column(String(64), ForeignKey("kb_source.id"), nullable=False)
    confidence = Column(String(1), nullable=False)
    last_verified = Column(Date, nullable=False)

    source = relationship(Source, lazy="joined", foreign_keys=[source_id])
    proof_source = relationship(Source, lazy="joined", foreign_keys=[proof_source_id])


class KbMeta(Base):
    __tablename__ = "kb_meta"
    key = Column(String(32), primary_key=True)
    value = Column(Text, nullable=False)


class AnswerVersion(Base):
    """One numbered version of an answer record (knowledge/editing.py). Not a knowledge table:
    builds add versions, never replace them. kb_answer/kb_question hold each record's current
    published version; this table holds every version, drafts and sent-back ones included.

    `content` is the record in the canonical file form (answer_rules.content_of), so a version
    is exactly what an answers/*.yml entry says."""
    __tablename__ = "kb_answer_version"
    __table_args__ = (UniqueConstraint("answer_id", "number"),)
    id = Column(Integer, primary_key=True)
    answer_id = Column(String(96), nullable=False, index=True)
    number = Column(Integer, nullable=False)  # 1, 2, … per answer
    state = Column(String(16), nullable=False, index=True)  # draft/published/rejected/withdrawn
    origin = Column(String(16), nullable=False)  # import/portal/rollback/unanswered/supersede
    content = Column(JSON, nullable=False)
    based_on = Column(Integer, ForeignKey("kb_answer_version.id"))  # the published one edited
    supersedes = Column(String(96))  # a new rule: the record it replaces from in_force_from
    author = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    reviewer = Column(String(64))
    reviewed_at = Column(DateTime)
    comment = Column(Text)  # why it was sent back, or what a rollback restored


class UnansweredGroup(Base):
    """Similar unanswered questions, reviewed together (knowledge/unanswered.py groups them).

    The group holds no question text of its own: its text and words are its questions', which
    expire with them (retention, PIPL requests); a group left without questions is deleted.
    `state` is what staff decided (review.STATES): open, dismissed (with a reason), a phrasing
    proposed for `answer_id`, or a new answer drafted; `version_id` names the knowledge-edit
    version that the proposal or draft made."""
    __tablename__ = "unanswered_group"
    id = Column(Integer, primary_key=True)
    state = Column(String(20), nullable=False, default="open", index=True)
    reason = Column(String(200))  # why it was dismissed
    answer_id = Column(String(96))  # the answer a phrasing was proposed for
    version_id = Column(Integer, ForeignKey("kb_answer_version.id"))  # the draft it made
    resolved_by = Column(String(64))
    resolved_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class UnansweredQuestion(Base):
    """A question the bot could not answer, or answered with low confidence (`kind`), for staff
    to improve the knowledge. Phone and ID numbers masked before it is stored."""
    __tablename__ = "unanswered_question"
    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    channel = Column(String(32), nullable=False)
    intent = Column(String(64))
    score = Column(Float)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # unanswered | overview (the topic's overview: no record covered it) | weak (a record
    # covering little of it); see knowledge/unanswered.py
    kind = Column(String(16), nullable=False, default="unanswered", server_default="unanswered")
    answer_id = Column(String(96))  # the answer given, when one was
    coverage = Column(Float)  # how much of the question that answer covered
    group_id = Column(Integer, ForeignKey("unanswered_group.id"), index=True)  # NULL: not yet
    # What it was grouped by (knowledge/unanswered.py): search's words, space-separated, and
    # the answer that matched it best then, with its coverage
    words = Column(Text)
    match_id = Column(String(96))
    match = Column(Float)


class QuestionCount(Base):
    """Questions the bot answered, per Beijing day, channel and outcome (answered, low, not
    answered): the dashboard reads this small table instead of scanning the tracker store."""
    __tablename__ = "question_count"
    __table_args__ = (UniqueConstraint("day", "channel", "outcome"),)
    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False)
    channel = Column(String(32), nullable=False)
    outcome = Column(String(16), nullable=False)
    n = Column(Integer, nullable=False, default=0)


KNOWLEDGE_TABLES = [Question.__table__, Answer.__table__, ServicePoint.__table__,
                    Division.__table__, Term.__table__, Fee.__table__, FeeRule.__table__,
                    ApplicantKind.__table__, Source.__table__, KbMeta.__table__]
