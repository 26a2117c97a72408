"""Server-rendered staff pages: Jinja2 templates (templates/staff/), escaped by default, and
the headers every staff response carries.

The pages load nothing from outside the portal (a government intranet: no CDN, no outside
fonts or scripts) and run no inline script, so the Content-Security-Policy can forbid both.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
from pathlib import Path

import jinja2
from sanic import response
from sanic.request import Request

from bot.leads.cases import CATEGORIES, KIND_LABELS, STATUS_LABELS
from bot.leads.workdays import BEIJING
from bot.portal.audit import ACTIONS, RESULTS
from bot.portal.roles import PERMISSION_LABELS, ROLES, allowed

TEMPLATES = Path(__file__).resolve().parent / "templates"
# connect-src 'self': the dashboard's script reads its figures from the portal (and nowhere else)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY",
           # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form
           # posts, and the origin check (auth.same_origin) needs the real one
           "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}
# The menu: a link shows when the person's role has the permission.
NAV = [("/staff/dashboard", "dashboard"), ("/staff/desk", "cases"), ("/staff/ratings", "ratings"), ("/staff/lookup", "lookup"), ("/staff/unanswered", "review"),
       ("/staff/kb", "kb_edit"),
       ("/staff/admin/accounts", "accounts"), ("/staff/admin/settings", "settings"),
       ("/staff/admin/privacy", "privacy"), ("/staff/audit", "audit")]


def beijing(value: dt.datetime | None, seconds: bool = False) -> str:
    """A stored UTC time as the Beijing time staff read."""
    if value is None:
        return ""
    return (value + BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True,
                          lstrip_blocks=True)
_env.filters["beijing"] = beijing
_env.globals.update(STATUS_LABELS=STATUS_LABELS, KIND_LABELS=KIND_LABELS, CATEGORIES=CATEGORIES,
                    ROLES=ROLES, ACTIONS=ACTIONS, RESULTS=RESULTS)


def nav(actor) -> list[tuple[str, str]]:
    if actor is None or actor.must_change_password:
        return []
    return [(url, PERMISSION_LABELS[p]) for url, p in NAV if allowed(actor.role, p)]


def render(request: Request, template: str, status: int = 200, **context) -> response.HTTPResponse:
    actor = getattr(request.ctx, "actor", None)
    html = _env.get_template(f"staff/{template}").render(
        actor=actor, csrf=actor.csrf if actor else "", nav=nav(actor), path=request.path,
        **context)
    return response.html(html, status=status)


async def blocking(fn, *args, **kwargs):
    """Runs a database or hashing call off the event loop (the portal also serves citizens)."""
    return await asyncio.get_running_loop().run_in_executor(
        None, functools.partial(fn, *args, **kwargs))
