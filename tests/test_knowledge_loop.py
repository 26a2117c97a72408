"""The knowledge loop end to end, over real HTTP (the portal in-process on a database of its
own) and the knowledge service the bot answers with: a question the bot could not answer is
logged, grouped, proposed by one reviewer as a phrasing of an existing answer, approved by a
second — and the same service then answers it, without retraining. A new answer drafted from a
group marks the group in the draft's own transaction; nothing is kept when either half fails."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select

import knowledge
from bot.portal import review
from bot.portal.app import create_app
from bot.portal.audit import Actor, AuditEntry
from knowledge import editing
from knowledge.models import AnswerVersion, UnansweredGroup
from knowledge.service import CHECK_EVERY_S
from knowledge.storage import database
from tests.conftest import DATA_DIR, fresh_database
from tests.inprocess import serving
from tests.staff_client import StaffClient, make_account

NOW = dt.datetime(2026, 12, 2, 2, 0)
TARGET = "rights_assistance.overview"
# Dialect the data files have no phrasing like (a 赣南 way of saying "my product was copied"):
# the service declines it today.
QUESTION = "老表，我屋里做的东西被人家照到抄了，么子办咯"


@pytest.fixture
def loop(tmp_path):
    url = fresh_database(tmp_path)
    knowledge.build(url, DATA_DIR)
    db = database(url)
    kb = knowledge.open(url, DATA_DIR, lambda: NOW.date())
    app = create_app({"DATABASE_URL": url, "TRACKER_DB_URL": "sqlite://",
                      "CLOCK": lambda: NOW})
    with serving(app) as base:
        people = {}
        for name, role in (("first", "reviewer"), ("second", "reviewer"), ("agent", "agent")):
            people[name] = StaffClient(base)
            people[name].sign_in(make_account(db, role, f"{name}{id(db) % 9973}"))
        yield people, db, kb


def _asked(kb, text: str) -> int:
    """Asks the service as the action server does, and returns the group the review made."""
    reply = kb.answer(text)
    assert kb.record_question(text, "rest", None, 0.0, reply) is not None
    review.review(kb.db, kb, "open")
    with kb.db.session() as s:
        return s.execute(select(UnansweredGroup.id).order_by(UnansweredGroup.id.desc())
                         .limit(1)).scalar_one()


def _count(db, model) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


def test_an_unanswered_question_is_answered_once_a_second_reviewer_approves_its_phrasing(loop):
    people, db, kb = loop
    before = kb.answer(QUESTION)
    assert not before.answered and before.answer_id is None
    group = _asked(kb, QUESTION)

    page = people["first"].get("/staff/unanswered").text
    assert f'id="phrasing-{group}"' in page and f'id="new-answer-{group}"' in page
    assert people["agent"].get("/staff/unanswered").status_code == 403
    r = people["first"].post(f"/staff/unanswered/{group}/phrasing",
                             {"answer_id": TARGET, "text": QUESTION})
    assert "/staff/kb/drafts/" in r.url, r.text[:500]
    draft = int(r.url.split("/staff/kb/drafts/")[1].split("?")[0])
    with db.session() as s:
        g = s.get(UnansweredGroup, group)
        assert (g.state, g.answer_id, g.version_id) == ("phrasing_proposed", TARGET, draft)
        assert [(e.action, e.target) for e in s.execute(
            select(AuditEntry).where(AuditEntry.action.in_(("review", "kb_draft")))
            .order_by(AuditEntry.id)).scalars()] == [("review", f"UQ-{group}"),
                                                     ("kb_draft", TARGET)]
    # not published yet: the bot still declines, and the proposer cannot approve it
    assert not kb.answer(QUESTION).answered
    assert people["first"].post(f"/staff/kb/drafts/{draft}",
                                {"action": "approve"}).status_code == 400
    assert editing.drafts(db)[0].id == draft
    r = people["second"].post(f"/staff/kb/drafts/{draft}", {"action": "approve"})
    assert r.status_code == 200, r.text[:500]

    time.sleep(CHECK_EVERY_S + 0.1)  # the service looks for a new knowledge version this often
    after = kb.answer(QUESTION)
    assert after.answered and after.answer_id == TARGET
    assert "来源：" in after.text
    # the group has left the open list
    assert f'id="group-{group}"' not in people["first"].get("/staff/unanswered").text


def test_a_phrasing_for_an_unknown_answer_keeps_nothing_and_the_group_open(loop):
    people, db, kb = loop
    group = _asked(kb, QUESTION)
    versions = _count(db, AnswerVersion)
    r = people["first"].post(f"/staff/unanswered/{group}/phrasing",
                             {"answer_id": "trademark.no_such_answer", "text": QUESTION})
    assert r.status_code == 400 and "不存在" in r.text
    assert _count(db, AnswerVersion) == versions
    with db.session() as s:
        assert s.get(UnansweredGroup, group).state == "open"


def test_a_decided_group_takes_no_draft(loop):
    people, db, kb = loop
    group = _asked(kb, QUESTION)
    actor = Actor(username="someone", role="reviewer")
    assert review.dismiss(db, actor, group, "测试消息", NOW)
    versions = _count(db, AnswerVersion)
    with pytest.raises(review.NotAllowed):
        review.propose_phrasing(db, actor, group, TARGET, QUESTION, NOW)
    assert _count(db, AnswerVersion) == versions  # the draft went with the refusal
    r = people["first"].post(f"/staff/unanswered/{group}/phrasing",
                             {"answer_id": TARGET, "text": QUESTION})
    assert r.status_code == 409
    assert people["first"].get(f"/staff/kb/new?group={group}").status_code == 404


def test_an_agent_may_not_decide_groups(loop):
    people, _, kb = loop
    group = _asked(kb, QUESTION)
    assert people["agent"].post(f"/staff/unanswered/{group}/phrasing",
                                {"answer_id": TARGET, "text": QUESTION}).status_code == 403
    assert people["agent"].get(f"/staff/kb/new?group={group}").status_code == 404


def test_a_new_answer_drafted_from_a_group_marks_it_in_the_same_transaction(loop):
    people, db, kb = loop
    group = _asked(kb, QUESTION)
    page = people["first"].get(f"/staff/kb/new?group={group}").text
    assert "我屋里做的东西被人家照到抄了" in page and f'name="group" value="{group}"' in page
    current = editing.current(db, TARGET).content
    form = {"topic": "rights_assistance", "id": "rights_assistance.dialect_copied",
            "title": "产品被仿冒怎么办", "questions": f"{QUESTION}\n我的产品被人仿冒了怎么办",
            "short": current["short"], "source": current["source"],
            "article": current.get("article") or "", "confidence": current["confidence"],
            "last_verified": "2026-12-02", "group": str(group)}
    bad = dict(form, short="")  # the loader's rules first: nothing is kept, the group stays open
    assert people["first"].post("/staff/kb/new", bad).status_code == 400
    with db.session() as s:
        assert s.get(UnansweredGroup, group).state == "open"
    r = people["first"].post("/staff/kb/new", form)
    assert "/staff/kb/drafts/" in r.url, r.text[:800]
    draft = int(r.url.split("/staff/kb/drafts/")[1].split("?")[0])
    with db.session() as s:
        g = s.get(UnansweredGroup, group)
        assert (g.state, g.answer_id, g.version_id) == (
            "answer_drafted", "rights_assistance.dialect_copied", draft)
        assert s.get(AnswerVersion, draft).state == "draft"
