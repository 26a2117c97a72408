"""Every staff route × every role: 200 where the role table allows it, 403 where it does not;
nothing without signing in. The expectations are written out here, apart from the code's own
table (bot/portal/roles.py), and a route this file does not know fails the test."""
from __future__ import annotations

import re
import uuid

import pytest
import requests
from sqlalchemy import select

from bot.leads.callbacks import CallbackDraft, CallbackStore
from bot.leads.store import Draft, LeadStore
from bot.leads.workdays import Calendar
from bot.portal import accounts, followups, ratings
from bot.portal.accounts import StaffToken, hash_token
from bot.portal.app import STATIC, create_app
from bot.portal.pages import TEMPLATES
from bot.portal.roles import ROLES
from knowledge import editing
from knowledge.models import UnansweredGroup, UnansweredQuestion
from knowledge.storage import utcnow
from tests.inprocess import serving
from tests.staff_client import PASSWORD, StaffClient, actor_for, make_account

ROLES_ = list(ROLES)
EVERYONE = set(ROLES_)
CASES = {"agent", "reviewer"}
# (method, route as Sanic names it) → the roles that get 200; None: public.
PAGES = {
    ("GET", "/staff/login"): None,
    ("POST", "/staff/login"): None,
    ("GET", "/staff/static/<name>"): None,
    ("GET", "/staff"): EVERYONE,
    ("POST", "/staff/logout"): EVERYONE,
    ("GET", "/staff/password"): EVERYONE,
    ("POST", "/staff/password"): EVERYONE,
    ("GET", "/staff/tokens"): EVERYONE,
    ("POST", "/staff/tokens"): EVERYONE,
    ("POST", "/staff/tokens/<token_id:int>/revoke"): EVERYONE,
    ("GET", "/staff/desk"): CASES,
    ("GET", "/staff/desk/export.csv"): CASES,
    ("GET", "/staff/desk/<ticket>"): CASES,
    ("POST", "/staff/desk/<ticket>"): CASES,
    ("GET", "/staff/ratings"): CASES,
    ("GET", "/staff/ratings/<item_id:int>"): CASES,
    ("POST", "/staff/ratings/<item_id:int>"): CASES,
    ("GET", "/staff/lookup"): CASES,
    ("GET", "/staff/unanswered"): {"reviewer"},
    ("GET", "/staff/kb"): CASES,
    ("GET", "/staff/kb/new"): CASES,
    ("POST", "/staff/kb/new"): CASES,
    ("GET", "/staff/kb/drafts"): CASES,
    ("GET", "/staff/kb/drafts/<version_id:int>"): CASES,
    ("POST", "/staff/kb/drafts/<version_id:int>"): {"reviewer"},
    ("GET", "/staff/kb/<answer_id>"): CASES,
    ("POST", "/staff/kb/<answer_id>"): CASES,
    ("GET", "/staff/kb/<answer_id>/history"): CASES,
    ("POST", "/staff/kb/<answer_id>/rollback"): {"reviewer"},
    ("POST", "/staff/unanswered/<group_id:int>/dismiss"): {"reviewer"},
    ("POST", "/staff/unanswered/<group_id:int>/phrasing"): {"reviewer"},
    ("GET", "/staff/dashboard"): CASES,
    ("GET", "/staff/dashboard/data"): CASES,
    ("GET", "/staff/admin/accounts"): {"admin"},
    ("POST", "/staff/admin/accounts"): {"admin"},
    ("POST", "/staff/admin/accounts/<account_id:int>"): {"admin"},
    ("GET", "/staff/admin/settings"): {"admin"},
    ("GET", "/staff/admin/privacy"): {"admin"},
    ("POST", "/staff/admin/privacy"): {"admin"},
    ("POST", "/staff/admin/privacy/export"): {"admin"},
    ("POST", "/staff/admin/privacy/delete"): {"admin"},
    ("GET", "/staff/audit"): {"auditor"},
    ("GET", "/staff/audit.csv"): {"auditor"},
}
API = {
    ("GET", "/staff/api/search"): CASES,
    ("GET", "/staff/api/unanswered"): {"reviewer"},
    ("GET", "/staff/api/dashboard"): CASES,
    ("GET", "/staff/api/cases"): CASES,
    ("GET", "/staff/api/cases.csv"): CASES,
    ("GET", "/staff/api/cases/<ticket>"): CASES,
    ("POST", "/staff/api/cases/<ticket>/status"): CASES,
}


