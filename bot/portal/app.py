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
from bot.portal import (admin, audit_pages, desk, kb_editor, privacy, public, rating_desk, signin,
                        staff, staff_api, tokens)
from bot.portal.pages import HEADERS
from knowledge.storage import database, utcnow

logger = logging.getLogger("bot.portal")
_names = itertools.count(1)
STATIC = Path(__file__).resolve().parent / "static"
STAFF_FILES = {"staff.css": "text/css; charset=utf-8"}


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
    for bp in (signin.bp, tokens.bp, desk.bp, rating_desk.bp, staff.bp, kb_editor.bp, admin.bp,
               privacy.bp, audit_pages.bp, staff_api.bp):
        app.blueprint(bp)

    @app.get("/staff/static/<name>")
    async def staff_file(_request, name: str):
        if name not in STAFF_FILES:  # an allow-list, so no path ever reaches the file system
            return response.text("not found", status=404)
        return response.text((STATIC / name).read_text(encoding="utf-8"),
                             content_type=STAFF_FILES[name],
                             headers={"Cache-Control": "public, max-age=300"})

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
