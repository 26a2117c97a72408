"""Each person's own API tokens for scripts (`Authorization: Bearer gzs_…` on /staff/api/).

    GET  /staff/tokens               the person's tokens (never their values)
    POST /staff/tokens               a new one, shown once
    POST /staff/tokens/<id>/revoke
"""
from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request

from bot.portal import accounts
from bot.portal.auth import now, page
from bot.portal.pages import blocking, render

bp = Blueprint("staff_tokens", url_prefix="/staff")


async def _page(request: Request, status: int = 200, error: str | None = None,
                created: str | None = None):
    actor = request.ctx.actor
    rows = await blocking(accounts.tokens, request.app.ctx.db, actor.account_id)
    return render(request, "tokens.html", status=status, tokens=rows, error=error,
                  created=created, today=now(request), lifetime=accounts.TOKEN_LIFETIME.days)


@bp.get("/tokens")
@page()
async def tokens(request: Request):
    return await _page(request)


@bp.post("/tokens")
@page()
async def create(request: Request):
    try:
        token = await blocking(accounts.create_token, request.app.ctx.db, request.ctx.actor,
                               (request.form.get("label") or "")[:100], now(request))
    except accounts.AccountError as err:
        return await _page(request, 400, str(err))
    return await _page(request, created=token)


@bp.post("/tokens/<token_id:int>/revoke")
@page()
async def revoke(request: Request, token_id: int):
    try:
        await blocking(accounts.revoke_token, request.app.ctx.db, request.ctx.actor, token_id,
                       now(request))
    except accounts.AccountError as err:
        return await _page(request, 404, str(err))
    return response.redirect("/staff/tokens", status=303)
