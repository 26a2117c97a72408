"""The desk: leads and call-back requests in the browser (role 坐席 or 审核).

    GET  /staff/desk                  the list: filters, masked phones, overdue markers
    GET  /staff/desk/export.csv       every field of the filtered cases (audited)
    GET  /staff/desk/<ticket>         one case with its history (opening it is audited)
    POST /staff/desk/<ticket>         a new status and/or a note (audited)

The list shows no personal data beyond a masked phone and is not audited; everything that
shows more writes its audit entry in the same transaction as the read.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy import select

from bot.leads import cases
from bot.leads.cases import CATEGORIES, Deadlines, Filter, NotAllowed
from bot.leads.models import KINDS, STATUSES
from bot.leads.workdays import local_date
from bot.portal.audit import Actor, record
from bot.portal.auth import page
from bot.portal.pages import blocking, render
from knowledge.models import Division
from knowledge.storage import Database

TICKET = re.compile(r"(GZ|HD)-\d{8}-[0-9A-Z]{5}")
PAGE_SIZE = 50
MAX_LIMIT = 200
CSV_FIELDS = [  # (key, column for scripts, column for people)
    ("category", "category", "类别"), ("ticket", "ticket", "编号"), ("status", "status", "状态"),
    ("kind", "kind", "类型"), ("county", "county", "县区"), ("channel", "channel", "渠道"),
    ("created_at", "created_at", "登记时间"), ("updated_at", "status_since", "状态更新时间"),
    ("due", "due", "期限"), ("overdue", "overdue", "超期"), ("what", "what", "经过"),
    ("place", "place", "地点"), ("who", "who", "对象"), ("evidence", "evidence", "证据"),
    ("name", "name", "联系人"), ("phone", "phone", "电话"), ("question", "question", "问题"),
    ("closed_at", "closed_at", "办结时间"), ("anonymised_at", "anonymised_at", "匿名化时间"),
]


def deadlines(request: Request) -> Deadlines:
    app = request.app
    return Deadlines(app.ctx.calendar.get(), app.config.CASE_DUE_DAYS,
                     local_date(app.config.CLOCK()))


def parse_filter(args) -> Filter:
    """The filters of a request's query string; ValueError names the one that is wrong."""
    def one(name: str, allowed=None) -> str | None:
        value = (args.get(name) or "").strip() or None
        if value is not None and allowed is not None and value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        if value is not None and len(value) > 64:
            raise ValueError(f"{name} is too long")
        return value

    def day(name: str) -> dt.date | None:
        value = one(name)
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise ValueError(f"{name} must be a date like 2026-11-26") from None

    return Filter(category=one("category", CATEGORIES), status=one("status", STATUSES),
                  kind=one("kind", KINDS), county=one("county"), since=day("from"),
                  until=day("to"), overdue=(args.get("overdue") or "") in ("1", "on", "true"))


def number(args, name: str, default: int, lowest: int, highest: int) -> int:
    try:
        value = int(args.get(name) or default)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if not lowest <= value <= highest:
        raise ValueError(f"{name} must be between {lowest} and {highest}")
    return value


