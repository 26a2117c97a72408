"""Who is asking, and may they: the session cookie for pages, a personal API token for the
JSON API, the role table (roles.py) for both, and CSRF for every form.

Pages: `@page("cases")` — not signed in: to the sign-in page; signed in without the
permission: 403 (recorded in the audit log); a POST without the session's CSRF token or from
another origin: 403. While the password must be changed, every page but that one leads there.
API: `@api("cases")` — `Authorization: Bearer gzs_…` only (cookies are not accepted there, so
no other site can make a signed-in browser call it): 401 without a valid token, 403 without
the permission.
"""
from __future__ import annotations

import functools
import hmac
from urllib.parse import quote, urlsplit

from sanic import response
from sanic.request import Request

from bot.portal import accounts
from bot.portal.audit import Actor, record
from bot.portal.pages import blocking, render
from bot.portal.roles import PERMISSION_LABELS, ROLES, allowed

COOKIE = "gz_staff"
PASSWORD_PAGE = "/staff/password"


def client_ip(request: Request) -> str:
    """The client's address; behind a proxy (PROXIES_COUNT), from X-Forwarded-For."""
    return (request.remote_addr or request.ip or "")[:64]


def now(request: Request):
    return request.app.config.CLOCK()


def set_session_cookie(resp: response.HTTPResponse, request: Request, token: str) -> None:
    resp.cookies[COOKIE] = token
    cookie = resp.cookies[COOKIE]
    cookie["path"], cookie["httponly"], cookie["samesite"] = "/staff", True, "Strict"
    cookie["secure"] = bool(request.app.config.STAFF_COOKIE_SECURE)


def clear_session_cookie(resp: response.HTTPResponse, request: Request) -> None:
    set_session_cookie(resp, request, "")
    resp.cookies[COOKIE]["max-age"] = 0


async def session_actor(request: Request) -> Actor | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return await blocking(accounts.resume, request.app.ctx.db, token, client_ip(request),
                          now(request))


def same_origin(request: Request) -> bool:
    """A browser's form post names its page's origin; another site's cannot be ours."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # not sent by every client; SameSite=Strict and the token still hold
    return urlsplit(origin).netloc == request.host


def csrf_ok(request: Request, actor: Actor) -> bool:
    given = (request.form.get("csrf") if request.form else None) or ""
    return bool(actor.csrf) and hmac.compare_digest(given.encode(), actor.csrf.encode()) \
        and same_origin(request)


def login_redirect(request: Request) -> response.HTTPResponse:
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    return response.redirect(f"/staff/login?next={quote(target, safe='')}", status=303)


async def _deny(request: Request, actor: Actor, why: str) -> None:
    def write():
        with request.app.ctx.db.transaction() as s:
            record(s, actor, "access", "denied", target=request.path, detail=why,
                   now=now(request))
    await blocking(write)


def page(permission: str | None = None, password_page: bool = False):
    """A staff page: signed in, allowed, and (for POST) with the session's CSRF token."""
    def decorate(handler):
        @functools.wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            actor = await session_actor(request)
            if actor is None:
                if request.method == "GET":
                    return login_redirect(request)
                return render(request, "expired.html", status=403)
            request.ctx.actor = actor
            if request.method == "POST" and not csrf_ok(request, actor):
                await _deny(request, actor, "表单没有有效的CSRF令牌或来自其他网站")
                return render(request, "expired.html", status=403)
            if actor.must_change_password and not password_page:
                return response.redirect(PASSWORD_PAGE, status=303)
            if permission and not allowed(actor.role, permission):
                await _deny(request, actor, f"角色“{ROLES.get(actor.role, actor.role)}”"
                                            f"没有“{PERMISSION_LABELS[permission]}”权限")
                return render(request, "forbidden.html", status=403)
            return await handler(request, *args, **kwargs)
        return wrapper
    return decorate


def api(permission: str):
    """A JSON endpoint for scripts, with a person's API token."""
    def decorate(handler):
        @functools.wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            given = request.headers.get("authorization", "")
            actor = None
            if given.startswith("Bearer ") and len(given) < 200:
                actor = await blocking(accounts.token_actor, request.app.ctx.db, given[7:],
                                       client_ip(request), now(request))
            if actor is None:
                return response.json({"error": "a personal API token is required "
                                               "(Authorization: Bearer gzs_…)"}, status=401)
            request.ctx.actor = actor
            if not allowed(actor.role, permission):
                await _deny(request, actor, f"角色“{ROLES.get(actor.role, actor.role)}”"
                                            f"没有“{PERMISSION_LABELS[permission]}”权限")
                return response.json({"error": f"the role {actor.role} may not do this"},
                                     status=403)
            return await handler(request, *args, **kwargs)
        return wrapper
    return decorate
