"""Staff look-up: the knowledge base as citizens get it, with sources (坐席, 审核), and the
questions the bot could not answer (审核: the knowledge loop).

    GET /staff/lookup?q=…      search
    GET /staff/unanswered      the unanswered questions, most asked first
"""
from __future__ import annotations

import dataclasses

from sanic import Blueprint
from sanic.request import Request
from sqlalchemy import func, select

from bot.portal.auth import page
from bot.portal.pages import blocking, render
from knowledge.models import UnansweredQuestion
from knowledge.storage import Database

MAX_QUERY = 200


def plain(found) -> dict:
    out = dataclasses.asdict(found)
    for key in ("in_force_from", "in_force_until", "last_verified"):
        out[key] = out[key] and out[key].isoformat()
    return out


def unanswered(db: Database, limit: int = 100) -> list[dict]:
    """Phone and ID numbers in them were masked when they were logged."""
    with db.session() as s:
        rows = s.execute(
            select(UnansweredQuestion.text, func.count().label("n"),
                   func.max(UnansweredQuestion.created_at).label("last"))
            .group_by(UnansweredQuestion.text)
            .order_by(func.count().desc(), func.max(UnansweredQuestion.created_at).desc())
            .limit(limit)).all()
    return [{"text": r.text, "count": r.n, "last_asked": r.last} for r in rows]


bp = Blueprint("staff_lookup", url_prefix="/staff")


@bp.get("/lookup")
@page("lookup")
async def lookup(request: Request):
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    found = await blocking(request.app.ctx.knowledge.search, query) if query else []
    return render(request, "lookup.html", query=query, results=[plain(f) for f in found])


@bp.get("/unanswered")
@page("review")
async def unanswered_page(request: Request):
    return render(request, "unanswered.html",
                  questions=await blocking(unanswered, request.app.ctx.db))
