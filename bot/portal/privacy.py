"""PIPL requests (role 管理员): find one citizen's data by ticket or phone across every store,
give them a copy, or delete it (bot/privacy/subject.py). Each step is audited.

    GET  /staff/admin/privacy            the form
    POST /staff/admin/privacy            find: shows everything found (audited)
    POST /staff/admin/privacy/export     the same as a JSON file for the citizen (audited)
    POST /staff/admin/privacy/delete     deletes it all, after a confirmation (audited)
"""
from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request

from bot.portal.desk import deadlines
from bot.portal.pages import blocking, render
from bot.portal.auth import page
from bot.privacy import subject

bp = Blueprint("staff_privacy", url_prefix="/staff/admin")
MAX_REASON = 200


def _who(request: Request) -> subject.Who:
    form = request.form or {}
    return subject.Who.parse((form.get("ticket") or "")[:40], (form.get("phone") or "")[:40])


def _form(request: Request) -> dict:
    form = request.form or {}
    return {"ticket": (form.get("ticket") or "")[:40], "phone": (form.get("phone") or "")[:40]}


@bp.get("/privacy")
@page("privacy")
async def privacy_form(request: Request):
    return render(request, "privacy.html", form={"ticket": "", "phone": ""}, found=None,
                  error=None, deleted=None)


@bp.post("/privacy")
@page("privacy")
async def privacy_find(request: Request):
    try:
        who = _who(request)
    except subject.BadRequest as err:
        return render(request, "privacy.html", status=400, form=_form(request), found=None,
                      error=str(err), deleted=None)
    found = await blocking(subject.find, request.app.ctx.db, request.app.config.TRACKER_DB_URL,
                           request.ctx.actor, who, deadlines(request))
    return render(request, "privacy.html", form=_form(request), found=found, error=None,
                  deleted=None)


@bp.post("/privacy/export")
@page("privacy")
async def privacy_export(request: Request):
    try:
        who = _who(request)
    except subject.BadRequest as err:
        return response.text(str(err), status=400)
    found = await blocking(subject.find, request.app.ctx.db, request.app.config.TRACKER_DB_URL,
                           request.ctx.actor, who, deadlines(request), export=True)
    return response.text(found.as_json(), content_type="application/json; charset=utf-8",
                         headers={"Content-Disposition":
                                  'attachment; filename="personal-data.json"'})


@bp.post("/privacy/delete")
@page("privacy")
async def privacy_delete(request: Request):
    form = request.form
    reason = (form.get("reason") or "").strip()[:MAX_REASON]
    try:
        who = _who(request)
        if form.get("confirm") != "yes" or not reason:
            raise subject.BadRequest("删除前请勾选确认，并填写申请说明（如申请单号、核实身份的方式）。")
    except subject.BadRequest as err:
        return render(request, "privacy.html", status=400, form=_form(request), found=None,
                      error=str(err), deleted=None)
    found = await blocking(subject.erase, request.app.ctx.db, request.app.config.TRACKER_DB_URL,
                           request.ctx.actor, who, deadlines(request), reason)
    return render(request, "privacy.html", form={"ticket": "", "phone": ""}, found=None,
                  error=None, deleted=found)
