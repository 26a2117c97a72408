"""The knowledge loop in the production shape, on PostgreSQL: a question both action servers
decline is logged and counted there, the staff API groups it and draws the dashboard from it
(their SQL runs on PostgreSQL here, on SQLite in `make test`), one reviewer proposes it as a
phrasing, another approves, and both action servers answer it — no retraining, no restart. The
answer is rolled back to the files' text at the end, so `make kb` keeps working (a record the
portal changed would be refused)."""
from __future__ import annotations

import secrets
import time

import requests

from bot.portal import review
from bot.portal.audit import Actor
from knowledge import editing
from knowledge.storage import database, utcnow
from tests.prod.test_prod_shape import ask_action_server
from tests.staff_client import api_token

TARGET = "rights_assistance.overview"
# Dialect the data files have no phrasing like: declined until staff act.
QUESTION = "老表，我屋里做的东西被人家照到抄了，么子办咯"


def answer_of(base: str, question: str) -> str:
    """The action server's answer to a question NLU was unsure of."""
    return ask_action_server(base, question, "nlu_fallback", 0.3, f"loop-{secrets.token_hex(4)}")


def test_a_declined_question_is_grouped_approved_and_answered_by_both_replicas(shape, app_url):
    db = database(app_url)
    for i in (0, 1):
        assert "来源：" not in answer_of(shape.actions(i), QUESTION)  # declined, and logged
    reviewer = {"Authorization": f"Bearer {api_token(db, 'reviewer')}"}
    listed = requests.get(f"{shape.internal}/staff/api/unanswered", headers=reviewer,
                          timeout=30)
    assert listed.status_code == 200, listed.text
    mine = [g for g in listed.json()["groups"] if "我屋里做的东西被人家照到抄了" in g["text"]]
    assert len(mine) == 1 and mine[0]["count"] == 2, mine
    figures = requests.get(f"{shape.internal}/staff/api/dashboard", headers=reviewer,
                           params={"days": 30}, timeout=30)
    assert figures.status_code == 200, figures.text
    assert any("我屋里做的东西被人家照到抄了" in str(g) for g in figures.json().values()), \
        "the dashboard's top unanswered groups miss the question"

    first = editing.current(db, TARGET).id
    draft = review.propose_phrasing(db, Actor(username="loop-first", role="reviewer"),
                                    mine[0]["id"], TARGET, QUESTION, utcnow())
    editing.approve(db, draft, "loop-second")
    try:
        deadline, answered = time.monotonic() + 30, set()
        while time.monotonic() < deadline and len(answered) < 2:
            answered |= {i for i in (0, 1) if "来源：" in answer_of(shape.actions(i), QUESTION)}
            time.sleep(0.5)
        assert answered == {0, 1}, "an action server still declines the approved phrasing"
    finally:
        editing.rollback(db, TARGET, first, "loop-first")

