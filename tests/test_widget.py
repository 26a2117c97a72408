"""The chat widget in a real headless Chromium, against the real Rasa and action servers and the
portal, as a citizen uses it: on the demo page, with a mouse, a keyboard and a phone.

Each test gets a fresh browser profile, so a fresh conversation. UPDATE_SCREENSHOTS=1 also
writes docs/widget.png (the README's picture); otherwise screenshots stay in pytest's tmp dir.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from bot import settings
from bot.channels import inbound
from bot.portal.ratings import AnswerRating, text_hash
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ENSURE_BROWSER = Path(__file__).with_name("ensure_browser.sh")
SCREENSHOT = settings.ROOT / "docs" / "widget.png"
REPLY_TIMEOUT = 60  # the first answers of a fresh Rasa process are the slow ones
BOT = ".gzc-msg.gzc-bot:not(.gzc-typing)"
QUESTION = "专利费减的条件是什么"


@pytest.fixture(scope="session")
def browser_installed() -> None:
    subprocess.run(["bash", str(ENSURE_BROWSER)], check=True)


@pytest.fixture(scope="module")
def site(stack) -> str:
    return stack.portal


def chrome(profile: Path) -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM  # Debian's, never a downloaded one
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1280,800", "--lang=zh-CN", f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


class Widget:
    """What a person sees and does, in the widget's terms."""

    def __init__(self, driver: webdriver.Chrome, base: str):
        self.d, self.base = driver, base

    def load(self) -> None:
        self.d.get(self.base + "/")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".gzc-launcher"))

    def open(self) -> None:
        if self.d.find_element(By.ID, "gzc-panel").get_attribute("hidden") is not None:
            self.d.find_element(By.CSS_SELECTOR, ".gzc-launcher").click()

    def wait(self, condition, timeout: float = REPLY_TIMEOUT):
        return WebDriverWait(self.d, timeout).until(condition)

    def bot_messages(self) -> list:
        return self.d.find_elements(By.CSS_SELECTOR, BOT)

    def wait_for_replies(self, before: int) -> list:
        self.wait(lambda d: len(self.bot_messages()) > before
                  and not d.find_elements(By.CSS_SELECTOR, ".gzc-typing"))
        return self.bot_messages()[before:]

    def ask(self, text: str) -> list:
        before = len(self.bot_messages())
        field = self.d.find_element(By.ID, "gzc-input")
        field.send_keys(text)
        field.send_keys(Keys.ENTER)
        return self.wait_for_replies(before)

    @staticmethod
    def text(message) -> str:
        return message.find_element(By.CSS_SELECTOR, ".gzc-text").get_attribute("textContent")

    def user_texts(self) -> list[str]:
        return [self.text(m) for m in self.d.find_elements(By.CSS_SELECTOR, ".gzc-user")]

    def stored(self) -> dict:
        """The widget's localStorage entry: sender id and history."""
        return self.d.execute_script("""
            for (let i = 0; i < localStorage.length; i++) {
              const k = localStorage.key(i);
              if (k.startsWith("ganzhou-ip-chat:")) return JSON.parse(localStorage.getItem(k));
            }
            return null;""")


@pytest.fixture
def widget(browser_installed, site, tmp_path):
    driver = chrome(tmp_path / "profile")  # a fresh profile: a fresh conversation
    try:
        yield Widget(driver, site)
    finally:
        driver.quit()


def _answer_text(messages) -> str:
    return "\n".join(Widget.text(m) for m in messages)


