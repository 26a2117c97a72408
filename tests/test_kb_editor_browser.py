"""Editing answers with approval in a real headless Chromium: a 坐席 changes an answer's text
and saves a draft, a 审核 approves it and the bot (a KnowledgeService over the same database,
as in the action server) answers with the new text without retraining; a second draft is sent
back with a reason; rollback restores the earlier text.

The portal runs in-process on a database of its own with the production settings (Secure
cookies, strict Content-Security-Policy). UPDATE_SCREENSHOTS=1 also writes docs/staff-kb-*.png
(the README's pictures); otherwise they stay in pytest's tmp dir.
"""
from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

import knowledge
from bot.migrations import upgrade
from bot.portal.app import create_app
from knowledge import editing
from knowledge.service import CHECK_EVERY_S
from knowledge.storage import database
from tests.conftest import DATA_DIR
from tests.inprocess import serving
from tests.staff_client import PASSWORD, make_account
from tests.test_desk_browser import shot, sign_in, submit
from tests.test_widget import browser_installed, chrome  # noqa: F401

AID = "trademark.online"
QUESTION = "商标可以在网上申请吗"
# The same facts as the file's text, reworded (a test never puts an unsourced fact in an answer).
NEW_TEXT = ("可以。在国家知识产权局商标局的商标网上服务系统（sbj.cnipa.gov.cn）在线提交商标注册申请"
            "即可，官费比纸质申请低：一个类别（10个商品或服务以内）网上270元、纸质300元。"
            "操作以系统说明为准。")


@pytest.fixture
def portal(tmp_path, browser_installed):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    knowledge.build(url, DATA_DIR)
    db = database(url)
    make_account(db, "agent", "wangfang", "王芳")
    make_account(db, "reviewer", "liuqiang", "刘强")
    driver = chrome(tmp_path / "profile")
    driver.set_window_size(1280, 1000)
    try:
        with serving(create_app({"DATABASE_URL": url, "STAFF_COOKIE_SECURE": True,
                                 "TRACKER_DB_URL": f"sqlite:///{tmp_path / 't.db'}"})) as base:
            yield driver, base, db, knowledge.open(url, DATA_DIR)
    finally:
        driver.quit()


def _as(d, base: str, username: str) -> None:
    d.delete_all_cookies()
    sign_in(d, base, username, PASSWORD)


def _edit_short(d, base: str, text: str) -> None:
    d.get(base + "/staff/kb")
    d.find_element(By.ID, "q").send_keys("商标 网上")
    submit(d, d.find_element(By.ID, "search"))
    submit(d, d.find_element(By.LINK_TEXT, AID))
    box = d.find_element(By.ID, "short")
    box.clear()
    box.send_keys(text)


def _bot_says(service) -> str:
    time.sleep(CHECK_EVERY_S + 0.1)  # the service checks the knowledge version this often
    reply = service.answer(QUESTION)
    assert reply.answer_id == AID
    return reply.text


