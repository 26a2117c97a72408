"""`python -m bot retention` (run it daily): personal data out of every store when its period
ends. Periods come from bot/settings.py (README, "Personal data that expires"):

    Rasa's tracker store   conversations idle TRACKER_REDACT_DAYS: redacted (tracker.py);
                           idle TRACKER_RETENTION_DAYS: deleted
    leads, call-backs      closed LEADS_RETENTION_DAYS ago: anonymised (or deleted), notes too
    unanswered questions   older than UNANSWERED_RETENTION_DAYS: deleted, and the review's
                           groups left without questions (with what staff decided on them)
    ratings                older than RATINGS_RETENTION_DAYS: deleted; follow-up items of bad
                           ratings closed RATINGS_RETENTION_DAYS ago: deleted (open ones stay)
    WeChat channel         messages older than an hour, options unused WECHAT_OPTIONS_RETENTION_DAYS,
                           outbox rows unsent after 48 h emptied, done rows deleted after a week
    staff sessions         ended (idle or too old): deleted
    audit log              older than AUDIT_RETENTION_DAYS (never under 180): deleted

Each store is its own transaction: one that fails does not undo the others, and the run says
which. The run itself goes into the audit log.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import Column, DateTime, String, delete, select

from bot import settings
from bot.channels import wechat_outbox
from bot.channels.wechat_outbox import WeChatOutbox
from bot.channels.wechat_store import KEEP_MESSAGES, WeChatMessage, WeChatOption
from bot.leads import cases
from bot.portal import followups, sessions
from bot.portal.audit import Actor, AuditEntry, record
from bot.portal.ratings import AnswerRating
from bot.privacy import tracker
from knowledge import unanswered
from knowledge.models import UnansweredQuestion
from knowledge.storage import Base, Database, upsert, utcnow

logger = logging.getLogger("bot.privacy.retention")
SYSTEM = Actor(username="system:retention", role=None, via="system")
REDACT_MARK = "tracker_redacted_until"


class RetentionMark(Base):
    """How far the tracker store has been redacted: each run redacts only the conversations
    that went idle since the last run's cut-off (and conversations resumed since)."""
    __tablename__ = "retention_mark"
    name = Column(String(32), primary_key=True)
    until = Column(DateTime, nullable=False)


@dataclass(frozen=True)
class Periods:
    tracker_redact_days: int
    tracker_days: int
    cases_days: int
    unanswered_days: int
    ratings_days: int
    wechat_options_days: int
    audit_days: int

    @classmethod
    def configured(cls) -> "Periods":
        return cls(settings.tracker_redact_days(), settings.tracker_retention_days(),
                   settings.leads_retention_days(), settings.unanswered_retention_days(),
                   settings.ratings_retention_days(), settings.wechat_options_retention_days(),
                   settings.audit_retention_days())

    def __post_init__(self):
        if self.audit_days < settings.AUDIT_MINIMUM_DAYS:
            raise ValueError(f"the audit log is kept at least {settings.AUDIT_MINIMUM_DAYS} days")
        if self.tracker_days < self.tracker_redact_days:
            raise ValueError("conversations are deleted after they are redacted, not before")


@dataclass
class Report:
    done: dict[str, str] = field(default_factory=dict)  # store → what happened
    failed: dict[str, str] = field(default_factory=dict)  # store → error type

    def lines(self) -> list[str]:
        return [f"{store}: {text}" for store, text in self.done.items()] + \
               [f"{store}: FAILED ({error})" for store, error in self.failed.items()]


def _epoch(when: dt.datetime) -> float:
    return when.replace(tzinfo=dt.timezone.utc).timestamp()


def _tracker(app: Database, tracker_url: str, periods: Periods, now: dt.datetime) -> str:
    redact_before = now - dt.timedelta(days=periods.tracker_redact_days)
    delete_before = now - dt.timedelta(days=periods.tracker_days)
    with app.session() as s:
        mark = s.get(RetentionMark, REDACT_MARK)
    # Conversations idle since before the last cut-off were redacted then (a resumed one is
    # active again, so after it); those idle past the deletion cut-off go whole just below.
    since = mark.until if mark and mark.until <= redact_before else None
    talks, rows = tracker.redact_idle(tracker_url, _epoch(redact_before),
                                      _epoch(max(since or delete_before, delete_before)))
    with app.transaction() as s:
        upsert(s, RetentionMark, {"name": REDACT_MARK}, {"until": redact_before})
    gone, events = tracker.delete_idle(tracker_url, _epoch(delete_before))
    return (f"{talks} conversations redacted ({rows} events changed), "
            f"{gone} deleted ({events} events)")


def _cases(app: Database, periods: Periods, now: dt.datetime, remove: bool) -> str:
    before = now - dt.timedelta(days=periods.cases_days)
    with app.transaction() as s:
        if remove:
            return f"{cases.remove(s, cases.closed_tickets(s, before))} closed cases deleted"
        done = cases.anonymise_closed(s, before, now)
    return f"{done['lead']} leads and {done['callback']} call-backs anonymised"


def _older(app: Database, model, column, before: dt.datetime, what: str) -> str:
    with app.transaction() as s:
        n = s.execute(delete(model).where(column < before)
                      .execution_options(synchronize_session=False)).rowcount
    return f"{n} {what} deleted"


def _unanswered(app: Database, periods: Periods, now: dt.datetime) -> str:
    """The questions; then their groups left empty: a group's text is its questions'."""
    with app.transaction() as s:
        n = s.execute(delete(UnansweredQuestion).where(
            UnansweredQuestion.created_at < now - dt.timedelta(days=periods.unanswered_days))
            .execution_options(synchronize_session=False)).rowcount
        groups = unanswered.delete_empty_groups(s)
    return f"{n} questions and {groups} emptied groups deleted"


