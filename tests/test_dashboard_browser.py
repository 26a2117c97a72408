"""The dashboard and the review of unanswered questions in a real headless Chromium (Debian's),
as 审核 uses them: the charts drawn by ECharts from the portal's own copy under the strict
Content-Security-Policy, the tables saying the same numbers, the tables alone when the chart
script cannot load, and a group of unanswered questions dismissed with a reason.

The portal runs in-process on a seeded database of its own (tests/test_dashboard.py's) with the
production settings. UPDATE_SCREENSHOTS=1 also writes docs/staff-dashboard.png and
docs/staff-unanswered.png (the README's pictures).
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

import knowledge
from bot.portal import dashboard
from bot.portal.app import create_app
from knowledge.storage import database
from tests.conftest import DATA_DIR, fresh_database
from tests.inprocess import serving
from tests.staff_client import PASSWORD, make_account
from tests.test_dashboard import NOW, _seed
from tests.test_desk_browser import browser, shot, sign_in, submit, wait  # noqa: F401
from tests.test_widget import browser_installed  # noqa: F401

CHARTS = ["chart-questions", "chart-answered", "chart-unanswered", "chart-ratings-week",
          "chart-ratings-topic", "chart-leads", "chart-callbacks"]
# Records what the Content-Security-Policy refused, from before the page's own scripts run.
WATCH_CSP = """window.__refused = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__refused.push(e.violatedDirective + ' ' + e.blockedURI); });"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser_installed):  # noqa: F811
    if not dashboard.ECHARTS.exists():
        pytest.fail("node_modules/echarts is missing: `make venv` installs it (npm ci)")
    home = tmp_path_factory.mktemp("dashboard-browser")
    url = fresh_database(home)
    knowledge.build(url, DATA_DIR)
    db = database(url)
    _seed(db)
    make_account(db, "reviewer", "zhouqing", "周晴")
    with serving(create_app({"DATABASE_URL": url, "TRACKER_DB_URL": f"sqlite:///{home / 't.db'}",
                             "STAFF_COOKIE_SECURE": True, "CLOCK": lambda: NOW})) as base:
        yield base


def cell_texts(d, table_id: str) -> list[list[str]]:
    return [[td.text for td in tr.find_elements(By.CSS_SELECTOR, "td, th")]
            for tr in d.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")]


def test_the_dashboard_draws_its_charts_and_shows_the_same_numbers(site, browser, tmp_path):  # noqa: F811
    d = browser
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_CSP})
    sign_in(d, site, "zhouqing", PASSWORD)
    d.set_window_size(1280, 2300)
    d.get(site + "/staff/dashboard?days=30")
    wait(d, lambda drv: drv.find_element(By.ID, "dashboard").get_attribute("data-charts") == "7")
    for chart in CHARTS:
        box = d.find_element(By.ID, chart)
        assert box.get_attribute("data-drawn") == "1", chart
        canvas = box.find_element(By.TAG_NAME, "canvas")
        assert canvas.size["width"] > 100 and canvas.size["height"] > 100, chart
    assert d.execute_script("return window.__refused") == []  # nothing the policy had to stop
    assert d.find_element(By.ID, "questions-total").text == "12"
    assert d.find_element(By.ID, "share-answered").text == "83.3%"
    assert d.find_element(By.ID, "followups-open").text == "2"
    assert d.find_element(By.ID, "followups-overdue").text == "1"
    assert cell_texts(d, "table-unanswered")[0][1:3] == ["公积金怎么提取", "3"]
    leads = {row[0]: row[1:] for row in cell_texts(d, "table-leads")}
    assert leads["章贡区"] == ["1", "1", "0", "0"]
    # the chart's data is the table's: ECharts holds the same figures
    counts = d.execute_script(
        "var c = echarts.getInstanceByDom(document.getElementById('chart-unanswered'));"
        "return c.getOption().series[0].data;")
    assert counts == [1, 3]  # drawn bottom-up: the most asked at the top
    shot(d, tmp_path, "staff-dashboard.png")


def test_without_the_chart_script_the_tables_remain(site, browser):  # noqa: F811
    d = browser
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*echarts.min.js*"]})
    sign_in(d, site, "zhouqing", PASSWORD)
    d.get(site + "/staff/dashboard?days=30")
    assert d.find_element(By.ID, "questions-total").text == "12"
    assert d.find_element(By.ID, "chart-questions").text == "图表未加载，数据见下表。"
    assert d.find_element(By.ID, "dashboard").get_attribute("data-charts") is None
    assert cell_texts(d, "table-unanswered")[0][1:3] == ["公积金怎么提取", "3"]


def test_a_group_of_unanswered_questions_is_dismissed_with_a_reason(site, browser, tmp_path):  # noqa: F811
    d = browser
    sign_in(d, site, "zhouqing", PASSWORD)
    d.set_window_size(1280, 900)
    d.get(site + "/staff/unanswered")
    rows = {r.find_element(By.CSS_SELECTOR, ".group-text").text: r
            for r in d.find_elements(By.CSS_SELECTOR, "#groups tbody tr[id^=group-]")}
    assert set(rows) == {"公积金怎么提取", "明天会下雨吗", "很久以前的问题"}  # no window here
    fund = rows["公积金怎么提取"]
    assert fund.find_element(By.CSS_SELECTOR, ".count").text == "3"
    assert "请问公积金如何提取（1）" in fund.text and "微信 3" in fund.text
    shot(d, tmp_path, "staff-unanswered.png")
    weather = rows["明天会下雨吗"]
    group_id = weather.get_attribute("id").split("-")[1]
    # the browser asks for the reason first; the server refuses a blank one too
    d.execute_script("document.getElementById('reason-%s').removeAttribute('required')" % group_id)
    submit(d, d.find_element(By.ID, f"dismiss-{group_id}"))
    assert "请填写忽略的理由" in d.find_element(By.ID, "error").text
    d.find_element(By.ID, f"reason-{group_id}").send_keys("与知识产权无关（天气）")
    submit(d, d.find_element(By.ID, f"dismiss-{group_id}"))
    assert d.find_element(By.ID, "dismissed").text.startswith(f"已忽略 UQ-{group_id}")
    assert not d.find_elements(By.ID, f"group-{group_id}")
    d.get(site + "/staff/unanswered?state=dismissed")
    row = d.find_element(By.ID, f"group-{group_id}")
    assert "已忽略" in row.text and "与知识产权无关（天气）" in row.text and "周晴" in row.text
