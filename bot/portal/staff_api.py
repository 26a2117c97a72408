"""The staff JSON API for scripts: each person's own API token (`Authorization: Bearer gzs_…`,
made on /staff/tokens), the same role table and the same audit log as the pages.

    GET  /staff/api/search?q=                              knowledge search      (lookup)
    GET  /staff/api/unanswered?state=&limit=&offset=      groups of unanswered questions (review)
    GET  /staff/api/dashboard?days=30                      the dashboard's figures  (dashboard)
    GET  /staff/api/cases?category=&status=&kind=&county=&from=&to=&overdue=&limit=&offset=
         leads and call-backs, newest first, phones masked                     (cases)
    GET  /staff/api/cases.csv?<the same filters>           every field; audited (cases)
    GET  /staff/api/cases/<ticket>                         every field; audited (cases)
    POST /staff/api/cases/<ticket>/status  {"status": "accepted", "note": "…"}  audited
"""
from __future__ import annotations

import datetime as dt

from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.leads import cases
from bot.leads.cases import NotAllowed
from bot.leads.models import STATUSES
from bot.portal import dashboard, desk, review
from bot.portal.auth import api
from bot.portal.pages import blocking
from bot.portal.staff import MAX_QUERY, plain


def _time(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def listed(row: cases.Listed) -> dict:
    return {"category": row.category, "ticket": row.ticket, "status": row.status,
            "kind": row.kind, "county": row.county, "channel": row.channel,
            "phone": row.phone_masked, "created_at": _time(row.created_at),
            "status_since": _time(row.updated_at), "due": _time(row.due),
            "overdue": row.overdue}


def full(case: cases.Case) -> dict:
    out = {script: _time(getattr(case, key)) for key, script, _ in desk.CSV_FIELDS}
    out["history"] = [{"at": _time(n.at), "staff": n.staff, "from": n.from_status,
                       "to": n.to_status, "note": n.note} for n in case.notes]
    return out


bp = Blueprint("staff_api", url_prefix="/staff/api")


@bp.get("/search")
@api("lookup")
async def search(request: Request):
    query = (request.args.get("q") or "").strip()
    if not query:
        return response.json({"error": "q is empty"}, status=400)
    found = await blocking(request.app.ctx.knowledge.search, query[:MAX_QUERY])
    return response.json({"query": query, "results": [plain(f) for f in found]})


@bp.get("/unanswered")
@api("review")
async def unanswered_list(request: Request):
    state = (request.args.get("state") or "open").strip()
    if state not in review.LISTS:
        return response.json({"error": f"state must be one of {', '.join(review.LISTS)}"},
                             status=400)
    try:
        limit = desk.number(request.args, "limit", 50, 1, desk.MAX_LIMIT)
        offset = desk.number(request.args, "offset", 0, 0, 10**9)
    except ValueError as err:
        return response.json({"error": str(err)}, status=400)
    total, found = await blocking(review.review, request.app.ctx.db, request.app.ctx.knowledge,
                                  None if state == "all" else state, None, limit, offset)
    return response.json({"total": total, "groups": [
        {k: _time(v) for k, v in r.plain().items()} for r in found]})


@bp.get("/dashboard")
@api("dashboard")
async def dashboard_figures(request: Request):
    return await dashboard.figures_json(request)


@bp.get("/cases")
@api("cases")
async def list_cases(request: Request):
    try:
        flt = desk.parse_filter(request.args)
        limit = desk.number(request.args, "limit", 50, 1, desk.MAX_LIMIT)
        offset = desk.number(request.args, "offset", 0, 0, 10**9)
    except ValueError as err:
        return response.json({"error": str(err)}, status=400)
    total, rows = await blocking(desk.find, request.app.ctx.db, flt, desk.deadlines(request),
                                 limit, offset)
    return response.json({"total": total, "cases": [listed(r) for r in rows]})


@bp.get("/cases.csv")
@api("cases")
async def export(request: Request):
    try:
        flt = desk.parse_filter(request.args)
    except ValueError as err:
        return response.json({"error": str(err)}, status=400)
    rows = await blocking(desk.export_cases, request.app.ctx.db, request.ctx.actor, flt,
                          desk.deadlines(request))
    return response.text(desk.csv_text(rows, for_people=False),
                         content_type="text/csv; charset=utf-8",
                         headers={"Content-Disposition": 'attachment; filename="cases.csv"'})


@bp.get("/cases/<ticket>")
@api("cases")
async def view(request: Request, ticket: str):
    case = await blocking(desk.open_case, request.app.ctx.db, request.ctx.actor, ticket,
                          desk.deadlines(request)) if desk.TICKET.fullmatch(ticket) else None
    if case is None:
        return response.json({"error": "no such case"}, status=404)
    return response.json(full(case))


@bp.post("/cases/<ticket>/status")
@api("cases")
async def change_status(request: Request, ticket: str):
    try:
        body = request.json if request.body else None
    except InvalidUsage:  # not JSON
        body = None
    if not isinstance(body, dict):
        return response.json({"error": 'send JSON: {"status": …, "note": …}'}, status=400)
    new, note = body.get("status"), body.get("note")
    if (new is not None and new not in STATUSES) or (note is not None and
                                                      not isinstance(note, str)):
        return response.json({"error": f"status must be one of {', '.join(STATUSES)}; "
                                       "note must be text"}, status=400)
    if not desk.TICKET.fullmatch(ticket):
        return response.json({"error": "no such case"}, status=404)
    try:
        case = await blocking(desk.change_case, request.app.ctx.db, request.ctx.actor, ticket,
                              new, note, desk.deadlines(request), request.app.config.CLOCK())
    except NotAllowed as err:
        return response.json({"error": str(err)}, status=409)
    if case is None:
        return response.json({"error": "no such case"}, status=404)
    return response.json(listed(case.listed()))
