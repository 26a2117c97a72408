"""Staff look-up over HTTP: closed without a token, sourced answers and unanswered counts with."""
from __future__ import annotations

import pytest
import requests

from bot.portal.app import create_app
from tests.inprocess import serving

TOKEN = "test-staff-token-0123456789"


@pytest.fixture(scope="module")
def open_portal(kb_url):
    with serving(create_app({"STAFF_TOKEN": TOKEN})) as base:
        yield base


@pytest.fixture(scope="module")
def closed_portal(kb_url):
    with serving(create_app({"STAFF_TOKEN": ""})) as base:
        yield base


def get(base, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(base + path, headers=headers, params=params, timeout=30)


def test_no_token_configured_refuses_even_a_guess(closed_portal):
    assert get(closed_portal, "/staff/api/search", "anything", q="费减").status_code == 403
    assert get(closed_portal, "/staff/api/unanswered", "").status_code == 403


def test_wrong_or_missing_token_is_refused(open_portal):
    assert get(open_portal, "/staff/api/search", q="费减").status_code == 401
    assert get(open_portal, "/staff/api/search", TOKEN + "x", q="费减").status_code == 401


def test_search_gives_answers_with_sources(open_portal):
    r = get(open_portal, "/staff/api/search", TOKEN, q="费减 材料")
    assert r.status_code == 200
    results = r.json()["results"]
    assert results and all(x["source"].startswith("来源：") for x in results)
    assert any("材料" in x["title"] for x in results)
    assert get(open_portal, "/staff/api/search", TOKEN, q="  ").status_code == 400


def test_unanswered_questions_are_counted(open_portal, kb):
    for _ in range(3):
        kb.log_unanswered("公积金怎么提取", "rest", "nlu_fallback", 0.1)
    r = get(open_portal, "/staff/api/unanswered", TOKEN)
    counts = {q["text"]: q["count"] for q in r.json()["questions"]}
    assert counts.get("公积金怎么提取") == 3


def test_staff_page_is_served_without_data(open_portal):
    r = requests.get(open_portal + "/staff/", timeout=30)
    assert r.status_code == 200 and "工作人员令牌" in r.text
