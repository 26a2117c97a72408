"""The staff desk in a real headless Chromium, as a 坐席 uses it: lock-out after five wrong
passwords, sign in, filter, open a case, change its status with a note, export, sign out.

The portal runs in-process on a database of its own (so the list holds only this test's cases)
with the production settings: Secure session cookies (Chromium sends them to 127.0.0.1) and
the strict Content-Security-Policy. UPDATE_SCREENSHOTS=1 also writes docs/staff-*.png (the
README's pictures); otherwise screenshots stay in pytest's tmp dir.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import time
import uuid

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

import knowledge
from bot import settings
from bot.leads import cases
from bot.leads.callbacks import CallbackDraft, CallbackStore
from bot.leads.store import Draft, LeadStore
from bot.leads.workdays import Calendar
from bot.migrations import upgrade
from bot.portal.app import create_app
from knowledge.storage import database, utcnow
from tests.conftest import DATA_DIR
from tests.inprocess import serving
from tests.staff_client import PASSWORD, make_account
from tests.test_widget import browser_installed, chrome  # noqa: F401

DOCS = settings.ROOT / "docs"
# Made-up citizens (no real person): what the desk shows in the README's screenshots.
LEADS = [
    (9, "trademark", "有人在网店销售假冒我们“赣南脐橙”注册商标的包装箱", "淘宝店“果园直发”，发货地在信丰县",
     "购买订单截图、包装照片", "刘女士", "13907971234"),
    (6, "patent", "某厂仿造我们的实用新型专利产品（家具连接件）在市场销售", "南康区家具城二期",
     "专利证书、仿品实物", "陈先生", "13807972345"),
    (3, "gi", "超市销售的茶油标注“赣南茶油”地理标志，但不是授权企业的产品", "章贡区某连锁超市",
     "商品照片、小票", "黄先生", "0797-8231234"),
    (1, "agency", "一家代理机构没有资质却代办专利申请，收费后不办", "瑞金市象湖镇", "转账记录、聊天记录",
     "钟女士", "13607973456"),
]
CALLS = [(8, "想问商标续展需要哪些材料，能不能在赣州窗口办", "15970974567"),
         (2, "专利费减备案一直提示失败，想请工作人员看看", "18879705678")]


@pytest.fixture(scope="module")
def desk(tmp_path_factory, browser_installed):  # noqa: F811
    home = tmp_path_factory.mktemp("desk-browser")
    url = f"sqlite:///{home / 'app.db'}"
    upgrade(url)
    knowledge.build(url, DATA_DIR)
    db = database(url)
    now = utcnow()
    tickets = []
    for days, kind, what, place, evidence, name, phone in LEADS:
        tickets.append(LeadStore(db).file(uuid.uuid4().hex, Draft(
            kind, what, place, None, evidence, name, phone, "wechat"),
            now=now - dt.timedelta(days=days))[0].ticket)
    for days, question, phone in CALLS:
        tickets.append(CallbackStore(db).file(uuid.uuid4().hex, CallbackDraft(
            question, phone, "rest"), 2, now=now - dt.timedelta(days=days))[0].ticket)
    due = cases.Deadlines(Calendar(), settings.case_due_days(), now.date())
    with db.transaction() as s:
        cases.change(s, tickets[0], "forwarded", "已转保护中心", "王芳",
                     due, now - dt.timedelta(days=8))
        cases.change(s, tickets[1], "accepted", "保护中心已受理", "王芳",
                     due, now - dt.timedelta(days=5))
    make_account(db, "agent", "wangfang", "王芳")
    make_account(db, "agent", "lisi", "李四")
    make_account(db, "auditor", "zhaomin", "赵敏")
    with serving(create_app({"DATABASE_URL": url, "TRACKER_DB_URL": f"sqlite:///{home / 't.db'}",
                             "STAFF_COOKIE_SECURE": True})) as base:
        yield base, tickets, db


@pytest.fixture
def browser(tmp_path):
    driver = chrome(tmp_path / "profile")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_window_size(1280, 900)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def submit(d, button) -> None:
    """Clicks and waits for the next page (the old one goes stale). Chromium sometimes answers
    a question about the old page, caught mid-navigation, with "Node with given id does not
    belong to the document" instead of "stale element" (selenium's staleness_of lets that
    through): the old page is gone either way."""
    old = d.find_element(By.TAG_NAME, "html")
    button.click()

    def gone(_driver) -> bool:
        try:
            return staleness_of(old)(_driver)
        except WebDriverException as err:
            if "does not belong to the document" in str(err):
                return True
            raise
    wait(d, gone)


def sign_in(d, base: str, username: str, password: str) -> None:
    d.get(base + "/staff/login")
    d.find_element(By.ID, "username").clear()
    d.find_element(By.ID, "username").send_keys(username)
    d.find_element(By.ID, "password").send_keys(password)
    submit(d, d.find_element(By.CSS_SELECTOR, "#login-form button"))


def shot(d, tmp_path, name: str) -> None:
    path = tmp_path / name
    d.save_screenshot(str(path))
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copyfile(path, DOCS / name)


def wait(d, condition, timeout: float = 20):
    return WebDriverWait(d, timeout).until(condition)


def test_five_wrong_passwords_lock_the_account(desk, browser):
    base, _, _ = desk
    for _ in range(4):
        sign_in(browser, base, "lisi", "Wrong-passw0rd")
        assert "用户名或密码错误" in browser.find_element(By.CSS_SELECTOR, ".error").text
    sign_in(browser, base, "lisi", "Wrong-passw0rd")
    assert "已锁定" in browser.find_element(By.CSS_SELECTOR, ".error").text
    sign_in(browser, base, "lisi", PASSWORD)  # the right password, too late
    assert "已锁定" in browser.find_element(By.CSS_SELECTOR, ".error").text
    assert browser.current_url.endswith("/staff/login")


def test_sign_in_filter_open_change_export_sign_out(desk, browser, tmp_path):
    base, tickets, _ = desk
    d = browser
    d.get(base + "/staff/desk")  # not signed in: to the sign-in page, and back after it
    assert "/staff/login" in d.current_url
    d.find_element(By.ID, "username").send_keys("wangfang")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(d, d.find_element(By.CSS_SELECTOR, "#login-form button"))
    wait(d, lambda d: d.current_url.endswith("/staff/desk"))
    assert "王芳（坐席）" in d.find_element(By.CSS_SELECTOR, ".me").text
    rows = d.find_elements(By.CSS_SELECTOR, "table.cases tbody tr")
    assert len(rows) == 6
    page = d.page_source
    assert "139****1234" in page and "13907971234" not in page
    assert d.find_elements(By.CSS_SELECTOR, "tr.overdue"), "some cases are past their limit"
    shot(d, tmp_path, "staff-desk.png")

    Select(d.find_element(By.ID, "f-category")).select_by_value("callback")
    submit(d, d.find_element(By.ID, "f-apply"))
    assert "category=callback" in d.current_url
    shown = [a.text for a in d.find_elements(By.CSS_SELECTOR, "table.cases tbody td a")]
    assert sorted(shown) == sorted(tickets[4:])

    submit(d, d.find_element(By.LINK_TEXT, tickets[5]))
    assert d.find_element(By.ID, "case-phone").text == "18879705678"
    Select(d.find_element(By.ID, "status")).select_by_value("accepted")
    d.find_element(By.ID, "note").send_keys("已电话联系，约好周三上门指导备案")
    submit(d, d.find_element(By.ID, "save"))
    assert d.find_elements(By.ID, "saved")
    assert d.find_element(By.ID, "case-status").text == "已受理"
    history = d.find_element(By.ID, "history").text
    assert "王芳" in history and "新登记 → 已受理；已电话联系" in history
    shot(d, tmp_path, "staff-case.png")

    d.get(base + "/staff/desk")
    d.find_element(By.ID, "export").click()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(d.downloads.glob("*.csv")):
        time.sleep(0.3)
    exported = list(d.downloads.glob("*.csv"))
    assert exported, "the export was downloaded"
    content = exported[0].read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {r["编号"] for r in rows} == set(tickets)
    assert {r["电话"] for r in rows} >= {"13907971234", "0797-8231234"}

    submit(d, d.find_element(By.ID, "logout"))
    assert "/staff/login" in d.current_url
    d.get(base + f"/staff/desk/{tickets[5]}")
    assert "/staff/login" in d.current_url and "18879705678" not in d.page_source


def test_the_auditor_sees_what_happened(desk, browser, tmp_path):
    base, tickets, _ = desk
    sign_in(browser, base, "zhaomin", PASSWORD)
    wait(browser, lambda d: d.current_url.endswith("/staff/audit"))
    log = browser.find_element(By.CSS_SELECTOR, "table.audit").text
    assert "wangfang" in log and "查看个人信息" in log and "导出" in log and "lisi" in log
    assert "已锁定" in log
    shot(browser, tmp_path, "staff-audit.png")
