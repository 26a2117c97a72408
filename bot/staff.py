"""Staff look-up: knowledge search with sources, and the questions the bot could not answer.

Every route needs `Authorization: Bearer <STAFF_TOKEN>`. With no token configured the routes
refuse everything: a forgotten variable must close the door, not open it.
"""
from __future__ import annotations

import functools
import hmac
from pathlib import Path

from sanic import Blueprint, response
from sqlalchemy import func, select

from bot import settings
from knowledge import db
from knowledge.models import UnansweredQuestion
from knowledge.service import KnowledgeService, source_line

PAGE = Path(__file__).parent / "staff_page.html"
MAX_QUERY = 200


def authorised(request) -> bool:
    expected = settings.staff_token()
    given = request.headers.get("authorization", "")
    if not expected or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given[7:].encode(), expected.encode())


def staff_only(handler):
    @functools.wraps(handler)
    async def wrapper(request, *args, **kwargs):
        if not authorised(request):
            return response.json({"error": "staff token required"}, status=401 if
                                 settings.staff_token() else 403)
        return await handler(request, *args, **kwargs)
    return wrapper


def search_results(service: KnowledgeService, query: str, k: int = 5) -> list[dict]:
    snap = service.snapshot()
    out = []
    for hit in snap.index.search(query[:MAX_QUERY], k=k):
        a = snap.answers[hit.answer_id]
        out.append({"id": a.id, "topic": a.topic, "title": a.title, "answer": a.short,
                    "details": a.long, "source": source_line(a), "confidence": a.confidence,
                    "in_force_from": a.in_force_from and a.in_force_from.isoformat(),
                    "last_verified": a.last_verified.isoformat(),
                    "match": round(hit.coverage, 2)})
    return out


def unanswered(url: str | None = None, limit: int = 100) -> list[dict]:
    with db.session(url) as s:
        rows = s.execute(
            select(UnansweredQuestion.text, func.count().label("n"),
                   func.max(UnansweredQuestion.created_at).label("last"))
            .group_by(UnansweredQuestion.text)
            .order_by(func.count().desc(), func.max(UnansweredQuestion.created_at).desc())
            .limit(limit)).all()
    return [{"text": r.text, "count": r.n, "last_asked": r.last.isoformat(timespec="seconds")}
            for r in rows]


def blueprint(service: KnowledgeService) -> Blueprint:
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
        return response.json({"query": query, "results": search_results(service, query)})

    @bp.get("/api/unanswered")
    @staff_only
    async def unanswered_list(request):
        return response.json({"questions": unanswered(service.url)})

    return bp
