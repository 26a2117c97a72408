"""What anyone may load: the widget's files, the demo page and the ratings endpoint."""
from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request

from bot.portal import followups, ratings

STATIC = Path(__file__).resolve().parent / "static"
WIDGET_FILES = {"chat.js": "text/javascript; charset=utf-8",
                "chat.css": "text/css; charset=utf-8"}
MAX_RATING_BODY = 8192  # a few ids, an answer of ≤ 2000 characters and a comment of ≤ 200

bp = Blueprint("public")  # no state of its own: handlers reach the app's through request.app


def _script_json(value: dict) -> str:
    """JSON that cannot close the <script> element it is written into."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@bp.get("/")
async def demo_page(request: Request):
    server = request.app.config.RASA_PUBLIC_URL
    config = {"server": server, "title": "知识产权服务助手", "color": "#b71c1c"}
    nonce = secrets.token_urlsafe(16)
    page = ((STATIC / "demo.html").read_text(encoding="utf-8")
            .replace("{{CONFIG}}", _script_json(config)).replace("{{NONCE}}", nonce))
    # The widget renders everything as text; the policy is the second lock on that door.
    csp = (f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
           f"style-src 'self' 'nonce-{nonce}'; connect-src 'self' {server}; img-src 'self' data:; "
           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
    return response.html(page, headers={"Content-Security-Policy": csp,
                                        "Cache-Control": "no-store"})


@bp.get("/widget/<name>")
async def widget_file(_request: Request, name: str):
    if name not in WIDGET_FILES:  # an allow-list, so no path ever reaches the file system
        return response.text("not found", status=404)
    return response.text((STATIC / name).read_text(encoding="utf-8"),
                         content_type=WIDGET_FILES[name],
                         headers={"Cache-Control": "public, max-age=300"})


@bp.get("/health")
async def health(_request: Request):
    return response.json({"status": "ok"})


# The widget runs on the bureau's own pages, so ratings arrive cross-origin. They carry no
# cookies or credentials, which makes a wildcard origin safe here (and only here).
CORS = {"Access-Control-Allow-Origin": "*"}


@bp.options("/api/ratings")
async def ratings_preflight(_request: Request):
    return response.empty(headers={**CORS, "Access-Control-Allow-Methods": "POST",
                                   "Access-Control-Allow-Headers": "Content-Type",
                                   "Access-Control-Max-Age": "86400"})


@bp.post("/api/ratings")
async def post_rating(request: Request):
    """201 {"ok", "followup"}; 400 {"error", "field"} (the widget shows errors of `comment`
    and `rating` as they are); 409 when the answer has its rating already."""
    if len(request.body) > MAX_RATING_BODY:
        return response.json({"error": "评价内容过长。", "field": "body"}, status=413,
                             headers=CORS)
    try:
        vote = ratings.parse(json.loads(request.body or b"null"))
    except ValueError as err:  # InvalidRating, bad JSON and bad UTF-8 alike
        if isinstance(err, ratings.InvalidRating):
            return response.json({"error": str(err), "field": err.field}, status=400,
                                 headers=CORS)
        return response.json({"error": "body must be JSON", "field": "body"}, status=400,
                             headers=CORS)
    app = request.app
    rules = followups.Rules(app.ctx.calendar.get(), app.config.RATING_FOLLOWUP_DAYS,
                            app.config.TRACKER_DB_URL)
    try:
        # SQLAlchemy blocks: keep the event loop serving while the rows are written.
        saved = await asyncio.get_running_loop().run_in_executor(
            None, followups.rate, app.ctx.db, vote, rules, app.config.CLOCK())
    except ratings.AlreadyRated as err:
        return response.json({"error": str(err), "field": "rating"}, status=409, headers=CORS)
    # The item's number stays with staff: the citizen is told their rating is followed up.
    return response.json({"ok": True, "followup": saved.followup is not None}, status=201,
                         headers=CORS)