@pytest.fixture(scope="module")
def portal(db):
    app = create_app()
    with serving(app) as base:
        yield app, base


@pytest.fixture(scope="module")
def tickets(db) -> dict[str, str]:
    lead, _ = LeadStore(db).file(uuid.uuid4().hex, Draft(
        "patent", "仿造我们的外观设计灯具", "章贡区某灯具店", None, "照片", "周先生",
        "13911112222", "rest"))
    callback, _ = CallbackStore(db).file(uuid.uuid4().hex, CallbackDraft(
        "想问商标续展的材料", "13933334444", "rest"), 2)
    return {"lead": lead.ticket, "callback": callback.ticket}


EDITED = "trademark.online"  # the answer the editing routes work on


@pytest.fixture(scope="module")
def first_version(db) -> int:
    """EDITED with a second published version (only its check date differs), so the
    reviewer's rollback to the first has something to undo and leaves the files' content."""
    first = editing.current(db, EDITED)
    draft = editing.save_draft(db, {**first.content, "last_verified": "2026-11-30"},
                               "route-test-author", first.id)
    editing.approve(db, draft, "route-test-reviewer")
    return first.id


def _kb_form(content: dict) -> dict:
    form = {k: "" if v is None else str(v) for k, v in content.items()
            if k not in ("questions", "next")}
    form["questions"] = "\n".join(content["questions"])
    form.update({f"next{i}": x for i, x in enumerate(content["next"])})
    return form


def staff_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.router.routes:
        path = "/" + route.path.strip("/").replace(":str>", ">")
        if path.startswith("/staff"):
            found |= {(method, path) for method in route.methods if method in ("GET", "POST")}
    return found


def test_every_staff_route_is_in_this_table(portal):
    app, _ = portal
    assert staff_routes(app) == set(PAGES) | set(API)


def _concrete(path: str, ids: dict) -> str:
    if path == "/staff":
        return "/staff/"
    return (path.replace("<ticket>", ids["ticket"]).replace("<token_id:int>", str(ids["token"]))
            .replace("<account_id:int>", str(ids["account"])).replace("<name>", "staff.css")
            .replace("<item_id:int>", str(ids.get("item", 1)))
            .replace("<answer_id>", EDITED).replace("<version_id:int>", str(ids.get("draft", 1)))
            .replace("<group_id:int>", str(ids.get("group", 1))))


