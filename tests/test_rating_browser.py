"""好差评 end to end in a real headless Chromium against the real Rasa, action server and portal
(the session's `stack`): a citizen rates an answer 不满意 with a comment in the widget; the
follow-up item appears in the desk with the question and the answer from the conversation; a
坐席 closes it with an outcome and a reason.

UPDATE_SCREENSHOTS=1 also writes docs/widget-rating.png, docs/staff-ratings.png and
docs/staff-rating.png (the README's pictures); otherwise they stay in pytest's tmp dir.
"""
from __future__ import annotations

from selenium.webdriver.common.by import By
from sqlalchemy import select

from bot.portal.followups import RatingFollowUp
from bot.portal.ratings import AnswerRating
from tests.staff_client import PASSWORD, make_account
from tests.test_desk_browser import shot, sign_in, submit
from tests.test_widget import QUESTION, browser_installed, site, widget  # noqa: F401

COMMENT = "没有说清楚个人和企业的条件有什么不同，我的电话13907970000"


def test_a_bad_rating_in_the_widget_is_followed_up_in_the_desk(widget, db, tmp_path):  # noqa: F811
    widget.load()
    widget.open()
    widget.wait_for_replies(0)
    answer = widget.ask(QUESTION)[-1]
    levels = [b.text for b in answer.find_elements(By.CSS_SELECTOR, ".gzc-level")]
    assert levels == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    answer.find_element(By.CSS_SELECTOR, ".gzc-level[data-level=dissatisfied]").click()
    answer.find_element(By.CSS_SELECTOR, ".gzc-comment").send_keys(COMMENT)
    widget.d.execute_script("arguments[0].scrollIntoView({block: 'end'})",
                            answer.find_element(By.CSS_SELECTOR, ".gzc-rate-send"))
    shot(widget.d, tmp_path, "widget-rating.png")
    answer.find_element(By.CSS_SELECTOR, ".gzc-rate-send").click()
    widget.wait(lambda d: "跟进" in answer.find_element(By.CSS_SELECTOR,
                                                       ".gzc-rate-status").text)
    assert "您的评价：不满意" in answer.find_element(By.CSS_SELECTOR, ".gzc-rate").text
    assert not answer.find_elements(By.CSS_SELECTOR, ".gzc-level")  # one rating per answer

    sender = widget.stored()["sender"]
    with db.session() as s:
        rating = s.execute(select(AnswerRating).where(AnswerRating.sender == sender)
                           ).scalar_one()
        item = s.execute(select(RatingFollowUp).where(RatingFollowUp.sender == sender)
                         ).scalar_one()
    assert rating.rating == "dissatisfied" and rating.comment.endswith("139****0000")
    assert item.from_tracker == 1 and item.question == QUESTION  # from the conversation
    assert "5000" in item.answer.replace(",", "")

    d, base = widget.d, widget.base
    d.set_window_size(1280, 1000)  # the item page whole, for the README
    make_account(db, "agent", "ratings_wf", "王芳")
    sign_in(d, base, "ratings_wf", PASSWORD)
    d.get(base + "/staff/ratings")
    assert f"CP-{item.id}" in d.find_element(By.ID, "ratings").text
    assert "13907970000" not in d.page_source
    shot(d, tmp_path, "staff-ratings.png")

    submit(d, d.find_element(By.LINK_TEXT, f"CP-{item.id}"))
    assert d.find_element(By.ID, "item-question").text == QUESTION
    assert d.find_element(By.ID, "item-level").text == "不满意"
    assert d.find_element(By.ID, "item-comment").text.endswith("139****0000")
    assert "来源：" in d.find_element(By.ID, "item-answer").text
    d.find_element(By.ID, "outcome-explained").click()
    d.find_element(By.ID, "reason").send_keys("已电话联系，说明个人与企业的收入条件分别适用；答复本身无误")
    submit(d, d.find_element(By.ID, "close"))
    assert d.find_elements(By.ID, "saved")
    assert d.find_element(By.ID, "item-state").text == "已办结"
    assert d.find_element(By.ID, "item-outcome").text == "已解释说明"
    shot(d, tmp_path, "staff-rating.png")
    with db.session() as s:
        closed = s.get(RatingFollowUp, item.id)
    assert closed.outcome == "explained" and closed.closed_by == "王芳"