def test_welcome_question_and_followup_button(widget, tmp_path):
    widget.load()
    widget.open()
    welcome = widget.wait_for_replies(0)
    topics = [b.text for b in welcome[-1].find_elements(By.CSS_SELECTOR, ".gzc-choice")]
    assert {"专利费减", "优先审查", "商标注册", "维权援助"} <= set(topics)
    assert widget.d.switch_to.active_element.get_attribute("id") == "gzc-input"

    answer = widget.ask(QUESTION)
    text = _answer_text(answer)
    assert "5000" in text.replace(",", "") and "来源：" in text
    assert widget.user_texts() == [QUESTION]

    shot = tmp_path / "desktop.png"
    widget.d.save_screenshot(str(shot))
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copyfile(shot, SCREENSHOT)

    follow_up = answer[-1].find_elements(By.CSS_SELECTOR, ".gzc-choice")
    assert follow_up, "an answer offers next questions as buttons"
    title = follow_up[0].text
    before = len(widget.bot_messages())
    follow_up[0].click()
    second = widget.wait_for_replies(before)
    assert widget.user_texts()[-1] == title  # the title shows, not the payload
    assert "来源：" in _answer_text(second) and _answer_text(second) != text


def test_rating_is_stored(widget, db):
    widget.load()
    widget.open()
    widget.wait_for_replies(0)
    answer = widget.ask(QUESTION)[-1]
    answer.find_element(By.CSS_SELECTOR, ".gzc-level[data-level=satisfied]").click()
    assert answer.find_element(By.CSS_SELECTOR, ".gzc-level[data-level=satisfied]"
                               ).get_attribute("aria-pressed") == "true"
    answer.find_element(By.CSS_SELECTOR, ".gzc-rate-send").click()
    widget.wait(lambda d: "感谢" in answer.find_element(By.CSS_SELECTOR, ".gzc-rate-status").text)
    assert "您的评价：满意" in answer.find_element(By.CSS_SELECTOR, ".gzc-rate").text

    sender = widget.stored()["sender"]
    with db.session() as s:
        rows = s.execute(select(AnswerRating).where(AnswerRating.sender == sender)).scalars().all()
    assert [(r.rating, r.comment) for r in rows] == [("satisfied", None)]
    assert rows[0].text_hash == text_hash(Widget.text(answer))


def test_history_survives_reload(widget):
    widget.load()
    widget.open()
    widget.wait_for_replies(0)
    answer = widget.ask(QUESTION)[-1]
    answer.find_element(By.CSS_SELECTOR, ".gzc-level[data-level=very_satisfied]").click()
    answer.find_element(By.CSS_SELECTOR, ".gzc-rate-send").click()
    widget.wait(lambda d: "您的评价：非常满意" in answer.find_element(
        By.CSS_SELECTOR, ".gzc-rate").text, timeout=10)
    sender, shown = widget.stored()["sender"], _answer_text(widget.bot_messages())

    widget.d.refresh()
    widget.wait(lambda d: d.find_elements(By.CSS_SELECTOR, BOT))
    widget.open()  # it stays open across pages; opening is a no-op then
    assert widget.user_texts() == [QUESTION]
    assert _answer_text(widget.bot_messages()) == shown
    rated = widget.bot_messages()[-1]  # shows its rating and offers no second one
    assert "您的评价：非常满意" in rated.find_element(By.CSS_SELECTOR, ".gzc-rate").text
    assert not rated.find_elements(By.CSS_SELECTOR, ".gzc-level")
    assert widget.stored()["sender"] == sender  # the same conversation in Rasa too

    # and the conversation goes on where it was
    assert "来源：" in _answer_text(widget.ask("商标注册要什么材料"))


def test_markup_is_shown_as_text(widget):
    widget.load()
    widget.open()
    widget.wait_for_replies(0)
    markup = "<script>alert(1)</script><b>x</b>"
    widget.ask(markup)
    with pytest.raises(NoAlertPresentException):
        widget.d.switch_to.alert  # noqa: B018 — reading it is the check
    assert widget.user_texts() == [markup]
    assert not widget.d.find_elements(By.CSS_SELECTOR, ".gzc b, .gzc script")