def _form(method_path: tuple[str, str], role: str, ids: dict) -> dict:
    """A valid form for each POST page (it changes nothing another role's run needs)."""
    current = editing.current(ids["db"], EDITED).content if "db" in ids else {}
    if method_path[1].startswith("/staff/kb"):
        new_id = f"trademark.route_{role}_{uuid.uuid4().hex[:6]}"
        return {
            "/staff/kb/new": lambda: _kb_form({**current, "id": new_id}),
            "/staff/kb/<answer_id>": lambda: {**_kb_form(current),
                                              "change_note": f"route test by {role}"},
            "/staff/kb/drafts/<version_id:int>": lambda: {"action": "send_back",
                                                          "comment": f"route test by {role}"},
            "/staff/kb/<answer_id>/rollback": lambda: {"version": str(ids["first"])},
        }[method_path[1]]()
    return {
        "/staff/logout": {},
        "/staff/password": {"current": ids["password"], "new": ids["password"] + "!",
                            "repeat": ids["password"] + "!"},
        "/staff/tokens": {"label": f"route test {role}"},
        "/staff/tokens/<token_id:int>/revoke": {},
        "/staff/desk/<ticket>": {"note": f"route test by {role}"},
        "/staff/ratings/<item_id:int>": {"outcome": "explained",
                                         "reason": f"route test by {role}"},
        "/staff/unanswered/<group_id:int>/dismiss": {"reason": f"route test by {role}"},
        "/staff/unanswered/<group_id:int>/phrasing": {
            "answer_id": EDITED, "text": f"路由测试问法 {role} {uuid.uuid4().hex[:6]}"},
        "/staff/admin/accounts": {"username": f"new{role}{uuid.uuid4().hex[:6]}",
                                  "display_name": "新同事", "role": "agent"},
        "/staff/admin/accounts/<account_id:int>": {"action": "revoke_tokens"},
        "/staff/admin/privacy": {"ticket": "GZ-20000101-00000"},
        "/staff/admin/privacy/export": {"ticket": "GZ-20000101-00000"},
        "/staff/admin/privacy/delete": {"ticket": "GZ-20000101-00000", "confirm": "yes",
                                        "reason": "route test"},
    }[method_path[1]]


@pytest.mark.parametrize("role", ROLES_)
def test_each_role_gets_200_where_allowed_and_403_elsewhere(portal, db, tickets, first_version,
                                                            role):
    app, base = portal
    username = make_account(db, role)
    dummy = make_account(db, "agent")
    client = StaffClient(base)
    assert client.sign_in(username).status_code == 200
    token = accounts.create_token(db, actor_for(db, username), "for revoking")
    ids = {"ticket": tickets["lead"], "account": _account_id(db, dummy),
           "token": _token_id(db, username, token), "password": PASSWORD,
           "item": _bad_rating(db), "db": db, "first": first_version,
           "draft": _draft(db), "group": _open_group(db), "group2": _open_group(db)}
    answers = {}
    for method, path in sorted(PAGES, key=lambda k: k[1] == "/staff/logout"):
        allowed = PAGES[(method, path)]
        if allowed is None:
            continue
        # dismissing and proposing a phrasing each decide a group: one group each
        url = _concrete(path, {**ids, "group": ids["group2"]} if path.endswith("/phrasing")
                        else ids)
        r = client.get(url) if method == "GET" else client.post(
            url, _form((method, path), role, ids))
        answers[(method, path)] = r.status_code
        if (method, path) == ("POST", "/staff/password") and r.status_code == 200:
            ids["password"] += "!"
    expected = {key: 200 if role in allowed else 403 for key, allowed in PAGES.items()
                if allowed is not None}
    assert answers == expected

    api_token = accounts.create_token(db, actor_for(db, username), "route test")
    api = {}
    for method, path in API:
        url = base + _concrete(path, {**ids, "ticket": tickets["callback"]})
        r = requests.request(method, url, headers={"Authorization": f"Bearer {api_token}"},
                             params={"q": "费减"} if path.endswith("search") else None,
                             json={"note": f"api route test {role}"} if method == "POST" else None,
                             timeout=30)
        api[(method, path)] = r.status_code
    assert api == {key: 200 if role in allowed else 403 for key, allowed in API.items()}


def _draft(db) -> int:
    """A draft of someone else's, for the reviewer to send back."""
    current = editing.current(db, EDITED)
    return editing.save_draft(db, {**current.content, "change_note": "待审核的测试草稿"},
                              "route-test-author", current.id)


def _bad_rating(db) -> int:
    """An open follow-up item of its own (closing it is what the POST does)."""
    vote = ratings.parse({"sender": f"web-{uuid.uuid4().hex[:12]}", "message_id": "m1",
                          "text": "答复", "rating": "dissatisfied"})
    saved = followups.rate(db, vote, followups.Rules(Calendar(), 5, "sqlite://"), utcnow())
    return int(saved.followup.split("-")[1])


