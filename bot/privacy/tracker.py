"""Personal data in Rasa's SQL tracker store (TRACKER_DB_URL): redacted, deleted, found.

Rasa 3.6's SQLTrackerStore keeps one row per event in its table `events` (sender_id, type_name,
timestamp, intent_name, action_name, data = the event as JSON). When it saves a tracker it
counts the rows it already holds for the conversation's latest session and appends the events
beyond that count. So rows are never deleted one by one here (the count would shift and Rasa
would write events again or skip new ones): a conversation is either rewritten in place —
same rows, texts redacted — or deleted whole once it has been idle for the retention period.

Redaction (after TRACKER_REDACT_DAYS idle): what was typed and shown while a form that collects
personal data was running (the lead form, the call-back form, the status query) is replaced by
REDACTED, as are the values of those forms' personal slots; phone and ID-card numbers anywhere
else are masked. The conversation stays readable (which topics, which answers, the ratings'
context) without the person in it.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func
from sqlalchemy import inspect, select, update

from knowledge.storage import database
from knowledge.text import mask_personal, phones_in

REDACTED = "[已删除]"
# Forms that collect personal data, and their slots that hold it (tests/test_privacy_tracker.py
# checks this against domain.yml: a new slot of these forms must be placed in one of the sets).
PERSONAL_FORMS = frozenset({"lead_form", "callback_form", "lead_status_form"})
PERSONAL_SLOTS = frozenset({"lead_what", "lead_place", "lead_who", "lead_evidence", "lead_name",
                            "lead_phone", "callback_question", "callback_phone",
                            "status_ticket", "status_phone4"})
NOT_PERSONAL_SLOTS = frozenset({"lead_kind", "lead_consent", "lead_confirm", "callback_consent"})
BATCH = 200  # conversations per transaction

_meta = MetaData()  # Rasa's table, described here to read and rewrite it; never created by us
EVENTS = Table("events", _meta,
               Column("id", Integer, primary_key=True),
               Column("sender_id", String(255), nullable=False),
               Column("type_name", String(255), nullable=False),
               Column("timestamp", Float),
               Column("intent_name", String(255)),
               Column("action_name", String(255)),
               Column("data", Text))


def _exists(url: str) -> bool:
    return inspect(database(url).engine).has_table("events")


def _masked(text: str) -> str:
    """Phone and ID numbers masked; a text without any stays exactly as it was (masking
    normalises full-width characters, which would change every source line's "：")."""
    masked = mask_personal(text)
    return text if masked == unicodedata.normalize("NFKC", text) else masked


def redact_event(event: dict, in_form: bool) -> dict:
    """The event without personal data (a new dict; `event` is left as it was)."""
    out = dict(event)
    kind = out.get("event")
    if kind in ("user", "bot") and isinstance(out.get("text"), str):
        out["text"] = REDACTED if in_form else _masked(out["text"])
        if kind == "user" and isinstance(out.get("parse_data"), dict):
            parse = dict(out["parse_data"])
            parse["text"] = out["text"]
            if in_form:
                parse["entities"] = []
            out["parse_data"] = parse
    if kind == "slot" and out.get("name") in PERSONAL_SLOTS and out.get("value") is not None:
        out["value"] = REDACTED
    return out


def redact_conversation(events: list[dict]) -> list[dict]:
    """Every event of one conversation, in order, redacted (see the module docstring)."""
    loop, out = None, []
    for event in events:
        if event.get("event") == "active_loop":
            loop = event.get("name")
        out.append(redact_event(event, loop in PERSONAL_FORMS))
    return out


def _idle_senders(s, before: float, after: float | None = None):
    """Senders whose last event is older than `before` (and newer than `after`)."""
    last = func.max(EVENTS.c.timestamp)
    having = last < before if after is None else (last < before) & (last >= after)
    return select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(having)


def _rewrite(s, senders: list[str]) -> int:
    """Redacts these conversations in place; returns how many rows changed."""
    changed = 0
    rows = s.execute(select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.data)
                     .where(EVENTS.c.sender_id.in_(senders))
                     .order_by(EVENTS.c.sender_id, EVENTS.c.id)).all()
    by_sender: dict[str, list] = {}
    for row in rows:
        by_sender.setdefault(row.sender_id, []).append(row)
    for conversation in by_sender.values():
        events = [json.loads(r.data) if r.data else {} for r in conversation]
        for row, before, after in zip(conversation, events, redact_conversation(events)):
            if after != before:
                s.execute(update(EVENTS).where(EVENTS.c.id == row.id)
                          .values(data=json.dumps(after)))
                changed += 1
    return changed


