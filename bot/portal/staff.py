"""Staff look-up: the knowledge base as citizens get it, with sources (坐席, 审核), and the
review of the questions the bot could not answer or answered with low confidence (审核: the
knowledge loop; review.py holds the rules).

    GET  /staff/lookup?q=…                  search
    GET  /staff/unanswered?state=&page=      groups of similar questions, most asked first
    POST /staff/unanswered/<id>/dismiss      dismiss a group with a reason (audited)
    POST /staff/unanswered/<id>/phrasing     its question as a phrasing of an answer: a draft
                                             a second person approves (审核 with 知识编辑)
A new answer for a group is drafted in the editor: /staff/kb/new?group=<id> (kb_editor.py).
"""
from __future__ import annotations

import dataclasses

from sanic import Blueprint, response
from sanic.request import Request

from bot.portal import review
from bot.portal.dashboard import CHANNELS
from bot.portal.auth import page
from bot.portal.desk import number
from bot.portal.pages import blocking, render
from bot.portal.roles import allowed
from knowledge import editing
from knowledge.unanswered import KINDS

MAX_QUERY = 200
PAGE_SIZE = 30
MAX_ID = 2**31 - 1


def plain(found) -> dict:
    out = dataclasses.asdict(found)
    for key in ("in_force_from", "in_force_until", "last_verified"):
        out[key] = out[key] and out[key].isoformat()
    return out


bp = Blueprint("staff_lookup", url_prefix="/staff")


@bp.get("/lookup")
@page("lookup")
async def lookup(request: Request):
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    found = await blocking(request.app.ctx.knowledge.search, query) if query else []
    return render(request, "lookup.html", query=query, results=[plain(f) for f in found])


async def _review_page(request: Request, status: int = 200, error: str | None = None,
                       failed: int | None = None, reason: str = ""):
    state = (request.args.get("state") or "open").strip()
    if state not in review.LISTS:
        error, state = "状态只能是：" + "、".join(review.LISTS.values()) + "。", "open"
    try:
        current = number(request.args, "page", 1, 1, 10**6)
    except ValueError as err:
        error, current = str(err), 1
    total, groups = await blocking(review.review, request.app.ctx.db, request.app.ctx.knowledge,
                                   None if state == "all" else state, None, PAGE_SIZE,
                                   (current - 1) * PAGE_SIZE)
    return render(request, "unanswered.html", status=status, state=state, groups=groups,
                  total=total, page=current, pages=max(1, -(-total // PAGE_SIZE)), error=error,
                  failed=failed, reason=reason, lists=review.LISTS, states=review.STATES,
                  kinds=KINDS, channels=CHANNELS, max_reason=review.MAX_REASON,
                  max_phrasing=review.MAX_PHRASING, dismissed=request.args.get("dismissed"),
                  can_draft=allowed(request.ctx.actor.role, "kb_edit"))


@bp.get("/unanswered")
@page("review")
async def unanswered_page(request: Request):
    return await _review_page(request)


@bp.post("/unanswered/<group_id:int>/dismiss")
@page("review")
async def dismiss(request: Request, group_id: int):
    if not 0 < group_id <= MAX_ID:
        return render(request, "not_found.html", status=404)
    reason = request.form.get("reason") or ""
    try:
        done = await blocking(review.dismiss, request.app.ctx.db, request.ctx.actor, group_id,
                              reason, request.app.config.CLOCK())
    except review.NotAllowed as err:
        return await _review_page(request, 409 if "已处理" in str(err) else 400, str(err),
                                  group_id, reason)
    if not done:
        return render(request, "not_found.html", status=404)
    return response.redirect(f"/staff/unanswered?dismissed={group_id}", status=303)


@bp.post("/unanswered/<group_id:int>/phrasing")
@page("review")
async def propose_phrasing(request: Request, group_id: int):
    if not 0 < group_id <= MAX_ID:
        return render(request, "not_found.html", status=404)
    if not allowed(request.ctx.actor.role, "kb_edit"):
        return render(request, "forbidden.html", status=403)
    answer_id = (request.form.get("answer_id") or "").strip()[:96]
    text = request.form.get("text") or ""
    try:
        version_id = await blocking(review.propose_phrasing, request.app.ctx.db,
                                    request.ctx.actor, group_id, answer_id, text,
                                    request.app.config.CLOCK())
    except (review.NotAllowed, editing.EditError) as err:
        if str(err).startswith("没有 "):
            return render(request, "not_found.html", status=404)
        return await _review_page(request, 409 if "已处理" in str(err) else 400, str(err),
                                  group_id)
    return response.redirect(f"/staff/kb/drafts/{version_id}?saved=1", status=303)