def _open_group(db) -> int:
    """An open group of unanswered questions of its own (dismissing it is what the POST does)."""
    with db.transaction() as s:
        group = UnansweredGroup()
        s.add(group)
        s.flush()
        s.add(UnansweredQuestion(text=f"路由测试问题 {uuid.uuid4().hex[:6]}", channel="rest",
                                 group_id=group.id, words="路由"))
        return group.id


def _account_id(db, username: str) -> int:
    return actor_for(db, username).account_id


def _token_id(db, username: str, token: str) -> int:
    with db.session() as s:
        return s.execute(select(StaffToken.id).where(
            StaffToken.token_hash == hash_token(token))).scalar_one()


def test_nothing_without_signing_in(portal, tickets):
    app, base = portal
    anonymous = StaffClient(base)
    for (method, path), allowed in PAGES.items():
        url = _concrete(path, {"ticket": tickets["lead"], "token": 1, "account": 1})
        r = anonymous.request(method, url, follow=False, data={"csrf": "guess"})
        if allowed is None:
            assert r.status_code in (200, 401), (method, path)
        elif method == "GET":
            assert r.status_code == 303 and r.headers["Location"].startswith("/staff/login"), path
        else:
            assert r.status_code == 403, (method, path)
        assert "13911112222" not in r.text
    for method, path in API:
        url = base + _concrete(path, {"ticket": tickets["lead"], "token": 1, "account": 1})
        for headers in ({}, {"Authorization": "Bearer gzs_guess"}, {"Authorization": "Basic x"},
                        {"Cookie": "gz_staff=guess"}):
            r = requests.request(method, url, headers=headers, timeout=30)
            assert r.status_code == 401, (method, path, headers)


def test_a_signed_in_browser_cannot_use_the_api_with_its_cookie(portal, db, tickets):
    _, base = portal
    client = StaffClient(base)
    client.sign_in(make_account(db, "agent"))
    r = client.get(f"/staff/api/cases/{tickets['lead']}", follow=False)
    assert r.status_code == 401  # only personal API tokens: no cross-site request rides along


def test_a_form_without_the_csrf_token_or_from_another_site_is_refused(portal, db, tickets):
    _, base = portal
    client = StaffClient(base)
    client.sign_in(make_account(db, "agent"))
    path = f"/staff/desk/{tickets['lead']}"
    client.get(path)
    assert client.post(path, {"note": "x"}, csrf=False).status_code == 403
    assert client.post(path, {"note": "x", "csrf": "wrong"}).status_code == 403
    r = client.request("POST", path, data={"note": "x", "csrf": client.csrf},
                       headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.post(path, {"note": "同源、带令牌"}).status_code == 200


def test_staff_responses_carry_a_strict_policy_and_secure_cookies(portal, db):
    _, base = portal
    client = StaffClient(base)
    r = client.get("/staff/login")
    policy = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Cache-Control"] == "no-store"
    client.sign_in(make_account(db, "auditor"))
    cookie = next(h for h in client.set_cookie_headers if h.startswith("gz_staff=") and
                  len(h.split(";")[0]) > 20)
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite"} <= flags and "SameSite=Strict" in cookie
    assert "Path=/staff" in cookie


def test_no_page_loads_anything_from_outside():
    for path in [*TEMPLATES.rglob("*.html"), STATIC / "staff.css", STATIC / "dashboard.js"]:
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path
        # CSP: nothing inline; a script only as an empty element naming a file of the portal's
        scripts = re.findall(r"<script[^>]*>", text)
        assert scripts == re.findall(r'<script src="/staff/static/[a-z.]+(?:\?v=\{\{ \w+ \}\})?" '
                                     r'defer>(?=</script>)', text), path
        assert "style=" not in text, path