def _ratings(app: Database, periods: Periods, now: dt.datetime) -> str:
    before = now - dt.timedelta(days=periods.ratings_days)
    with app.transaction() as s:
        ratings = s.execute(delete(AnswerRating).where(AnswerRating.updated_at < before)
                            .execution_options(synchronize_session=False)).rowcount
        items = followups.delete_closed(s, before)
    return f"{ratings} ratings and {items} closed follow-up items deleted"


def _wechat(app: Database, periods: Periods, now: dt.datetime) -> str:
    with app.transaction() as s:
        messages = s.execute(delete(WeChatMessage).where(
            WeChatMessage.created_at < now - KEEP_MESSAGES)
            .execution_options(synchronize_session=False)).rowcount
        options = s.execute(delete(WeChatOption).where(
            WeChatOption.updated_at < now - dt.timedelta(days=periods.wechat_options_days))
            .execution_options(synchronize_session=False)).rowcount
        # the outbox: texts go when sent or expired, the rows (openid, outcome) a week later
        expired = wechat_outbox.expire_unsent(s, now)
        outbox = s.execute(delete(WeChatOutbox).where(
            WeChatOutbox.done_at < now - wechat_outbox.KEEP_DONE)
            .execution_options(synchronize_session=False)).rowcount
    if expired:
        logger.warning("retention: %d WeChat outbox row(s) expired unsent (48 h)", expired)
    return (f"{messages} messages and {options} option lists deleted, {expired} outbox rows "
            f"expired unsent, {outbox} outbox rows deleted")


def _staff_sessions(app: Database, now: dt.datetime) -> str:
    with app.transaction() as s:
        return f"{sessions.purge(s, now)} ended sessions deleted"


def _audit(app: Database, periods: Periods, now: dt.datetime) -> str:
    # Against the real clock only: a `now` set ahead (tests, a wrong clock) must never shorten
    # the log — and the database's trigger would refuse it anyway.
    before = min(now, utcnow()) - dt.timedelta(days=periods.audit_days)
    return _older(app, AuditEntry, AuditEntry.at, before, "audit entries")


def run(app: Database, tracker_url: str, periods: Periods | None = None,
        now: dt.datetime | None = None, remove_cases: bool = False) -> Report:
    periods = periods or Periods.configured()
    now = now or utcnow()
    steps = {
        "tracker store": lambda: _tracker(app, tracker_url, periods, now),
        "leads and call-backs": lambda: _cases(app, periods, now, remove_cases),
        "unanswered questions": lambda: _unanswered(app, periods, now),
        "ratings": lambda: _ratings(app, periods, now),
        "WeChat channel": lambda: _wechat(app, periods, now),
        "staff sessions": lambda: _staff_sessions(app, now),
        "audit log": lambda: _audit(app, periods, now),
    }
    report = Report()
    for store, step in steps.items():
        try:
            report.done[store] = step()
        except Exception as err:  # the others still run; the message may hold data: type only
            logger.error("retention of %s failed: %s", store, type(err).__name__)
            report.failed[store] = type(err).__name__
    with app.transaction() as s:
        record(s, SYSTEM, "retention", "failed" if report.failed else "ok",
               detail="; ".join(report.lines()), now=min(now, utcnow()))
    return report


def current_periods() -> list[tuple[str, str, str]]:
    """(store, what happens, variable = value) for the settings page and the README's table."""
    p = Periods.configured()
    return [
        ("Rasa 对话记录（tracker store）", f"闲置 {p.tracker_redact_days} 天后删除表单中填写的个人信息、"
         "遮蔽电话和身份证号", f"TRACKER_REDACT_DAYS = {p.tracker_redact_days}"),
        ("Rasa 对话记录（tracker store）", f"闲置 {p.tracker_days} 天后整段删除",
         f"TRACKER_RETENTION_DAYS = {p.tracker_days}"),
        ("侵权线索、回电请求及处理备注", f"办结 {p.cases_days} 天后匿名化",
         f"LEADS_RETENTION_DAYS = {p.cases_days}"),
        ("未能回答的问题", f"{p.unanswered_days} 天后删除",
         f"UNANSWERED_RETENTION_DAYS = {p.unanswered_days}"),
        ("满意度评价（好差评，含评价说明）", f"{p.ratings_days} 天后删除",
         f"RATINGS_RETENTION_DAYS = {p.ratings_days}"),
        ("差评处理记录（问题、答复、说明）", f"办结 {p.ratings_days} 天后删除；未办结的保留到办结",
         f"RATINGS_RETENTION_DAYS = {p.ratings_days}"),
        ("微信消息去重记录", "1 小时后删除", "（固定）"),
        ("微信编号选项（openid）", f"{p.wechat_options_days} 天未更新后删除",
         f"WECHAT_OPTIONS_RETENTION_DAYS = {p.wechat_options_days}"),
        ("微信客服消息发件箱（openid、回复内容）", "发出或超过 48 小时即清空内容，7 天后删除整条",
         "（固定）"),
        ("审计日志", f"{p.audit_days} 天后删除（不少于 {settings.AUDIT_MINIMUM_DAYS} 天）",
         f"AUDIT_RETENTION_DAYS = {p.audit_days}"),
    ]


def latest_run(app: Database) -> AuditEntry | None:
    with app.session() as s:
        return s.execute(select(AuditEntry).where(AuditEntry.action == "retention")
                         .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                         .limit(1)).scalar_one_or_none()
