"""Signing in and out, the start page, and changing one's own password.

    GET/POST /staff/login     five wrong passwords in a row lock the account for 15 minutes
    POST     /staff/logout
    GET      /staff/          the start page: what the person's role may open
    GET/POST /staff/password  required at the first sign-in and every 90 days
"""
from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request

from bot.portal import accounts
from bot.portal.auth import (PASSWORD_PAGE, clear_session_cookie, client_ip, now, page,
                             same_origin, session_actor, set_session_cookie)
from bot.portal.pages import beijing, blocking, nav, render

bp = Blueprint("staff_signin", url_prefix="/staff")


def _next(target: str | None) -> str:
    """Only a path of the staff pages: never another site (an open redirect)."""
    target = target or ""
    if target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff/"


@bp.get("/login")
async def login_form(request: Request):
    if await session_actor(request) is not None:
        return response.redirect("/staff/", status=303)
    return render(request, "login.html", error=None, username="",
                  next=_next(request.args.get("next")))


@bp.post("/login")
async def login(request: Request):
    form = request.form or {}
    username = (form.get("username") or "").strip()[:64]
    password = form.get("password") or ""
    target = _next(form.get("next"))
    if not same_origin(request):
        return render(request, "login.html", status=403, error="请从本站的登录页登录。",
                      username=username, next=target)
    result = await blocking(accounts.sign_in, request.app.ctx.db, username, password[:256],
                            client_ip(request), now(request))
    if result.outcome == "locked":
        return render(request, "login.html", status=403, username=username, next=target,
                      error=f"登录失败次数过多，账号已锁定，请于 "
                            f"{beijing(result.locked_until)} 后再试，或请管理员解锁。")
    if result.outcome != "ok":
        return render(request, "login.html", status=401, error="用户名或密码错误。",
                      username=username, next=target)
    goto = PASSWORD_PAGE if result.actor.must_change_password else target
    resp = response.redirect(goto, status=303)
    set_session_cookie(resp, request, result.token)
    return resp


@bp.post("/logout")
@page(password_page=True)
async def logout(request: Request):
    await blocking(accounts.sign_out, request.app.ctx.db, request.ctx.actor, now(request))
    resp = response.redirect("/staff/login?bye=1", status=303)
    clear_session_cookie(resp, request)
    return resp


@bp.get("/")
@page()
async def home(request: Request):
    links = nav(request.ctx.actor)
    if len(links) == 1:  # one thing to do: go there
        return response.redirect(links[0][0], status=303)
    return render(request, "home.html")


@bp.get("/password")
@page(password_page=True)
async def password_form(request: Request):
    return render(request, "password.html", error=None, done=request.args.get("done") == "1",
                  min_length=accounts.MIN_LENGTH)


@bp.post("/password")
@page(password_page=True)
async def password_change(request: Request):
    form = request.form
    new = form.get("new") or ""
    error = None
    if new != (form.get("repeat") or ""):
        error = "两次输入的新密码不一致。"
    else:
        try:
            await blocking(accounts.change_password, request.app.ctx.db, request.ctx.actor,
                           (form.get("current") or "")[:256], new[:256], now(request))
        except accounts.AccountError as err:
            error = str(err)
    if error:
        return render(request, "password.html", status=400, error=error, done=False,
                      min_length=accounts.MIN_LENGTH)
    return response.redirect(f"{PASSWORD_PAGE}?done=1", status=303)
