"""Staff look-up: knowledge search with sources, and the questions the bot could not answer.

Every route needs `Authorization: Bearer <STAFF_TOKEN>`. With no token configured the routes
refuse everything: a forgotten variable must close the door, not open it.
"""
from __future__ import annotations

import dataclasses
import functools
import hmac
from pathlib import Path

from sanic import Blueprint, response
from sqlalchemy import func, select

from knowledge.models import UnansweredQuestion
from knowledge.storage import Database

PAGE = Path(__file__).resolve().parent / "static" / "staff.html"
MAX_QUERY = 200


def authorised(request) -> bool:
    expected = request.app.config.STAFF_TOKEN
    given = request.headers.get("authorization", "")
    if not expected or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given[7:].encode(), expected.encode())


def staff_only(handler):
    @functools.wraps(handler)
    async def wrapper(request, *args, **kwargs):
        if not authorised(request):
            return response.json({"error": "staff token required"},
                                 status=401 if request.app.config.STAFF_TOKEN else 403)
        return await handler(request, *args, **kwargs)
    return wrapper


def _plain(found) -> dict:
    out = dataclasses.asdict(found)
    for key in ("in_force_from", "in_force_until", "last_verified"):
        out[key] = out[key] and out[key].isoformat()
    return out


def unanswered(db: Database, limit: int = 100) -> list[dict]:
    with db.session() as s:
        rows = s.execute(
            select(UnansweredQuestion.text, func.count().label("n"),
                   func.max(UnansweredQuestion.created_at).label("last"))
            .group_by(UnansweredQuestion.text)
            .order_by(func.count().desc(), func.max(UnansweredQuestion.created_at).desc())
            .limit(limit)).all()
    return [{"text": r.text, "count": r.n, "last_asked": r.last.isoformat(timespec="seconds")}
            for r in rows]


def blueprint() -> Blueprint:
    bp = Blueprint("staff", url_prefix="/staff")

    @bp.get("/")
    async def page(request):  # the page itself holds no data; its calls carry the token
        return await response.file(PAGE, mime_type="text/html; charset=utf-8")

    @bp.get("/api/search")
    @staff_only
    async def search(request):
        query = (request.args.get("q") or "").strip()
        if not query:
            return response.json({"error": "q is empty"}, status=400)
        found = request.app.ctx.knowledge.search(query[:MAX_QUERY])
        return response.json({"query": query, "results": [_plain(f) for f in found]})

    @bp.get("/api/unanswered")
    @staff_only
    async def unanswered_list(request):
        return response.json({"questions": unanswered(request.app.ctx.db)})

    return bp
