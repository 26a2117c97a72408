"""The portal's app factory: the chat widget and demo page (public.py), ratings, and the staff
side — sign-in (signin.py, tokens.py), the desk (desk.py), the follow-up of bad ratings
(rating_desk.py), look-up (staff.py), editing answers with approval (kb_editor.py),
administration (admin.py, privacy.py), the audit log
(audit_pages.py) and the JSON API (staff_api.py) — on one Sanic app.

`create_app()` takes its settings from bot/settings.py; tests pass their own (`create_app(
{"DATABASE_URL": ..., "CLOCK": ...})`) and run it in-process.
"""
from __future__ import annotations

import itertools
import logging
from pathlib import Path

from sanic import Sanic, response

import knowledge
from bot import settings
from bot.leads.workdays import CalendarFile
from bot.portal import (admin, audit_pages, dashboard, desk, kb_editor, privacy, public,
                        rating_desk, signin, staff, staff_api, tokens)
from bot.portal.pages import HEADERS
from knowledge.storage import database, utcnow

logger = logging.getLogger("bot.portal")
_names = itertools.count(1)
STATIC = Path(__file__).resolve().parent / "static"
# name → (file, content type, seconds a browser may keep it)
STAFF_FILES = {"staff.css": (STATIC / "staff.css", "text/css; charset=utf-8", 300),
               "dashboard.js": (STATIC / "dashboard.js", "text/javascript; charset=utf-8", 300),
               # from the npm registry (package.json); its URL carries the version, so it may
               # be kept a year
               "echarts.min.js": (dashboard.ECHARTS, "text/javascript; charset=utf-8",
                                  365 * 86400)}


def defaults() -> dict:
    return {
        "DATABASE_URL": settings.database_url(),
        "TRACKER_DB_URL": settings.tracker_db_url(),
        "KNOWLEDGE_DATA_DIR": settings.KNOWLEDGE_DATA_DIR,
        "RASA_PUBLIC_URL": settings.RASA_PUBLIC_URL,
        "TODAY": settings.today,  # a function: which rules are in force
        "CLOCK": utcnow,  # a function: now, as stored (UTC); the desk's deadlines and sessions
        "STAFF_COOKIE_SECURE": settings.staff_cookie_secure(),
        "CASE_DUE_DAYS": settings.case_due_days(),
        "CALLBACK_WORKING_DAYS": settings.callback_working_days(),
        "RATING_FOLLOWUP_DAYS": settings.rating_followup_working_days(),
        "WORKDAY_CALENDAR": settings.workday_calendar_file(),
        "PROXIES_COUNT": settings.proxies_count(),
    }


def create_app(config: dict | None = None) -> Sanic:
    cfg = {**defaults(), **(config or {})}
    # Sanic keeps a registry of app names; every app of a process needs its own.
    app = Sanic(f"ganzhou-ip-portal-{next(_names)}")
    app.config.update(cfg)
    # Nothing here takes uploads; Sanic's default (100 MB) would buffer whatever is sent.
    app.config.REQUEST_MAX_SIZE = 64 * 1024
    app.config.REQUEST_TIMEOUT = 15
    app.ctx.db = database(cfg["DATABASE_URL"])
    app.ctx.knowledge = knowledge.open(cfg["DATABASE_URL"], Path(cfg["KNOWLEDGE_DATA_DIR"]),
                                       cfg["TODAY"])
    app.ctx.calendar = CalendarFile(cfg["WORKDAY_CALENDAR"])
    app.ctx.calendar.get()  # a broken calendar file stops the start, not a page later
    app.blueprint(public.bp)
    for bp in (signin.bp, tokens.bp, desk.bp, rating_desk.bp, staff.bp, dashboard.bp,
               kb_editor.bp, admin.bp, privacy.bp, audit_pages.bp, staff_api.bp):
        app.blueprint(bp)
    if not dashboard.ECHARTS.exists():
        logger.warning("%s is missing (make venv installs it with npm): the dashboard shows "
                       "its numbers as tables, without charts", dashboard.ECHARTS)

    @app.get("/staff/static/<name>")
    async def staff_file(_request, name: str):
        # an allow-list, so no path a client sends ever reaches the file system
        path, content_type, keep = STAFF_FILES.get(name, (None, None, 0))
        if path is None or not path.exists():
            return response.text("not found", status=404)
        return response.raw(path.read_bytes(), content_type=content_type,
                            headers={"Cache-Control": f"public, max-age={keep}"})

    @app.on_response
    async def _headers(request, response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.path.startswith("/staff"):
            for name, value in HEADERS.items():
                if name != "Cache-Control" or not request.path.startswith("/staff/static/"):
                    response.headers[name] = value

    return app


def main() -> None:
    if settings.legacy_staff_token_set():
        logger.warning("STAFF_TOKEN is set but no longer used: staff sign in with personal "
                       "accounts (python -m bot staff create-admin; README, 'Staff')")
    create_app().run(host=settings.BIND_HOST, port=settings.WEB_PORT, access_log=False,
                     motd=False)
