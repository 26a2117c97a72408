"""Leads and call-back requests as the staff desk works them: "cases" of two categories with
the same statuses, listed together, opened, moved on with a note, exported, and — for retention
and PIPL requests — anonymised, found by phone and deleted.

Functions take an open session: the portal and bot/privacy call them inside the transaction
that also writes the audit entry, so a view or an export is never shown without its record.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, false, func, literal, null, or_, select, union_all, update
from sqlalchemy.orm import Session

from bot.leads.models import STATUSES, CallbackRequest, CaseNote, Lead, LeadOutbox
from bot.leads.store import ANONYMISED, LEAD_PREFIX
from bot.leads.callbacks import PREFIX as CALLBACK_PREFIX
from bot.leads.workdays import Calendar, local_date, utc_start
from knowledge.text import mask_phone

CATEGORIES = {"lead": "侵权线索", "callback": "回电请求"}
STATUS_LABELS = {"new": "新登记", "forwarded": "已转交", "accepted": "已受理", "closed": "已办结"}
KIND_LABELS = {"patent": "专利侵权", "trademark": "商标侵权", "gi": "地理标志侵权",
               "agency": "代理机构违规", "other": "其他"}
TRANSITIONS = {"new": ("forwarded", "accepted", "closed"), "forwarded": ("accepted", "closed"),
               "accepted": ("closed",), "closed": ()}
MAX_NOTE = 500
MODELS = {"lead": Lead, "callback": CallbackRequest}


def category_of(ticket: str) -> str | None:
    prefix = ticket.split("-", 1)[0]
    return {LEAD_PREFIX: "lead", CALLBACK_PREFIX: "callback"}.get(prefix)


@dataclass(frozen=True)
class Deadlines:
    """When a case is due: `limits` working days per status from when it entered it; a
    call-back that is still new is due when the citizen was promised."""
    calendar: Calendar
    limits: dict[str, int]
    today: dt.date

    def limit(self, category: str, status: str, promised: int | None) -> int | None:
        if status == "closed":
            return None
        if category == "callback" and status == "new" and promised:
            return promised
        return self.limits.get(status)

    def due(self, category: str, status: str, promised: int | None,
            entered: dt.datetime) -> dt.date | None:
        days = self.limit(category, status, promised)
        return self.calendar.due(local_date(entered), days) if days else None

    def overdue_clause(self, model, category: str, promised_values: list[int]):
        """SQL for "overdue today" on one table: in a status longer than its limit allows."""
        def late(status: str, days: int):
            last = self.calendar.last_overdue_entry(self.today, days)
            return (model.status == status) & (model.updated_at < utc_start(
                last + dt.timedelta(days=1)))
        clauses = []
        for status in STATUSES:
            if status == "closed":
                continue
            if category == "callback" and status == "new":
                clauses += [late(status, days) & (model.promised_days == days)
                            for days in promised_values]
            elif self.limits.get(status):
                clauses.append(late(status, self.limits[status]))
        return or_(*clauses) if clauses else false()


@dataclass(frozen=True)
class Filter:
    category: str | None = None
    status: str | None = None
    kind: str | None = None  # leads only: a kind filter leaves call-backs out
    county: str | None = None  # leads only, likewise
    since: dt.date | None = None  # filed on or after (Beijing date)
    until: dt.date | None = None  # filed on or before
    overdue: bool = False

    def categories(self) -> list[str]:
        if self.category:
            return [self.category]
        return ["lead"] if self.kind or self.county else list(CATEGORIES)

    def where(self, model) -> list:
        clauses = []
        if self.status:
            clauses.append(model.status == self.status)
        if self.kind:
            clauses.append(model.kind == self.kind)
        if self.county:
            clauses.append(model.county == self.county)
        if self.since:
            clauses.append(model.created_at >= utc_start(self.since))
        if self.until:
            clauses.append(model.created_at < utc_start(self.until + dt.timedelta(days=1)))
        return clauses

    def describe(self) -> str:
        """For the audit log: which cases an export held (no personal data in filters)."""
        parts = [f"{k}={v}" for k, v in vars(self).items() if v]
        return " ".join(parts) or "all"


@dataclass(frozen=True)
class Listed:
    """A row of the desk's list: no free text, the phone masked."""
    category: str
    ticket: str
    status: str
    kind: str | None
    county: str | None
    channel: str
    created_at: dt.datetime
    updated_at: dt.datetime
    phone_masked: str
    due: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class Note:
    at: dt.datetime
    staff: str
    from_status: str | None
    to_status: str | None
    note: str | None


