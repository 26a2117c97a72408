"""Forwarding leads from the outbox to a local endpoint that fails first, then accepts."""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from bot.leads import cases, forwarder, store
from bot.leads.workdays import Calendar
from bot.leads.models import Lead, LeadOutbox
from knowledge.storage import Database, database
from tests.conftest import fresh_database

T0 = dt.datetime(2026, 11, 26, 8, 0, 0)
DEADLINES = cases.Deadlines(Calendar(), {"new": 2}, T0.date())


class Centre(BaseHTTPRequestHandler):
    """The protection centre: answers 503 to the first `failures` requests, then 201."""
    failures = 0
    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((dict(self.headers), body))
        failing = len(type(self).received) <= type(self).failures
        self.send_response(503 if failing else 201)
        self.end_headers()

    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture
def centre():
    Centre.failures, Centre.received = 1, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Centre)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/leads"
    server.shutdown()


@pytest.fixture
def db(tmp_path) -> Database:
    """Only this test's leads are due."""
    return database(fresh_database(tmp_path, "outbox.db"))


def file(db: Database, at: dt.datetime = T0) -> Lead:
    lead, _ = store.LeadStore(db).file(uuid.uuid4().hex, store.Draft(
        "trademark", "有人在网店卖假冒我们注册商标的茶油", "章贡区", None, "截图",
        "王女士", "13912345678", "rest"), now=at)
    return lead


def outbox(db: Database, lead: Lead) -> tuple[LeadOutbox, Lead]:
    with db.session() as s:
        return s.execute(select(LeadOutbox, Lead).join(Lead, Lead.id == LeadOutbox.lead_id)
                         .where(Lead.id == lead.id)).one()


def test_a_failed_send_waits_in_the_outbox_and_goes_out_later(centre, db, caplog):
    caplog.set_level(logging.INFO)
    lead = file(db)
    assert forwarder.run_once(db, centre, "secret", now=T0) == (0, 1)
    row, kept = outbox(db, lead)
    assert (row.attempts, row.last_error, kept.status) == (1, "HTTP 503", "new")
    assert row.next_attempt_at == T0 + forwarder.BACKOFF_FIRST
    assert forwarder.run_once(db, centre, "secret", now=T0 + dt.timedelta(seconds=5)) == (0, 0)

    later = T0 + forwarder.BACKOFF_FIRST
    assert forwarder.run_once(db, centre, "secret", now=later) == (1, 0)
    row, sent = outbox(db, lead)
    assert (row.done_at, sent.status, sent.forwarded_at) == (later, "forwarded", later)
    assert forwarder.run_once(db, centre, "secret", now=later + dt.timedelta(hours=2)) == (0, 0)

    assert len(Centre.received) == 2
    headers, body = Centre.received[-1]
    assert headers["Authorization"] == "Bearer secret"
    assert headers["Idempotency-Key"] == lead.ticket
    assert (body["ticket"], body["phone"], body["name"]) == (lead.ticket, "13912345678", "王女士")
    # the log names the ticket, never the citizen
    assert lead.ticket in caplog.text
    assert "13912345678" not in caplog.text and "王女士" not in caplog.text


def test_an_unreachable_endpoint_backs_off_up_to_the_cap(db):
    lead = file(db)
    dead = "http://127.0.0.1:9/leads"  # the discard port: nothing listens
    now = T0
    for attempt in range(1, 4):
        assert forwarder.run_once(db, dead, now=now) == (0, 1)
        row, _ = outbox(db, lead)
        assert row.attempts == attempt and row.last_error == "ConnectionError"
        assert row.next_attempt_at - now == forwarder.BACKOFF_FIRST * 2 ** (attempt - 1)
        now = row.next_attempt_at
    assert forwarder.backoff(30) == forwarder.BACKOFF_CAP


def test_two_workers_never_lease_the_same_rows(db):
    for _ in range(3):
        file(db)
    first = forwarder.claim(db, T0)
    assert first and forwarder.claim(db, T0) is None
    # a worker that died keeps its lease only until the lease runs out
    assert forwarder.claim(db, T0 + forwarder.LEASE + dt.timedelta(seconds=1))


def test_leads_staff_handled_already_are_not_sent(centre, db):
    lead = file(db)
    with db.transaction() as s:
        cases.change(s, lead.ticket, "accepted", None, "staff", DEADLINES, T0)
    assert forwarder.run_once(db, centre, now=T0) == (0, 0)
    row, kept = outbox(db, lead)
    assert Centre.received == [] and row.done_at == T0 and kept.status == "accepted"