def test_keyboard_and_screen_reader(widget):
    widget.load()
    launcher = widget.d.find_element(By.CSS_SELECTOR, ".gzc-launcher")
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.send_keys(Keys.ENTER)
    widget.wait_for_replies(0)
    assert launcher.get_attribute("aria-expanded") == "true"
    active = widget.d.switch_to.active_element
    assert active.get_attribute("id") == "gzc-input"
    label = widget.d.find_element(By.CSS_SELECTOR, "label[for=gzc-input]")
    assert label.get_attribute("textContent") == "输入您的问题"
    log = widget.d.find_element(By.CSS_SELECTOR, ".gzc-log")
    assert (log.get_attribute("role"), log.get_attribute("aria-live")) == ("log", "polite")

    active.send_keys(Keys.ESCAPE)
    assert widget.d.find_element(By.ID, "gzc-panel").get_attribute("hidden") is not None
    assert widget.d.switch_to.active_element == launcher  # focus goes back where it was


def test_server_down_keeps_the_question(widget):
    # The page's config object now names a port where nothing answers.
    widget.d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        Object.defineProperty(window, "GanzhouIpChat", {configurable: true,
          set(v) { this.__cfg = Object.assign({}, v, {server: "http://127.0.0.1:9"}); },
          get() { return this.__cfg; }});"""})
    widget.load()
    widget.open()
    error = widget.d.find_element(By.CSS_SELECTOR, ".gzc-error")
    widget.wait(lambda d: error.is_displayed(), timeout=20)  # the welcome could not be fetched
    field = widget.d.find_element(By.ID, "gzc-input")
    field.send_keys(QUESTION + Keys.ENTER)
    widget.wait(lambda d: field.get_attribute("value") == QUESTION, timeout=20)
    assert "暂时无法连接" in error.text and error.get_attribute("role") == "alert"
    assert widget.user_texts() == []  # not shown as sent


def test_phone_viewport(widget, tmp_path):
    widget.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 375, "height": 667, "deviceScaleFactor": 2, "mobile": True})
    widget.load()
    launcher = widget.d.find_element(By.CSS_SELECTOR, ".gzc-launcher")
    box = launcher.rect
    assert box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 667
    widget.open()
    widget.wait_for_replies(0)
    panel = widget.d.find_element(By.ID, "gzc-panel").rect
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, 375, 667)
    assert not launcher.is_displayed()  # full screen: the launcher steps aside

    answer = widget.ask(QUESTION)
    assert "来源：" in _answer_text(answer)
    for part in ("#gzc-input", ".gzc-send", ".gzc-close"):
        r = widget.d.find_element(By.CSS_SELECTOR, part).rect
        assert 0 <= r["x"] and r["x"] + r["width"] <= 375 and r["y"] + r["height"] <= 667, part
    overflow = widget.d.execute_script(
        "const l = document.querySelector('.gzc-log'); return l.scrollWidth - l.clientWidth;")
    assert overflow <= 0, "nothing scrolls sideways"
    widget.d.save_screenshot(str(tmp_path / "phone.png"))


def test_an_overlong_message_is_kept_and_explained(widget):
    widget.load()
    widget.open()
    widget.wait_for_replies(0)
    field = widget.d.find_element(By.ID, "gzc-input")
    long = "专利" * 300  # 600 characters: over the limit
    widget.d.execute_script("arguments[0].value = arguments[1];", field, long)
    before = len(widget.bot_messages())
    field.send_keys(Keys.ENTER)
    error = widget.wait(lambda d: d.find_element(By.CSS_SELECTOR, ".gzc-error:not([hidden])"))
    assert "600字" in error.text and str(inbound.MAX_CHARS) in error.text
    assert field.get_attribute("value") == long  # nothing lost
    assert len(widget.bot_messages()) == before and widget.user_texts() == []


def test_the_widget_and_the_server_have_one_limit():
    script = (Path(__file__).resolve().parent.parent / "bot/portal/static/chat.js").read_text()
    assert f"const MAX_INPUT = {inbound.MAX_CHARS};" in script
