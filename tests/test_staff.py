"""Staff look-up over HTTP: sourced answers on the page and through a personal API token, and
the unanswered questions for the role 审核."""
from __future__ import annotations

import pytest
import requests

from bot.portal.app import create_app
from tests.inprocess import serving
from tests.staff_client import StaffClient, api_token, make_account


@pytest.fixture(scope="module")
def portal(kb_url):
    with serving(create_app()) as base:
        yield base


def test_the_look_up_page_gives_answers_with_sources(portal, db):
    client = StaffClient(portal)
    client.sign_in(make_account(db, "agent"))
    r = client.get("/staff/lookup", q="费减 材料")
    assert r.status_code == 200 and "来源：" in r.text and "材料" in r.text
    assert client.get("/staff/lookup", q="  ").status_code == 200  # the empty form again
    r = client.get("/staff/lookup", q="<script>alert(1)</script>")
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text


def test_the_api_searches_with_a_personal_token(portal, db):
    token = api_token(db, "agent")
    r = requests.get(f"{portal}/staff/api/search", params={"q": "费减 材料"},
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
    results = r.json()["results"]
    assert results and all(x["source"].startswith("来源：") for x in results)
    assert requests.get(f"{portal}/staff/api/search", params={"q": " "}, timeout=30,
                        headers={"Authorization": f"Bearer {token}"}).status_code == 400


def test_unanswered_questions_are_counted_for_reviewers(portal, db, kb):
    for _ in range(3):
        kb.log_unanswered("公积金怎么提取 电话13912345678", "rest", "nlu_fallback", 0.1)
    client = StaffClient(portal)
    client.sign_in(make_account(db, "reviewer"))
    r = client.get("/staff/unanswered")
    assert "公积金怎么提取 电话139****5678" in r.text and "13912345678" not in r.text
    token = api_token(db, "reviewer")
    r = requests.get(f"{portal}/staff/api/unanswered", timeout=30,
                     headers={"Authorization": f"Bearer {token}"})
    assert "13912345678" not in r.text
    # grouped with what other tests of the session logged that is similar
    examples = {e["text"]: e["count"] for g in r.json()["groups"] for e in g["examples"]}
    assert examples.get("公积金怎么提取 电话139****5678") == 3
    assert requests.get(f"{portal}/staff/api/unanswered", params={"state": "x"}, timeout=30,
                        headers={"Authorization": f"Bearer {token}"}).status_code == 400
