"""好差评 on WeChat: the commands and the rating line alone, the channel's turn with a stand-in
bot (the late path), then the live channel in a real Rasa server with its actions, played by
WeChat's side in safe mode (signed, AES): answer → tap or typed rating → the rating store, the
follow-up of a bad one, the staff desk and a PIPL request."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import secrets

import pytest
from sqlalchemy import select

from bot.channels import wechat, wechat_rating
from bot.channels.wechat import WeChatInput, rated_answer, render
from bot.channels.wechat_store import Rateable, pseudonym
from bot.leads import cases
from bot.leads.workdays import Calendar
from bot.portal import followups, ratings
from bot.portal.app import create_app
from bot.privacy import subject
from tests.inprocess import serving
from tests.staff_client import TEST_ACTOR, StaffClient, make_account
from tests.test_wechat import live, user_turns
from tests.wechat_side import ACCOUNT, TOKEN, aes_decrypt, new_user, xml_fields, AES_KEY

LINK = re.compile(r'<a href="weixin://bizmsgmenu\?msgmenucontent=([^&"]+)&msgmenuid=(\d+)">'
                  r'([^<]+)</a>')


# -- the commands and the line, alone ----------------------------------------------------
@pytest.mark.parametrize("text, kind, level, comment", [
    ("评价非常满意", "rate", "very_satisfied", None),  # what a tapped link sends
    ("评价 满意", "rate", "satisfied", None),
    ("评价：不满意，费用没说清楚", "rate", "dissatisfied", "费用没说清楚"),
    ("评价非常不满意 电话打不通", "rate", "very_dissatisfied", "电话打不通"),
    ("评价满意。", "rate", "satisfied", None),  # voice recognition adds the full stop
    ("基本满意", "bare", "fair", None),
    ("非常不满意！", "bare", "very_dissatisfied", None),
    ("说明：答复太笼统", "comment", None, "答复太笼统"),
    ("评价4", "scale", None, None),
])
def test_rating_commands(text, kind, level, comment):
    command = wechat_rating.parse(text)
    assert (command.kind, command.level, command.comment) == (kind, level, comment)


@pytest.mark.parametrize("text", [
    "评价满意度怎么算", "评价一下专利代理机构", "不满意的话怎么投诉", "说明书怎么写", "3", "4",
    "满意度", "专利费减的条件是什么", "", "<a>评价满意</a>",
])
def test_questions_and_numbers_are_for_the_bot(text):
    assert wechat_rating.parse(text) is None


def test_the_menu_id_says_which_answer_and_the_line_stays_short():
    line = wechat_rating.rating_line("12345678")
    links = LINK.findall(line)
    assert [label for _, _, label in links] == list(ratings.LEVELS.values())
    assert [content for content, _, _ in links] == ["评价" + x for x in ratings.LEVELS.values()]
    assert [menu for _, menu, _ in links] == [f"12345678{n}" for n in range(1, 6)]
    for content, menu, _ in links:  # a tap is a rating of that answer, with or without the id
        assert wechat_rating.parse(content, menu).menu_ref == "12345678"
        assert wechat_rating.parse(content).kind == "rate"
    shown = wechat_rating.shown(line)
    assert shown == "评价：非常满意 满意 基本满意 不满意 非常不满意\n（或回复“评价 满意”等，可加说明）"
    assert len(shown) == 44 and len(line.encode()) < 600  # of the 2048 bytes of a message


def test_every_answer_with_its_rating_line_stays_near_the_length_rule(kb):
    """The ~300-character rule is about the answer; the line adds 45 shown characters (a line
    break and the line). Printed: the longest answer as WeChat shows it, without and with."""
    longest = 0
    for answer_id in _answer_ids(kb):
        reply = kb.reply_for(answer_id)
        if reply is None:
            continue
        texts, _ = render([{"text": reply.text, "buttons": reply.buttons}])
        longest = max(longest, len(texts[0]))
    extra = 1 + len(wechat_rating.shown(wechat_rating.rating_line("12345678")))
    print(f"\nlongest WeChat answer: {longest} characters; with the rating line: "
          f"{longest + extra}")
    assert extra == 45


def _answer_ids(kb) -> list[str]:
    from knowledge.models import Answer
    with kb.db.session() as s:
        return list(s.execute(select(Answer.id)).scalars())


def test_the_rated_answer_is_the_text_before_its_id():
    messages = [{"text": "请问您要办理哪一项？"},
                {"text": "答复正文\n来源：测试", "buttons": [{"title": "下一步", "payload": "/n"}]},
                {"custom": {"answer_id": "fee_reduction.eligibility"}}]
    index, text, answer_id = rated_answer(messages)
    assert render(messages)[0][index].startswith("答复正文")
    assert (text, answer_id) == ("答复正文\n来源：测试", "fee_reduction.eligibility")
    assert rated_answer(messages[:2]) is None  # no id: a form question, a greeting, "not sure"
    assert rated_answer([{"custom": {"answer_id": "x"}}]) is None


def test_an_explanation_of_rating_keeps_the_answer_before_rateable(tmp_path):
    """"我要给差评" is answered with how to rate (actions/service.py); the answer the citizen
    complained about stays the one "评价 不满意" rates. Any other turn without an answer
    leaves nothing to rate."""
    from bot.channels.wechat import keeps_rated_answer
    from bot.channels.wechat_store import WeChatStore
    from knowledge.storage import database
    from tests.conftest import fresh_database
    help_turn = [{"text": "评价方法：……", "buttons": [{"title": "申请回电",
                                                     "payload": "/request_human"}]},
                 {"custom": {"rating_help": True}}]
    assert keeps_rated_answer(help_turn)
    assert not keeps_rated_answer(help_turn[:1])
    assert not keeps_rated_answer([{"custom": {"rating_help": "yes"}}])
    store = WeChatStore(database(fresh_database(tmp_path, "wxkeep.db")))
    answer = Rateable("wx-a", ratings.text_hash("答复"), "fee_reduction.amount", "12345678")
    store.save_options("oKeep", ["/ask_fee_reduction"], answer)
    store.save_options("oKeep", ["/request_human"], None, keep_answer=True)
    assert store.rateable("oKeep") == answer
    assert store.option("oKeep", 1) == "/request_human"  # the numbers are the new turn's
    store.rated("oKeep", "wx-a", 7)
    store.save_options("oKeep", [], None, keep_answer=True)
    assert store.rateable("oKeep").rating_id == 7  # rated stays rated (一次一评)
    store.save_options("oKeep", [], None)
    assert store.rateable("oKeep") is None
    store.save_options("oNew", ["/x"], None, keep_answer=True)  # nothing before: nothing kept
    assert store.rateable("oNew") is None


def test_a_late_rating_reply_goes_by_the_customer_service_api(db, monkeypatch):
    """The rating waits on the database (here: longer than WeChat's deadline): WeChat gets
    "success" and the thanks follow through the outbox, once."""
    monkeypatch.setattr(wechat, "PUSH_DELAY", 0.0)
    channel = WeChatInput(token=TOKEN, app_id="wx-unit", app_secret="s", reply_timeout=0.0)
    channel._start()
    sent: list[str] = []
    channel.api = type("API", (), {"send_text": lambda _self, _o, text: sent.append(text)})()
    openid = new_user()
    channel.store.save_options(openid, [], Rateable(
        "wx-" + secrets.token_hex(8), ratings.text_hash("答复"), None, "55555555"))

    async def no_bot(_message):
        raise AssertionError("a rating never reaches the bot")

    async def run():
        reply = await channel._handle({"FromUserName": openid, "ToUserName": ACCOUNT,
                                       "MsgType": "text", "Content": "评价 满意",
                                       "MsgId": secrets.token_hex(6)}, no_bot)
        while channel._tasks:
            await asyncio.gather(*list(channel._tasks))
        return reply
    assert asyncio.run(run()) is None
    channel.deliver_now()
    assert sent == ["感谢您的评价：满意。" + wechat_rating.ASK_COMMENT]


def test_retention_covers_wechat_ratings_and_the_rateable_answer(tmp_path, monkeypatch):
    """Ratings from WeChat expire with the widget's (RATINGS_RETENTION_DAYS), closed follow-up
    items too, open ones stay; the rateable answer goes with its option row."""
    from bot.channels.wechat_store import WeChatOption, WeChatStore
    from bot.privacy import retention
    from knowledge.storage import database, utcnow
    from tests.conftest import fresh_database
    db = database(fresh_database(tmp_path, "wxretention.db"))
    old = utcnow() - dt.timedelta(days=400)
    rules = followups.Rules(Calendar(), 5, "sqlite://")
    kept = []
    for n, level in enumerate(["satisfied", "dissatisfied", "very_dissatisfied"]):
        vote = ratings.Vote(pseudonym(f"oUser{n}"), f"wx-{n}", ratings.text_hash("答复"), level,
                            None, None, "答复", channel="wechat", conversation=f"oUser{n}")
        kept.append(followups.rate(db, vote, rules, old))
    with db.transaction() as s:
        s.execute(ratings.AnswerRating.__table__.update().values(created_at=old, updated_at=old))
        followups.close(s, int(kept[1].followup[3:]), "explained", "已解释", "张三", old)
    WeChatStore(db).save_options("oUser0", [], Rateable("wx-9", "h", None, "12345678"))
    with db.transaction() as s:
        s.execute(WeChatOption.__table__.update().values(updated_at=old))
    periods = retention.Periods(1, 90, 365, 180, 365, 2, 365)
    report = retention.run(db, "sqlite://", periods)
    assert not report.failed
    with db.session() as s:
        assert s.execute(select(ratings.AnswerRating)).first() is None
        assert [i.level for i in s.execute(select(followups.RatingFollowUp)).scalars()] == \
            ["very_dissatisfied"]  # open: stays until followed up
        assert s.get(WeChatOption, "oUser0") is None


# -- the live channel ----------------------------------------------------------------------
def _reply(r, openid: str) -> str:
    """The passive reply of a safe-mode answer, decrypted."""
    assert r.status_code == 200, r.text
    inner, _ = aes_decrypt(AES_KEY, xml_fields(r.text)["Encrypt"])
    fields = xml_fields(inner)
    assert fields["ToUserName"] == openid and len(fields["Content"].encode()) <= 2048
    return fields["Content"]


def _say(side, openid: str, text: str, msg_id: str | None = None, **extra) -> str:
    msg_id = msg_id or str(secrets.randbelow(10**18))
    return _reply(side.post(side.message(openid, "text", msg_id, Content=text, **extra),
                            safe=True), openid)


def _tap(side, openid: str, answer: str, level: str, msg_id: str | None = None) -> str:
    """What a verified account's WeChat posts when a rating link is tapped."""
    content, menu = next((c, m) for c, m, label in LINK.findall(answer) if label == level)
    return _say(side, openid, content, msg_id, bizmsgmenuid=menu)


def _ratings_of(db, openid: str) -> list[ratings.AnswerRating]:
    with db.session() as s:
        return list(s.execute(select(ratings.AnswerRating).where(
            ratings.AnswerRating.sender == pseudonym(openid))).scalars())


def _item_of(db, rating_id: int) -> followups.RatingFollowUp | None:
    with db.session() as s:
        return s.execute(select(followups.RatingFollowUp).where(
            followups.RatingFollowUp.rating_id == rating_id)).scalar_one_or_none()


class TestLive:
    @pytest.fixture(scope="class")
    def side(self, kb_url, tmp_path_factory):
        with live(tmp_path_factory, "wx-rating-test", "4.0") as side:
            side.say(new_user(), "你好")  # warm-up: the first turn loads lazily
            yield side

    def test_answer_then_tapped_bad_rating_opens_a_follow_up(self, side, db):
        user = new_user()
        answer = _say(side, user, "专利费减的条件是什么")
        assert "来源：" in answer and len(LINK.findall(answer)) == 5
        thanks = _tap(side, user, answer, "不满意")
        assert thanks.startswith("感谢您的评价：不满意。") and "工作日内跟进" in thanks
        assert user_turns(user) == 1  # the rating never reached NLU
        [row] = _ratings_of(db, user)
        assert (row.rating, row.channel, row.comment) == ("dissatisfied", "wechat", None)
        assert row.answer_id.startswith("fee_reduction.")
        assert user not in (row.sender, row.message_id)  # no OpenID in the rating store
        item = _item_of(db, row.id)
        assert item.channel == "wechat" and item.sender == pseudonym(user)
        assert item.from_tracker == 1 and item.question == "专利费减的条件是什么"
        assert ratings.text_hash(item.answer) == row.text_hash
        # the comment after a tap: masked, on the rating and on its open item, given once
        said = _say(side, user, "说明：打了13812345678没人接，条件写得太笼统")
        assert said == wechat_rating.COMMENT_SAVED
        [row] = _ratings_of(db, user)
        assert "13812345678" not in row.comment and "太笼统" in row.comment
        assert _item_of(db, row.id).comment == row.comment
        assert _say(side, user, "说明：再补充一句") == wechat_rating.COMMENT_TWICE
        assert user_turns(user) == 1

    def test_typed_rating_with_comment_second_rating_refused(self, side, db):
        user = new_user()
        answer = _say(side, user, "商标注册要多少钱")
        assert LINK.findall(answer)
        thanks = _say(side, user, "评价 非常满意，写得很清楚，我的手机13912345678")
        assert thanks == "感谢您的评价：非常满意。"  # a comment given: not asked for one
        [row] = _ratings_of(db, user)
        assert row.rating == "very_satisfied" and "写得很清楚" in row.comment
        assert "13912345678" not in row.comment
        assert _item_of(db, row.id) is None  # a good rating opens nothing
        assert _say(side, user, "不满意") == wechat_rating.ALREADY
        assert _tap(side, user, answer, "非常不满意") == wechat_rating.ALREADY
        assert [r.rating for r in _ratings_of(db, user)] == ["very_satisfied"]
        assert user_turns(user) == 1

    def test_retry_of_a_rating_is_one_rating(self, side, db):
        user = new_user()
        answer = _say(side, user, "优先审查要多久")
        first = _tap(side, user, answer, "满意", msg_id="7100000001")
        again = _tap(side, user, answer, "满意", msg_id="7100000001")
        assert first == again and first.startswith("感谢您的评价：满意。")
        assert len(_ratings_of(db, user)) == 1

    def test_nothing_to_rate_gets_a_clear_reply(self, side, db):
        user = new_user()
        assert _say(side, user, "评价 满意") == wechat_rating.NOTHING
        welcome = _reply(side.post(side.message(user, "event", Event="subscribe"), safe=True),
                         user)
        assert not LINK.findall(welcome)  # a greeting is no answer to rate
        assert _say(side, user, "评价 不满意") == wechat_rating.NOTHING
        assert _say(side, user, "评价5") == wechat_rating.SCALE
        assert _ratings_of(db, user) == [] and user_turns(user) == 1  # the greeting only

    def test_a_tap_on_an_older_answer_is_refused(self, side, db):
        user = new_user()
        older = _say(side, user, "专利费减的条件是什么")
        newer = _say(side, user, "商标注册要多少钱")
        assert _tap(side, user, older, "非常不满意") == wechat_rating.OLDER
        assert _ratings_of(db, user) == []
        assert _tap(side, user, newer, "基本满意").startswith("感谢您的评价：基本满意。")
        [row] = _ratings_of(db, user)
        assert row.rating == "fair" and row.answer_id

    def test_asking_how_to_rate_then_rating_rates_the_answer_before(self, side, db):
        user = new_user()
        answer = _say(side, user, "专利费减的条件是什么")
        assert LINK.findall(answer)
        explained = _say(side, user, "这个回答不对，我想给差评，在哪弄")
        assert "评价 不满意" in explained and not LINK.findall(explained)
        assert "来源：" not in explained
        thanks = _say(side, user, "评价 不满意 没说清楚个体户算哪一类")
        assert thanks.startswith("感谢您的评价：不满意。") and "工作日内跟进" in thanks
        [row] = _ratings_of(db, user)
        assert row.answer_id.startswith("fee_reduction.") and "个体户" in row.comment
        assert user_turns(user) == 2  # the answer and the question how to rate

    def test_other_text_after_an_answer_still_goes_to_the_bot(self, side, db):
        user = new_user()
        answer = _say(side, user, "专利费减的条件是什么")
        assert "回复 1 " in answer
        assert _say(side, user, "评价满意度怎么算")
        assert _say(side, user, "asdf <b>满意</b> ' OR 1=1 --")
        assert _say(side, user, "1")  # a number is still an option, never a rating
        assert user_turns(user) == 4 and _ratings_of(db, user) == []

    def test_the_desk_shows_the_wechat_rating_and_a_pipl_request_finds_it(self, side, db):
        user = new_user()
        answer = _say(side, user, "专利费减的条件是什么")
        _tap(side, user, answer, "非常不满意")
        _say(side, user, "我的电话是13987654321")  # what a PIPL request will find
        [row] = _ratings_of(db, user)
        item = _item_of(db, row.id)
        app = create_app({"DATABASE_URL": os.environ["DATABASE_URL"],
                          "TRACKER_DB_URL": os.environ["TRACKER_DB_URL"]})
        with serving(app) as base:
            client = StaffClient(base)
            client.sign_in(make_account(db, "agent"))
            page = client.get("/staff/ratings", state="all").text
            row_html = page[page.index(f'href="/staff/ratings/{item.id}"'):]
            row_html = row_html[:row_html.index("</tr>")]
            assert '<td class="channel">微信</td>' in row_html and "非常不满意" in row_html
            detail = client.get(f"/staff/ratings/{item.id}").text
            assert 'id="item-channel">微信<' in detail and user not in detail
        deadlines = cases.Deadlines(Calendar(), {"new": 2}, dt.date(2026, 12, 2))
        who = subject.Who.parse("", "13987654321")
        found = subject.find(db, os.environ["TRACKER_DB_URL"], TEST_ACTOR, who, deadlines)
        assert user in found.senders
        assert {r["rating"] for r in found.ratings} == {"very_dissatisfied"}
        assert any(r.get("followup") == followups.label(item.id) for r in found.ratings)
        subject.erase(db, os.environ["TRACKER_DB_URL"], TEST_ACTOR, who, deadlines, "本人申请")
        assert _ratings_of(db, user) == [] and _item_of(db, row.id) is None
