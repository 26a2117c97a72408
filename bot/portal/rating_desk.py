"""The follow-up of bad ratings in the browser (role 坐席 or 审核; followups.py holds the rules).

    GET  /staff/ratings               the list: open / overdue / closed / all
    GET  /staff/ratings/<id>          one item: question, answer, rating, comment (audited)
    POST /staff/ratings/<id>          what was done, with the reason: closes the item (audited)

The list shows no free text (no comments, no questions) and is not audited; the item page and
every change write their audit entry in the same transaction as the read or the change.
"""
from __future__ import annotations

import datetime as dt

from sanic import Blueprint, response
from sanic.request import Request

from bot.leads.workdays import local_date
from bot.portal import followups
from bot.portal.audit import Actor, record
from bot.portal.auth import page
from bot.portal.desk import number
from bot.portal.pages import blocking, render
from knowledge.storage import Database

PAGE_SIZE = 50
MAX_ID = 2**31 - 1


def _today(request: Request) -> dt.date:
    return local_date(request.app.config.CLOCK())


def find(db: Database, state: str | None, today: dt.date, page_no: int):
    with db.session() as s:
        total, rows = followups.find(s, state, today, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        return total, rows, followups.counts(s, today)


def open_item(db: Database, actor: Actor, item_id: int, today: dt.date):
    """The item; its audit entry is committed before anything is shown."""
    with db.transaction() as s:
        item = followups.get(s, item_id, today)
        if item is not None:
            record(s, actor, "view", target=item.label, detail="差评回访：评价、说明与对话")
        return item


def close_item(db: Database, actor: Actor, item_id: int, outcome: str | None, reason: str,
               now: dt.datetime):
    with db.transaction() as s:
        item = followups.close(s, item_id, outcome, reason, actor.label, now)
        if item is not None:
            # the reason's words stay on the item, which expires with it
            record(s, actor, "status", target=item.label,
                   detail=f"差评回访：待处理 → 已办结（{followups.OUTCOMES[item.outcome]}）", now=now)
        return item


bp = Blueprint("staff_ratings", url_prefix="/staff")


@bp.get("/ratings")
@page("ratings")
async def ratings_list(request: Request):
    state = (request.args.get("state") or "open").strip()
    error = None
    if state not in (*followups.STATES, "all"):
        error, state = "状态只能是：待处理、已超期、已办结或全部。", "open"
    try:
        current = number(request.args, "page", 1, 1, 10**6)
    except ValueError as err:
        error, current = str(err), 1
    today = _today(request)
    total, rows, counts = await blocking(find, request.app.ctx.db,
                                         None if state == "all" else state, today, current)
    return render(request, "ratings.html", state=state, rows=rows, total=total, counts=counts,
                  page=current, pages=max(1, -(-total // PAGE_SIZE)), error=error,
                  states=followups.STATES, outcomes=followups.OUTCOMES,
                  days=request.app.config.RATING_FOLLOWUP_DAYS)


async def _item_page(request: Request, item_id: int, status: int = 200,
                     error: str | None = None, form: dict | None = None):
    item = await blocking(open_item, request.app.ctx.db, request.ctx.actor, item_id,
                          _today(request))
    if item is None:
        return render(request, "not_found.html", status=404)
    return render(request, "rating_item.html", status=status, item=item, error=error,
                  form=form or {}, outcomes=followups.OUTCOMES, max_reason=followups.MAX_REASON,
                  saved=request.args.get("saved") == "1")


@bp.get("/ratings/<item_id:int>")
@page("ratings")
async def item_page(request: Request, item_id: int):
    if not 0 < item_id <= MAX_ID:
        return render(request, "not_found.html", status=404)
    return await _item_page(request, item_id)


@bp.post("/ratings/<item_id:int>")
@page("ratings")
async def item_close(request: Request, item_id: int):
    if not 0 < item_id <= MAX_ID:
        return render(request, "not_found.html", status=404)
    outcome = (request.form.get("outcome") or "").strip() or None
    reason = request.form.get("reason") or ""
    try:
        item = await blocking(close_item, request.app.ctx.db, request.ctx.actor, item_id,
                              outcome, reason, request.app.config.CLOCK())
    except followups.NotAllowed as err:
        return await _item_page(request, item_id, 409 if "已办结" in str(err) else 400,
                                str(err), {"outcome": outcome, "reason": reason})
    if item is None:
        return render(request, "not_found.html", status=404)
    return response.redirect(f"/staff/ratings/{item_id}?saved=1", status=303)