@dataclass(frozen=True)
class Case:
    """Everything about one case, personal data included: only shown with an audit entry."""
    category: str
    ticket: str
    status: str
    channel: str
    created_at: dt.datetime
    updated_at: dt.datetime
    forwarded_at: dt.datetime | None
    closed_at: dt.datetime | None
    anonymised_at: dt.datetime | None
    phone: str
    due: dt.date | None
    overdue: bool
    kind: str | None = None
    county: str | None = None
    what: str | None = None
    place: str | None = None
    who: str | None = None
    evidence: str | None = None
    name: str | None = None
    question: str | None = None
    promised_days: int | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    def listed(self) -> Listed:
        return Listed(self.category, self.ticket, self.status, self.kind, self.county,
                      self.channel, self.created_at, self.updated_at, self.phone_masked,
                      self.due, self.overdue)


def _columns(model, category: str):
    lead = category == "lead"
    return [literal(category).label("category"), model.ticket, model.status,
            (model.kind if lead else null()).label("kind"),
            (model.county if lead else null()).label("county"),
            model.channel, model.created_at, model.updated_at, model.phone,
            (null() if lead else model.promised_days).label("promised_days")]


def _promised_values(s: Session) -> list[int]:
    return list(s.execute(select(CallbackRequest.promised_days).distinct()).scalars())


def _selects(s: Session, flt: Filter, deadlines: Deadlines) -> list:
    out = []
    for category in flt.categories():
        model = MODELS[category]
        where = flt.where(model)
        if flt.overdue:
            where.append(deadlines.overdue_clause(
                model, category, _promised_values(s) if category == "callback" else []))
        out.append(select(*_columns(model, category)).where(*where))
    return out


def find(s: Session, flt: Filter, deadlines: Deadlines, limit: int = 50,
         offset: int = 0) -> tuple[int, list[Listed]]:
    """The cases the filter selects, newest first, and how many there are in all."""
    both = union_all(*_selects(s, flt, deadlines)).subquery()
    total = s.execute(select(func.count()).select_from(both)).scalar()
    rows = s.execute(select(both).order_by(both.c.created_at.desc(), both.c.ticket.desc())
                     .limit(limit).offset(offset)).all()
    listed = []
    for r in rows:
        due = deadlines.due(r.category, r.status, r.promised_days, r.updated_at)
        listed.append(Listed(r.category, r.ticket, r.status, r.kind, r.county, r.channel,
                             r.created_at, r.updated_at, mask_phone(r.phone) if r.phone else "",
                             due, bool(due and deadlines.today > due)))
    return total, listed


def _case(row, category: str, deadlines: Deadlines, notes: list[Note]) -> Case:
    promised = getattr(row, "promised_days", None)
    due = deadlines.due(category, row.status, promised, row.updated_at)
    common = dict(category=category, ticket=row.ticket, status=row.status, channel=row.channel,
                  created_at=row.created_at, updated_at=row.updated_at,
                  forwarded_at=row.forwarded_at, closed_at=row.closed_at,
                  anonymised_at=row.anonymised_at, phone=row.phone, due=due,
                  overdue=bool(due and deadlines.today > due), notes=notes)
    if category == "lead":
        return Case(**common, kind=row.kind, county=row.county, what=row.what, place=row.place,
                    who=row.who, evidence=row.evidence, name=row.name)
    return Case(**common, question=row.question, promised_days=promised)


def _notes(s: Session, tickets: list[str]) -> dict[str, list[Note]]:
    out: dict[str, list[Note]] = {t: [] for t in tickets}
    for n in s.execute(select(CaseNote).where(CaseNote.ticket.in_(tickets))
                       .order_by(CaseNote.at, CaseNote.id)).scalars():
        out[n.ticket].append(Note(n.at, n.staff, n.from_status, n.to_status, n.note))
    return out


def _row(s: Session, ticket: str, lock: bool = False):
    category = category_of(ticket)
    if category is None:
        return None, None
    model = MODELS[category]
    query = select(model).where(model.ticket == ticket)
    return s.execute(query.with_for_update() if lock else query).scalar_one_or_none(), category


def get(s: Session, ticket: str, deadlines: Deadlines) -> Case | None:
    row, category = _row(s, ticket)
    if row is None:
        return None
    return _case(row, category, deadlines, _notes(s, [ticket])[ticket])


class NotAllowed(ValueError):
    """A change the workflow does not allow; the message says why (in Chinese, for the page)."""