def spreadsheet_cell(value) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: citizens wrote these."""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") + "Z"
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(rows: list[cases.Case], for_people: bool) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    writer = csv.writer(out)
    writer.writerow([people if for_people else script for _, script, people in CSV_FIELDS])
    for case in rows:
        writer.writerow([spreadsheet_cell(getattr(case, key)) for key, _, _ in CSV_FIELDS])
    return out.getvalue()


# --- what the handlers do, one transaction each ---------------------------------------------
def find(db: Database, flt: Filter, due: Deadlines, limit: int, offset: int):
    with db.session() as s:
        return cases.find(s, flt, due, limit, offset)


def counties(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.execute(select(Division.name).order_by(Division.name)).scalars())


def open_case(db: Database, actor: Actor, ticket: str, due: Deadlines) -> cases.Case | None:
    """The whole case; the audit entry is committed before anything is shown."""
    with db.transaction() as s:
        case = cases.get(s, ticket, due)
        if case is not None:
            record(s, actor, "view", target=ticket, detail=cases.CATEGORIES[case.category])
        return case


def change_case(db: Database, actor: Actor, ticket: str, status: str | None, note: str | None,
                due: Deadlines, now: dt.datetime) -> cases.Case | None:
    with db.transaction() as s:
        before = cases.get(s, ticket, due)
        case = cases.change(s, ticket, status, note, actor.label, due, now)
        if case is not None:
            labels = cases.STATUS_LABELS
            moved = (f"{labels[before.status]} → {labels[case.status]}"
                     if case.status != before.status else f"状态不变（{labels[case.status]}）")
            # the note's words stay in the case's history, which expires with the case
            record(s, actor, "status", target=ticket, detail=moved + (
                "；加了备注" if (note or "").strip() else ""), now=now)
        return case


def export_cases(db: Database, actor: Actor, flt: Filter, due: Deadlines) -> list[cases.Case]:
    with db.transaction() as s:
        rows = cases.export(s, flt, due)
        record(s, actor, "export", target="cases", detail=f"{len(rows)}件；筛选：{flt.describe()}")
        return rows


def _query_without(args, *names: str) -> str:
    """The current filters as a query string, for the pages' links."""
    return urlencode([(k, v) for k in args for v in args.getlist(k) if k not in names])


bp = Blueprint("staff_desk", url_prefix="/staff")


@bp.get("/desk")
@page("cases")
async def desk(request: Request):
    db, due = request.app.ctx.db, deadlines(request)
    error = None
    try:
        flt = parse_filter(request.args)
        current = number(request.args, "page", 1, 1, 10**6)
    except ValueError as err:
        error, flt, current = str(err), Filter(), 1
    total, rows = await blocking(find, db, flt, due, PAGE_SIZE, (current - 1) * PAGE_SIZE)
    return render(request, "desk.html", filter=flt, rows=rows, total=total, page=current,
                  pages=max(1, -(-total // PAGE_SIZE)), error=error,
                  counties=await blocking(counties, db), kinds=KINDS, statuses=STATUSES,
                  query=_query_without(request.args, "page"),
                  calendar_covers=due.calendar.covers(due.today.year), today=due.today)


@bp.get("/desk/export.csv")
@page("cases")
async def export(request: Request):
    try:
        flt = parse_filter(request.args)
    except ValueError as err:
        return response.text(str(err), status=400)
    rows = await blocking(export_cases, request.app.ctx.db, request.ctx.actor, flt,
                          deadlines(request))
    name = f"cases-{local_date(request.app.config.CLOCK()):%Y%m%d}.csv"
    return response.text(csv_text(rows, for_people=True), content_type="text/csv; charset=utf-8",
                         headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def _case_page(request: Request, ticket: str, status: int = 200, error: str | None = None,
                     form: dict | None = None):
    case = await blocking(open_case, request.app.ctx.db, request.ctx.actor, ticket,
                          deadlines(request))
    if case is None:
        return render(request, "not_found.html", status=404)
    return render(request, "case.html", status=status, case=case, error=error,
                  transitions=cases.TRANSITIONS[case.status], form=form or {},
                  saved=request.args.get("saved") == "1", max_note=cases.MAX_NOTE)


@bp.get("/desk/<ticket>")
@page("cases")
async def case_page(request: Request, ticket: str):
    if not TICKET.fullmatch(ticket):
        return render(request, "not_found.html", status=404)
    return await _case_page(request, ticket)


@bp.post("/desk/<ticket>")
@page("cases")
async def case_change(request: Request, ticket: str):
    if not TICKET.fullmatch(ticket):
        return render(request, "not_found.html", status=404)
    status = (request.form.get("status") or "").strip() or None
    note = request.form.get("note") or ""
    if status is not None and status not in STATUSES:
        return await _case_page(request, ticket, 400, "请选择有效的状态。")
    try:
        case = await blocking(change_case, request.app.ctx.db, request.ctx.actor, ticket, status,
                              note, deadlines(request), request.app.config.CLOCK())
    except NotAllowed as err:
        return await _case_page(request, ticket, 409, str(err), {"status": status, "note": note})
    if case is None:
        return render(request, "not_found.html", status=404)
    return response.redirect(f"/staff/desk/{ticket}?saved=1", status=303)
