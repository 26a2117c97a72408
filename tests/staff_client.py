"""The staff pages as a browser uses them, over real HTTP: a session cookie and the CSRF token
of the last page seen. The cookie is sent by hand because it is `Secure` and Python's cookie
jar keeps Secure cookies for https only (browsers also send them to http://127.0.0.1)."""
from __future__ import annotations

import itertools
import re
from http.cookies import SimpleCookie

import requests

from sqlalchemy import select

from bot.portal import accounts
from bot.portal.accounts import StaffAccount, actor_of
from bot.portal.audit import Actor
from knowledge.storage import Database, utcnow

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORD = "Test-Passw0rd-ok"
TEST_ACTOR = Actor(username="cli:tests", role=None, via="cli")
_numbers = itertools.count(1)


def make_account(db: Database, role: str, username: str | None = None,
                 display_name: str | None = None, password: str = PASSWORD) -> str:
    """An account with a known password that need not be changed; returns its username."""
    username = username or f"{role}{next(_numbers)}x{id(db) % 9973}"
    accounts.create(db, TEST_ACTOR, username, display_name or f"测试{role}", role, password)
    return username


def actor_for(db: Database, username: str) -> Actor:
    """The person as the portal sees them (to make API tokens in tests)."""
    with db.session() as s:
        account = s.execute(select(StaffAccount).where(StaffAccount.username == username)
                            ).scalar_one()
    return actor_of(account, "127.0.0.1", "session", utcnow())


def api_token(db: Database, role: str) -> str:
    """A personal API token of a new account with this role."""
    return accounts.create_token(db, actor_for(db, make_account(db, role)), "tests")


class StaffClient:
    def __init__(self, base: str) -> None:
        self.base = base
        self.cookie: str | None = None
        self.csrf: str | None = None
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, follow: bool = True,
                **kwargs) -> requests.Response:
        while True:
            headers = dict(kwargs.pop("headers", {}) or {})
            if self.cookie:
                headers["Cookie"] = f"gz_staff={self.cookie}"
            r = requests.request(method, self.base + path, headers=headers,
                                 allow_redirects=False, timeout=60, **kwargs)
            self._remember(r)
            if not (follow and r.status_code in (301, 302, 303)):
                return r
            method, path, kwargs = "GET", r.headers["Location"], {}
            if path.startswith("http"):
                path = path[len(self.base):]

    def _remember(self, r: requests.Response) -> None:
        for header in r.raw.headers.getlist("Set-Cookie"):
            self.set_cookie_headers.append(header)
            jar = SimpleCookie()
            jar.load(header)
            if "gz_staff" in jar:
                value = jar["gz_staff"].value
                self.cookie = value or None
        found = CSRF.search(r.text) if "text/html" in r.headers.get("Content-Type", "") else None
        if found:
            self.csrf = found.group(1)

    def get(self, path: str, follow: bool = True, **params) -> requests.Response:
        return self.request("GET", path, follow=follow, params=params or None)

    def post(self, path: str, data: dict | None = None, csrf: bool = True,
             follow: bool = True) -> requests.Response:
        form = dict(data or {})
        if csrf and self.csrf:
            form.setdefault("csrf", self.csrf)
        return self.request("POST", path, follow=follow, data=form)

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Response:
        self.get("/staff/login")
        return self.post("/staff/login", {"username": username, "password": password},
                         csrf=False)
