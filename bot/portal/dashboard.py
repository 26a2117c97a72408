"""The dashboard (运行看板, 坐席 and 审核): how the assistant and the desk are doing over the last
`days` days, from one computation (`compute`) served three ways:

    GET /staff/dashboard?days=30          the page: every number as a table, drawn as charts by
                                          static/dashboard.js with ECharts when scripts run
    GET /staff/dashboard/data?days=30     its JSON, for the page's script (session cookie)
    GET /staff/api/dashboard?days=30      the same JSON for scripts (personal API token)

Every figure is an SQL aggregate (COUNT/SUM … GROUP BY); Python only folds the aggregated rows
(days × channels, topics × days × levels), never the rows of a table. Questions come from
`question_count` (one row per Beijing day, channel and outcome, counted by the action server as
it answers) rather than from Rasa's tracker store, whose `events` table holds every event of
every conversation as JSON with no index on time.

    questions      knowledge questions per day and channel; answered, answered with low
                   confidence, not answered (knowledge/unanswered.py); the share answered
    unanswered     the most asked open groups of unanswered questions in the window
    ratings        好差评 per topic (of the rated answer) and per week (Monday), five levels
    follow-ups     bad ratings' follow-up items: open, overdue, closed; opened in the window
    cases          leads filed in the window by status and county; call-backs by status
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy import func, literal_column, select

from bot import settings
from bot.leads.models import STATUSES, CallbackRequest, Lead
from bot.leads.cases import STATUS_LABELS
from bot.leads.workdays import local_date, utc_start
from bot.portal import followups, review
from bot.portal.auth import page
from bot.portal.pages import blocking, render
from bot.portal.ratings import BAD, LEVELS, AnswerRating
from knowledge.models import Answer, QuestionCount
from knowledge.storage import Database
from knowledge.unanswered import OUTCOMES

ECHARTS = settings.ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"
# in the script's URL, so that a browser keeping it a year fetches the next version at once
ECHARTS_VERSION = json.loads((settings.ROOT / "package.json").read_text(
    encoding="utf-8"))["dependencies"]["echarts"]
DEFAULT_DAYS, MAX_DAYS = 30, 366
TOP_GROUPS = 10
CHANNELS = {"rest": "网页", "wechat": "微信", "socketio": "网页", "cmdline": "命令行"}
NO_TOPIC = "（未标明答复）"
NO_COUNTY = "（未注明）"


def days_of(args) -> int:
    raw = (args.get("days") or "").strip()
    if not raw:
        return DEFAULT_DAYS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise ValueError(f"days 应为 1 到 {MAX_DAYS} 之间的整数")
    return int(raw)


def _local_day(column, dialect: str):
    """The Beijing date of a stored UTC time, in SQL."""
    if dialect == "postgresql":
        return func.date(column + literal_column("interval '8 hours'"))
    return func.date(column, "+8 hours")


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _questions(s, first: dt.date, last: dt.date) -> dict:
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    slot = {d: i for i, d in enumerate(days)}
    by_channel: dict[str, list[int]] = {}
    by_outcome = {o: [0] * len(days) for o in OUTCOMES}
    for day, channel, result, n in s.execute(
            select(QuestionCount.day, QuestionCount.channel, QuestionCount.outcome,
                   func.sum(QuestionCount.n))
            .where(QuestionCount.day >= first, QuestionCount.day <= last)
            .group_by(QuestionCount.day, QuestionCount.channel, QuestionCount.outcome)):
        i = slot[_day(day)]
        by_channel.setdefault(channel, [0] * len(days))[i] += int(n)
        if result in by_outcome:
            by_outcome[result][i] += int(n)
    totals = {o: sum(v) for o, v in by_outcome.items()}
    asked = sum(totals.values())
    return {"days": [d.isoformat() for d in days],
            "by_channel": {c: by_channel[c] for c in sorted(by_channel)},
            "by_outcome": by_outcome, "totals": {"asked": asked, **totals},
            "share_answered": round(totals["answered"] / asked, 3) if asked else None,
            "share_answered_or_low": round((totals["answered"] + totals["low"]) / asked, 3)
            if asked else None}


def _ratings(s, since: dt.datetime, dialect: str, topic_names: dict[str, str]) -> dict:
    day = _local_day(AnswerRating.created_at, dialect).label("day")
    rows = s.execute(
        select(Answer.topic, day, AnswerRating.rating, func.count())
        .select_from(AnswerRating).outerjoin(Answer, Answer.id == AnswerRating.answer_id)
        .where(AnswerRating.created_at >= since)
        .group_by(Answer.topic, day, AnswerRating.rating)).all()
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(LEVELS, 0))
    for topic, d, level, n in rows:
        if level in LEVELS:
            cells[(topic or "", _week(_day(d)).isoformat())][level] += n
    weeks = sorted({w for _, w in cells})
    topics = sorted({t for t, _ in cells}, key=lambda t: (t == "", t))
    table = [{"topic": t, "topic_name": topic_names.get(t, t) if t else NO_TOPIC, "week": w,
              "levels": cells[(t, w)], "total": sum(cells[(t, w)].values()),
              "bad": sum(n for k, n in cells[(t, w)].items() if k in BAD)}
             for t in topics for w in weeks if (t, w) in cells]
    by_topic = {t: dict.fromkeys(LEVELS, 0) for t in topics}
    by_week = {w: dict.fromkeys(LEVELS, 0) for w in weeks}
    for row in table:
        for level, n in row["levels"].items():
            by_topic[row["topic"]][level] += n
            by_week[row["week"]][level] += n
    return {"levels": LEVELS, "weeks": weeks,
            "topics": [{"topic": t, "topic_name": topic_names.get(t, t) if t else NO_TOPIC}
                       for t in topics],
            "by_topic": by_topic, "by_week": by_week, "table": table,
            "total": sum(r["total"] for r in table), "bad": sum(r["bad"] for r in table)}


def _followups(s, since: dt.datetime, today: dt.date) -> dict:
    counts = followups.counts(s, today)
    opened = s.execute(select(func.count()).select_from(followups.RatingFollowUp)
                       .where(followups.RatingFollowUp.created_at >= since)).scalar()
    return {"open": counts["open"], "overdue": counts["overdue"], "closed": counts["closed"],
            "opened_in_window": opened}


def _cases(s, since: dt.datetime) -> dict:
    leads: dict[str, dict[str, int]] = {}
    for county, status, n in s.execute(
            select(Lead.county, Lead.status, func.count()).where(Lead.created_at >= since)
            .group_by(Lead.county, Lead.status)):
        leads.setdefault(county or NO_COUNTY, dict.fromkeys(STATUSES, 0))[status] = n
    callbacks = dict.fromkeys(STATUSES, 0)
    for status, n in s.execute(select(CallbackRequest.status, func.count())
                               .where(CallbackRequest.created_at >= since)
                               .group_by(CallbackRequest.status)):
        callbacks[status] = n
    return {"statuses": STATUS_LABELS,
            "leads_by_county": {c: leads[c] for c in sorted(leads, key=lambda c: (
                c == NO_COUNTY, -sum(leads[c].values()), c))},
            "leads_by_status": {st: sum(v[st] for v in leads.values()) for st in STATUSES},
            "callbacks_by_status": callbacks}


def compute(db: Database, kb, days: int, now: dt.datetime) -> dict:
    """Everything the dashboard shows, for the `days` Beijing days up to today."""
    today = local_date(now)
    first = today - dt.timedelta(days=days - 1)
    since = utc_start(first)
    names = {t.id: t.name for t in kb.topics.values()}
    _, top = review.review(db, kb, "open", since, TOP_GROUPS)
    with db.session() as s:
        out = {"days": days, "from": first.isoformat(), "to": today.isoformat(),
               "channels": CHANNELS, "outcomes": OUTCOMES,
               "questions": _questions(s, first, today),
               "ratings": _ratings(s, since, db.dialect, names),
               "followups": _followups(s, since, today),
               "cases": _cases(s, since)}
    out["unanswered"] = [{"label": r.label, "text": r.group.text, "count": r.group.count,
                          "channels": dict(r.group.channels),
                          "last_asked": r.group.last_asked.isoformat(timespec="seconds") + "Z",
                          "best_answer": r.match_title, "coverage": r.match}
                         for r in top]
    return out


bp = Blueprint("staff_dashboard", url_prefix="/staff")


async def _data(request: Request, days: int) -> dict:
    return await blocking(compute, request.app.ctx.db, request.app.ctx.knowledge, days,
                          request.app.config.CLOCK())


@bp.get("/dashboard")
@page("dashboard")
async def dashboard_page(request: Request):
    try:
        days, error = days_of(request.args), None
    except ValueError as err:
        days, error = DEFAULT_DAYS, str(err)
    return render(request, "dashboard.html", status=400 if error else 200,
                  data=await _data(request, days), error=error, levels=LEVELS,
                  channels=CHANNELS, outcomes=OUTCOMES, statuses=STATUS_LABELS,
                  choices=(7, 30, 90, 365), echarts_version=ECHARTS_VERSION)


async def figures_json(request: Request):
    """The figures as JSON for ?days=…, or 400: the page's script and the API share it."""
    try:
        days = days_of(request.args)
    except ValueError as err:
        return response.json({"error": str(err)}, status=400)
    return response.json(await _data(request, days))


@bp.get("/dashboard/data")
@page("dashboard")
async def dashboard_data(request: Request):
    return await figures_json(request)