def test_draft_approve_send_back_and_roll_back(portal, tmp_path):
    d, base, db, bot = portal
    before = _bot_says(bot)
    assert NEW_TEXT not in before

    _as(d, base, "wangfang")
    _edit_short(d, base, NEW_TEXT)
    shot(d, tmp_path, "staff-kb-edit.png")
    submit(d, d.find_element(By.ID, "save-draft"))
    assert "已保存为草稿" in d.find_element(By.ID, "saved").text
    assert d.find_element(By.ID, "version-state").text == "待审核"
    assert not d.find_elements(By.ID, "approve")  # 坐席 drafts, never approves
    assert NEW_TEXT not in _bot_says(bot)  # a draft is not published

    _as(d, base, "liuqiang")
    d.get(base + "/staff/kb/drafts")
    submit(d, d.find_element(By.CSS_SELECTOR, "#drafts a"))
    assert f"+short: {NEW_TEXT}" in d.find_element(By.ID, "diff").text
    shot(d, tmp_path, "staff-kb-review.png")
    submit(d, d.find_element(By.ID, "approve"))
    assert d.find_element(By.ID, "version-state").text == "已发布"
    assert _bot_says(bot).startswith(NEW_TEXT)  # no retraining, no restart

    _as(d, base, "wangfang")
    _edit_short(d, base, NEW_TEXT + "办理时间以窗口公告为准。")
    submit(d, d.find_element(By.ID, "save-draft"))
    second = d.current_url
    _as(d, base, "liuqiang")
    d.get(second)
    submit(d, d.find_element(By.ID, "send-back"))  # without a reason: refused
    assert "理由" in d.find_element(By.ID, "error").text
    d.find_element(By.ID, "comment").send_keys("窗口的办理时间没有来源，请删去这句")
    submit(d, d.find_element(By.ID, "send-back"))
    assert d.find_element(By.ID, "version-state").text == "已退回"
    assert "没有来源" in d.find_element(By.ID, "version-comment").text
    assert _bot_says(bot).startswith(NEW_TEXT)

    d.get(base + f"/staff/kb/{AID}/history")
    shot(d, tmp_path, "staff-kb-history.png")
    submit(d, d.find_element(By.ID, "rollback-1"))
    assert "已回退" in d.find_element(By.ID, "saved").text
    assert _bot_says(bot) == before
    assert [(v.number, v.state, v.origin) for v, _ in editing.history(db, AID)] == [
        (4, "published", "rollback"), (3, "rejected", "portal"), (2, "published", "portal"),
        (1, "published", "import")]


# Dialect the data files have no phrasing like: the bot declines it until staff act.
UNANSWERED = "老表，我屋里做的东西被人家照到抄了，么子办咯"


def test_an_unanswered_question_becomes_a_phrasing_and_is_answered(portal, tmp_path):
    """The knowledge loop as two 审核 work it: the bot declines a question; one proposes it as a
    phrasing of an existing answer from the review of unanswered questions; another approves
    the draft; the bot answers the same question, no retraining."""
    d, base, db, bot = portal
    make_account(db, "reviewer", "chenjing", "陈静")
    declined = bot.answer(UNANSWERED)
    assert not declined.answered
    bot.record_question(UNANSWERED, "wechat", None, 0.0, declined)

    _as(d, base, "liuqiang")
    d.get(base + "/staff/unanswered")
    row = d.find_element(By.CSS_SELECTOR, "#groups tbody tr[id^=group-]")
    group = row.get_attribute("id").split("-")[1]
    assert "我屋里做的东西被人家照到抄了" in row.find_element(By.CSS_SELECTOR, ".group-text").text
    box = d.find_element(By.ID, f"answer-{group}")
    box.clear()
    box.send_keys("rights_assistance.overview")
    shot(d, tmp_path, "staff-unanswered-phrasing.png")
    submit(d, d.find_element(By.ID, f"phrasing-{group}"))
    assert d.find_element(By.ID, "version-state").text == "待审核"
    assert "我屋里做的东西被人家照到抄了" in d.find_element(By.ID, "diff").text
    assert not d.find_elements(By.ID, "approve")  # not by the one who proposed it
    assert not bot.answer(UNANSWERED).answered

    _as(d, base, "chenjing")
    d.get(base + "/staff/kb/drafts")
    submit(d, d.find_element(By.CSS_SELECTOR, "#drafts a"))
    submit(d, d.find_element(By.ID, "approve"))
    assert d.find_element(By.ID, "version-state").text == "已发布"
    time.sleep(CHECK_EVERY_S + 0.1)
    answered = bot.answer(UNANSWERED)
    assert answered.answered and answered.answer_id == "rights_assistance.overview"
    d.get(base + "/staff/unanswered?state=resolved")
    row = d.find_element(By.ID, f"group-{group}")
    assert "已提议为问法" in row.text and "rights_assistance.overview" in row.text
