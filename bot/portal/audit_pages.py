"""The audit log for the role 审计: search it, export it. Reading it is itself recorded.

    GET /staff/audit?from=&to=&actor=&action=&target=&result=&page=
    GET /staff/audit.csv?<the same filters>
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request

from bot.portal import audit
from bot.portal.auth import page
from bot.portal.desk import number, spreadsheet_cell
from bot.portal.pages import beijing, blocking, render

bp = Blueprint("staff_audit", url_prefix="/staff")
PAGE_SIZE = 100


def parse_query(args) -> audit.Query:
    def one(name: str, allowed=None) -> str | None:
        value = (args.get(name) or "").strip()[:64] or None
        if value and allowed and value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        return value

    def day(name: str) -> dt.date | None:
        value = one(name)
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise ValueError(f"{name} must be a date like 2026-11-26") from None

    return audit.Query(since=day("from"), until=day("to"), actor=one("actor"),
                       action=one("action", audit.ACTIONS), target=one("target"),
                       result=one("result", audit.RESULTS))


@bp.get("/audit")
@page("audit")
async def audit_page(request: Request):
    error = None
    try:
        query = parse_query(request.args)
        current = number(request.args, "page", 1, 1, 10**6)
    except ValueError as err:
        error, query, current = str(err), audit.Query(), 1
    total, rows = await blocking(audit.search, request.app.ctx.db, query, request.ctx.actor,
                                 PAGE_SIZE, (current - 1) * PAGE_SIZE)
    links = urlencode([(k, v) for k in request.args for v in request.args.getlist(k)
                       if k != "page"])
    return render(request, "audit.html", rows=rows, total=total, page=current,
                  pages=max(1, -(-total // PAGE_SIZE)), query=query, error=error, links=links)


@bp.get("/audit.csv")
@page("audit")
async def audit_export(request: Request):
    try:
        query = parse_query(request.args)
    except ValueError as err:
        return response.text(str(err), status=400)
    _, rows = await blocking(audit.search, request.app.ctx.db, query, request.ctx.actor,
                             export=True)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["时间（北京）", "人员", "角色", "IP", "事件", "对象", "结果", "说明"])
    for e in rows:
        writer.writerow([spreadsheet_cell(v) for v in (
            beijing(e.at, seconds=True), e.actor, e.role, e.ip, e.action, e.target, e.result,
            e.detail)])
    return response.text(out.getvalue(), content_type="text/csv; charset=utf-8",
                         headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
