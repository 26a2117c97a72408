"""The portal without a browser (made by create_app, served in-process): what it serves, and
which ratings it takes."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from bot.portal import ratings
from bot.portal.app import create_app
from tests.inprocess import serving

RASA = "http://127.0.0.1:5405"  # no Rasa needed: only the demo page names its address
ANSWER = "个人上年度月均收入低于5000元的，可以请求减缴。\n来源：《关于减免部分行政事业性收费有关政策的通知》（财税〔2019〕45号）"


def vote(**changes) -> dict:
    body = {"sender": "web-0123abcd", "message_id": "m42", "text": ANSWER, "rating": "up"}
    body.update(changes)
    return body


@pytest.fixture(scope="module")
def web(kb_url):
    with serving(create_app({"RASA_PUBLIC_URL": RASA})) as base:
        yield base


@pytest.mark.parametrize("changes, field", [
    ({"rating": "meh"}, "rating"),
    ({"sender": "有 空格"}, "sender"),
    ({"sender": "x" * 65}, "sender"),
    ({"message_id": ""}, "message_id"),
    ({"message_id": 42}, "message_id"),
    ({"text": ""}, "text"),
    ({"text": "x" * (ratings.MAX_TEXT + 1)}, "text"),
    ({"answer_id": "<script>"}, "answer_id"),
])
def test_invalid_votes_name_the_field(changes, field):
    with pytest.raises(ratings.InvalidRating, match=field):
        ratings.parse(vote(**changes))


def test_hash_ignores_line_endings_and_outer_blanks():
    assert ratings.text_hash(" a \r\nb\n") == ratings.text_hash("a\nb")
    assert ratings.text_hash("a\nb") != ratings.text_hash("a\nc")


def test_demo_page_embeds_the_widget_with_rasa_address(web):
    r = requests.get(web + "/", timeout=10)
    assert r.status_code == 200 and "赣州市市场监督管理局" in r.text
    assert f'"server": "{RASA}"' in r.text
    assert '<script src="/widget/chat.js" defer></script>' in r.text
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and RASA in csp


def test_widget_files_and_nothing_else(web):
    js = requests.get(web + "/widget/chat.js", timeout=10)
    assert js.status_code == 200 and js.headers["Content-Type"].startswith("text/javascript")
    assert "innerHTML" not in js.text  # the widget only ever writes text
    assert requests.get(web + "/widget/chat.css", timeout=10).status_code == 200
    for path in ("/widget/demo.html", "/widget/..%2Fweb.py", "/widget/%2e%2e/ratings.py"):
        assert requests.get(web + path, timeout=10).status_code == 404, path


def test_rating_stored_once_per_message(web, db):
    url = web + "/api/ratings"
    r = requests.post(url, json=vote(), timeout=10)
    assert r.status_code == 201 and r.headers["Access-Control-Allow-Origin"] == "*"
    r = requests.post(url, json=vote(rating="very_dissatisfied"), timeout=10)  # 一次一评
    assert r.status_code == 409 and r.headers["Access-Control-Allow-Origin"] == "*"
    with db.session() as s:
        rows = s.execute(select(ratings.AnswerRating).where(
            ratings.AnswerRating.sender == "web-0123abcd")).scalars().all()
    assert [(row.message_id, row.rating) for row in rows] == [("m42", "satisfied")]
    assert rows[0].text_hash == ratings.text_hash(ANSWER)  # the hash, never the text


def test_bad_ratings_refused(web):
    url = web + "/api/ratings"
    assert requests.post(url, data=b"{not json", timeout=10).status_code == 400
    assert requests.post(url, json=vote(rating="meh"), timeout=10).json()["field"] == "rating"
    assert requests.post(url, data=b"x" * 9000, timeout=10).status_code == 413
    preflight = requests.options(url, timeout=10)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