def change(s: Session, ticket: str, new_status: str | None, note: str | None, staff: str,
           deadlines: Deadlines, now: dt.datetime) -> Case | None:
    """Moves a case on and/or adds a note to its history; None for an unknown ticket."""
    note = (note or "").strip() or None
    row, category = _row(s, ticket, lock=True)
    if row is None:
        return None
    if new_status == row.status:
        new_status = None
    if new_status is None and note is None:
        raise NotAllowed("请选择新的状态，或填写备注。")
    if new_status is not None and new_status not in TRANSITIONS[row.status]:
        raise NotAllowed(f"不能从“{STATUS_LABELS.get(row.status, row.status)}”改为"
                         f"“{STATUS_LABELS.get(new_status, new_status)}”。")
    if row.anonymised_at is not None:
        raise NotAllowed("这件已匿名化，不能再修改。")
    if note is not None and len(note) > MAX_NOTE:
        raise NotAllowed(f"备注请控制在{MAX_NOTE}字以内（现在是{len(note)}字）。")
    s.add(CaseNote(ticket=ticket, at=now, staff=staff, note=note,
                   from_status=row.status if new_status else None, to_status=new_status))
    if new_status:
        row.status, row.updated_at = new_status, now
        if new_status == "forwarded":
            row.forwarded_at = now
        if new_status == "closed":
            row.closed_at = now
    s.flush()
    return _case(row, category, deadlines, _notes(s, [ticket])[ticket])


def export(s: Session, flt: Filter, deadlines: Deadlines) -> list[Case]:
    """Every selected case with everything, oldest first (notes not included)."""
    out = []
    for category in flt.categories():
        model = MODELS[category]
        where = flt.where(model)
        if flt.overdue:
            where.append(deadlines.overdue_clause(
                model, category, _promised_values(s) if category == "callback" else []))
        out += [_case(r, category, deadlines, [])
                for r in s.execute(select(model).where(*where)).scalars()]
    return sorted(out, key=lambda c: (c.created_at, c.ticket))


# --- retention and PIPL requests --------------------------------------------------------------
def anonymise_closed(s: Session, closed_before: dt.datetime, now: dt.datetime) -> dict[str, int]:
    """Personal data out of cases closed before the cut-off: what was reported and who
    reported it. Category, kind, county, channel, status and dates stay for statistics."""
    counts = {}
    for category, model in MODELS.items():
        due = [model.status == "closed", model.closed_at < closed_before,
               model.anonymised_at.is_(None)]
        tickets = list(s.execute(select(model.ticket).where(*due)).scalars())
        personal = (dict(what=ANONYMISED, place=ANONYMISED, who=None, evidence=ANONYMISED,
                         name=ANONYMISED) if category == "lead" else dict(question=ANONYMISED))
        s.execute(update(model).where(model.ticket.in_(tickets))
                  .values(phone="", anonymised_at=now, **personal)
                  .execution_options(synchronize_session=False))
        s.execute(update(CaseNote).where(CaseNote.ticket.in_(tickets), CaseNote.note.isnot(None))
                  .values(note=ANONYMISED).execution_options(synchronize_session=False))
        counts[category] = len(tickets)
    return counts


def closed_tickets(s: Session, closed_before: dt.datetime) -> list[str]:
    return [t for model in MODELS.values() for t in s.execute(
        select(model.ticket).where(model.status == "closed", model.closed_at < closed_before)
    ).scalars()]


def matching(s: Session, ticket: str | None = None, phone: str | None = None) -> list[str]:
    """Tickets of the cases with this ticket or this (normalised) phone number."""
    out = []
    for model in MODELS.values():
        clauses = ([model.ticket == ticket] if ticket else []) + \
                  ([model.phone == phone] if phone else [])
        if clauses:
            out += s.execute(select(model.ticket).where(or_(*clauses))
                             .order_by(model.created_at)).scalars().all()
    return out


def full(s: Session, tickets: list[str], deadlines: Deadlines) -> list[Case]:
    """The cases with these tickets, with their notes."""
    notes = _notes(s, tickets)
    out = []
    for category, model in MODELS.items():
        out += [_case(r, category, deadlines, notes[r.ticket])
                for r in s.execute(select(model).where(model.ticket.in_(tickets))).scalars()]
    return sorted(out, key=lambda c: (c.created_at, c.ticket))


def remove(s: Session, tickets: list[str]) -> int:
    """Deletes these cases, their history and their outbox rows; how many cases went."""
    lead_ids = select(Lead.id).where(Lead.ticket.in_(tickets))
    s.execute(delete(LeadOutbox).where(LeadOutbox.lead_id.in_(lead_ids))
              .execution_options(synchronize_session=False))
    s.execute(delete(CaseNote).where(CaseNote.ticket.in_(tickets))
              .execution_options(synchronize_session=False))
    return sum(s.execute(delete(model).where(model.ticket.in_(tickets))
                         .execution_options(synchronize_session=False)).rowcount
               for model in MODELS.values())

