"""The portal's app factory: the chat widget and demo page (public.py), ratings, the staff
look-up (staff.py) and the staff leads API (staff_leads.py), on one Sanic app.

`create_app()` takes its settings from bot/settings.py; tests pass their own (`create_app(
{"DATABASE_URL": ..., "STAFF_TOKEN": ...})`) and run it in-process.
"""
from __future__ import annotations

import itertools
from pathlib import Path

from sanic import Sanic

import knowledge
from bot import settings
from bot.leads.store import LeadStore
from bot.portal import public, staff, staff_leads
from knowledge.storage import database

_names = itertools.count(1)


def defaults() -> dict:
    return {
        "DATABASE_URL": settings.database_url(),
        "KNOWLEDGE_DATA_DIR": settings.KNOWLEDGE_DATA_DIR,
        "STAFF_TOKEN": settings.staff_token(),
        "RASA_PUBLIC_URL": settings.RASA_PUBLIC_URL,
        "TODAY": settings.today,  # a function: which rules are in force
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
    app.ctx.leads = LeadStore(app.ctx.db)
    app.blueprint(public.bp)
    app.blueprint(staff.blueprint())
    app.blueprint(staff_leads.blueprint())

    @app.on_response
    async def _no_sniff(_request, response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")

    return app


def main() -> None:
    create_app().run(host=settings.BIND_HOST, port=settings.WEB_PORT, access_log=False, motd=False)