def redact_idle(url: str, before: float, after: float | None = None) -> tuple[int, int]:
    """Redacts conversations last active in [after, before) (epoch seconds); returns
    (conversations, rows changed). Batches of BATCH conversations, one transaction each."""
    if not _exists(url):
        return 0, 0
    db = database(url)
    with db.session() as s:
        senders = list(s.execute(_idle_senders(s, before, after)).scalars())
    rows = 0
    for start in range(0, len(senders), BATCH):
        with db.transaction() as s:
            rows += _rewrite(s, senders[start:start + BATCH])
    return len(senders), rows


def delete_idle(url: str, before: float) -> tuple[int, int]:
    """Deletes every event of conversations idle since before `before`; returns
    (conversations, rows)."""
    if not _exists(url):
        return 0, 0
    with database(url).transaction() as s:
        senders = list(s.execute(_idle_senders(s, before)).scalars())
        if not senders:
            return 0, 0
        rows = s.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(senders))
                         .execution_options(synchronize_session=False)).rowcount
    return len(senders), rows


# --- one citizen's data (PIPL requests) -------------------------------------------------------
def _texts(event: dict) -> list[str]:
    out = [event.get("text")] if isinstance(event.get("text"), str) else []
    if event.get("event") == "slot" and isinstance(event.get("value"), str):
        out.append(event["value"])
    return out


def senders_with(url: str, tickets: list[str], phone: str | None) -> list[str]:
    """Conversations in which one of the tickets or the phone number (however it was
    written: spaces, dashes, +86) appears."""
    if not _exists(url) or not (tickets or phone):
        return []
    found: set[str] = set()
    with database(url).session() as s:
        for ticket in tickets:
            found |= set(s.execute(select(EVENTS.c.sender_id).distinct()
                                   .where(EVENTS.c.data.contains(ticket))).scalars())
        if phone:
            # the last four digits are written together in every way of writing the number
            rows = s.execute(select(EVENTS.c.sender_id, EVENTS.c.data)
                             .where(EVENTS.c.data.contains(phone[-4:]))).all()
            for row in rows:
                event = json.loads(row.data) if row.data else {}
                if any(phone in phones_in(text) for text in _texts(event)):
                    found.add(row.sender_id)
    return sorted(found)


@dataclass(frozen=True)
class Line:
    """One line of a conversation as a person reads it."""
    sender: str
    time: float
    who: str  # 市民 | 助手 | 记录 (a slot the form filled)
    text: str


def transcript(url: str, senders: list[str]) -> list[Line]:
    if not _exists(url) or not senders:
        return []
    lines = []
    with database(url).session() as s:
        rows = s.execute(select(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.data)
                         .where(EVENTS.c.sender_id.in_(senders))
                         .order_by(EVENTS.c.sender_id, EVENTS.c.id)).all()
    for row in rows:
        event = json.loads(row.data) if row.data else {}
        kind = event.get("event")
        if kind in ("user", "bot") and event.get("text"):
            lines.append(Line(row.sender_id, row.timestamp or 0.0,
                              "市民" if kind == "user" else "助手", event["text"]))
        elif kind == "slot" and event.get("name") in PERSONAL_SLOTS and event.get("value"):
            lines.append(Line(row.sender_id, row.timestamp or 0.0, "记录",
                              f"{event['name']} = {event['value']}"))
    return lines


def delete_senders(url: str, senders: list[str]) -> int:
    if not _exists(url) or not senders:
        return 0
    with database(url).transaction() as s:
        return s.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(senders))
                         .execution_options(synchronize_session=False)).rowcount
