"""Staff endpoints for leads: a Sanic blueprint the portal mounts (`app.blueprint(blueprint())`).

    GET  /staff/api/leads?status=&kind=&county=&from=YYYY-MM-DD&to=YYYY-MM-DD&limit=&offset=
         the list, newest first, phone numbers masked
    GET  /staff/api/leads.csv?<the same filters>      every field; audited
    GET  /staff/api/leads/<ticket>                    every field; audited
    POST /staff/api/leads/<ticket>/status  {"status": "accepted"}   audited

Every route needs `Authorization: Bearer <STAFF_TOKEN>`; with no token configured they refuse
everything. The audit log names the member of staff from `X-Staff-Name` (URL-encoded when not
ASCII), or "staff" when the header is missing: one shared token cannot tell people apart.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import unquote

from sanic import Blueprint, response

from bot.leads import store
from bot.leads.fields import clean
from bot.leads.models import KINDS, STATUSES, Lead
from bot.portal.staff import staff_only
from knowledge.text import mask_phone

TICKET = re.compile(r"GZ-\d{8}-[0-9A-Z]{5}")
MAX_LIMIT = 200
CSV_COLUMNS = ["ticket", "status", "kind", "county", "created_at", "updated_at",
               "forwarded_at", "closed_at", "channel", "what", "place", "who", "evidence",
               "name", "phone"]


def staff_name(request) -> str:
    return clean(unquote(request.headers.get("x-staff-name", "")))[:64] or "staff"


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def listed(lead: Lead) -> dict:
    return {"ticket": lead.ticket, "status": lead.status, "kind": lead.kind,
            "county": lead.county, "channel": lead.channel, "name": lead.name,
            "phone": mask_phone(lead.phone) if lead.phone else "",
            "created_at": _time(lead.created_at), "updated_at": _time(lead.updated_at)}


def full(lead: Lead) -> dict:
    return {**{c: getattr(lead, c) for c in CSV_COLUMNS},
            **{c: _time(getattr(lead, c)) for c in CSV_COLUMNS if c.endswith("_at")},
            "anonymised_at": _time(lead.anonymised_at)}


def _cell(value) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: citizens wrote these."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def parse_filter(args) -> store.Filter:
    """ValueError names the parameter that is wrong."""
    def one(name: str, allowed=None) -> str | None:
        value = (args.get(name) or "").strip() or None
        if value is not None and allowed is not None and value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        return value

    def day(name: str) -> dt.date | None:
        value = one(name)
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise ValueError(f"{name} must be a date like 2026-11-26") from None

    return store.Filter(status=one("status", STATUSES), kind=one("kind", KINDS),
                        county=one("county"), since=day("from"), until=day("to"))


def _number(args, name: str, default: int, lowest: int, highest: int) -> int:
    try:
        value = int(args.get(name) or default)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if not lowest <= value <= highest:
        raise ValueError(f"{name} must be between {lowest} and {highest}")
    return value


def blueprint() -> Blueprint:
    bp = Blueprint("staff_leads", url_prefix="/staff/api")

    @bp.get("/leads")
    @staff_only
    async def list_leads(request):
        try:
            flt = parse_filter(request.args)
            limit = _number(request.args, "limit", 50, 1, MAX_LIMIT)
            offset = _number(request.args, "offset", 0, 0, 10**9)
        except ValueError as err:
            return response.json({"error": str(err)}, status=400)
        total, rows = request.app.ctx.leads.find(flt, limit, offset)
        return response.json({"total": total, "leads": [listed(lead) for lead in rows]})

    @bp.get("/leads.csv")
    @staff_only
    async def export(request):
        try:
            flt = parse_filter(request.args)
        except ValueError as err:
            return response.json({"error": str(err)}, status=400)
        out = io.StringIO()
        out.write("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for lead in request.app.ctx.leads.export(flt, staff_name(request)):
            row = full(lead)
            writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
        name = f"leads-{dt.date.today():%Y%m%d}.csv"
        return response.text(out.getvalue(), content_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @bp.get("/leads/<ticket>")
    @staff_only
    async def view(request, ticket: str):
        lead = (request.app.ctx.leads.view(ticket, staff_name(request))
                if TICKET.fullmatch(ticket) else None)
        if lead is None:
            return response.json({"error": "no such lead"}, status=404)
        return response.json(full(lead))

    @bp.post("/leads/<ticket>/status")
    @staff_only
    async def change_status(request, ticket: str):
        body = request.json if request.body else None
        new = body.get("status") if isinstance(body, dict) else None
        if new not in STATUSES:
            return response.json({"error": f'send {{"status": …}} with one of '
                                           f'{", ".join(STATUSES)}'}, status=400)
        try:
            lead = request.app.ctx.leads.set_status(ticket, new, staff_name(request)) \
                if TICKET.fullmatch(ticket) else None
        except ValueError as err:  # a change the workflow does not allow
            return response.json({"error": str(err)}, status=409)
        if lead is None:
            return response.json({"error": "no such lead"}, status=404)
        return response.json(listed(lead))

    return bp
