"""The knowledge loop's review: which questions are logged (not answered, answered with the
topic's overview, answered by a weak match), how similar ones are grouped, and dismissing a
group with a reason. On a database of its own with the real knowledge, so the groups hold only
this file's questions. The questions are shapes citizens write (made up here), never the
evaluation sets' questions."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

import knowledge
from bot import settings
from bot.portal import review
from bot.portal.audit import Actor, AuditEntry
from knowledge import editing, unanswered
from knowledge.models import QuestionCount, UnansweredGroup, UnansweredQuestion
from knowledge.records import Reply
from knowledge.storage import database, utcnow
from tests.conftest import DATA_DIR, fresh_database

REVIEWER = Actor(username="reviewer_t", role="reviewer", display_name="审核员甲")
NOW = dt.datetime(2026, 12, 2, 2, 0)

# (question, times asked, channel): what a week of a busy topic might bring
ASKED = [
    ("公积金怎么提取", 2, "wechat"),
    ("请问公积金如何提取", 1, "rest"),
    ("住房公积金提取", 1, "wechat"),
    ("商标注册要多少钱", 1, "rest"),
    ("申请注册商标的费用", 1, "rest"),
    ("商标续展要多少钱", 1, "rest"),
    ("结婚登记要带什么", 1, "rest"),
    ("离婚登记要带什么材料", 1, "wechat"),
    ("明天会下雨吗", 1, "rest"),
    ("专利年费滞纳金多少", 1, "rest"),
    ("专利年费逾期滞纳金是多少钱", 1, "wechat"),
    ("😀😀", 2, "rest"),
    ("？？？", 1, "rest"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    url = fresh_database(tmp_path_factory.mktemp("unanswered"))
    knowledge.build(url, DATA_DIR)
    return database(url), knowledge.open(url, DATA_DIR, settings.today)


@pytest.fixture
def empty(home):
    db, kb = home
    with db.transaction() as s:
        s.execute(delete(UnansweredQuestion))
        s.execute(delete(UnansweredGroup))
        s.execute(delete(QuestionCount))
    return db, kb


def ask(db, text: str, channel: str = "rest", times: int = 1, kind: str = "unanswered"):
    with db.transaction() as s:
        for _ in range(times):
            unanswered.log(s, text, channel, "nlu_fallback", 0.3, kind, now=NOW)


def open_groups(db, kb, state="open") -> dict[str, review.Reviewed]:
    _, found = review.review(db, kb, state)
    return {r.group.text: r for r in found}


def members(r: review.Reviewed) -> set[str]:
    return {text for text, _ in r.group.examples}


def test_what_is_logged_follows_from_how_sure_the_answer_was():
    assert unanswered.doubt(False, False, None) == "unanswered"
    assert unanswered.doubt(True, True, 0.1) == "overview"
    assert unanswered.doubt(True, False, 0.3) == "weak"
    assert unanswered.doubt(True, False, unanswered.WEAK_COVERAGE) is None
    assert unanswered.doubt(True, False, None) is None  # a button's answer, a county's points


def test_the_service_logs_the_overview_and_the_unanswered_and_counts_everything(empty):
    db, kb = empty
    # NLU sure of the topic, no record fits (a question naming another office's service, such
    # as 公积金, or nothing of our field, is declined instead: knowledge/service.py decide)
    asked = [("商标设计成什么颜色比较吉利", "ask_trademark", 0.9),
             ("明天会下雨吗", None, 0.0),  # nothing fits at all
             ("商标注册要多少钱", "ask_trademark", 0.9)]  # a record covers it whole
    kinds = []
    for text, intent, confidence in asked:
        reply = kb.answer(text, intent=intent, confidence=confidence)
        kinds.append(kb.record_question(text, "wechat", intent, confidence, reply))
    assert kinds == ["overview", "unanswered", None]
    with db.session() as s:
        rows = s.execute(select(UnansweredQuestion.text, UnansweredQuestion.kind,
                                UnansweredQuestion.answer_id)
                         .order_by(UnansweredQuestion.id)).all()
        counts = dict(s.execute(select(QuestionCount.outcome, QuestionCount.n)
                                .where(QuestionCount.channel == "wechat")).all())
    assert [(r.text, r.kind) for r in rows] == [("商标设计成什么颜色比较吉利", "overview"),
                                                ("明天会下雨吗", "unanswered")]
    assert rows[0].answer_id == "trademark.overview" and rows[1].answer_id is None
    assert counts == {"low": 1, "unanswered": 1, "answered": 1}


def test_a_weak_match_is_logged_with_the_answer_given_and_its_coverage(empty):
    db, kb = empty
    reply = Reply("……", [], "trademark.process", coverage=0.31)
    assert kb.record_question("商标注册后社保怎么转", "rest", "ask_trademark", 0.8, reply) == "weak"
    with db.session() as s:
        row = s.execute(select(UnansweredQuestion)).scalar_one()
    assert (row.kind, row.answer_id, row.coverage) == ("weak", "trademark.process", 0.31)


def test_similar_questions_are_grouped_and_different_ones_stay_apart(empty):
    db, kb = empty
    for text, times, channel in ASKED:
        ask(db, text, channel, times)
    groups = open_groups(db, kb)
    fund = groups["公积金怎么提取"]
    assert members(fund) == {"公积金怎么提取", "请问公积金如何提取", "住房公积金提取"}
    assert fund.group.count == 4 and dict(fund.group.channels) == {"wechat": 3, "rest": 1}
    assert fund.group.examples[0] == ("公积金怎么提取", 2)  # most asked first
    assert members(groups["商标注册要多少钱"]) == {"商标注册要多少钱", "申请注册商标的费用"}
    assert groups["商标注册要多少钱"].match_id == "trademark.fee_registration"
    assert members(groups["商标续展要多少钱"]) == {"商标续展要多少钱"}
    assert members(groups["结婚登记要带什么"]) == {"结婚登记要带什么"}
    assert members(groups["离婚登记要带什么材料"]) == {"离婚登记要带什么材料"}
    assert members(groups["专利年费滞纳金多少"]) == {"专利年费滞纳金多少", "专利年费逾期滞纳金是多少钱"}
    assert members(groups["明天会下雨吗"]) == {"明天会下雨吗"}
    # nothing to match on: only the same text is similar (full-width marks stored half-width)
    assert groups["😀😀"].group.count == 2 and members(groups["???"]) == {"???"}
    assert len(groups) == 9
    order = list(groups)
    assert order[0] == "公积金怎么提取"  # most asked first


def test_grouping_is_kept_and_new_questions_join_their_group(empty):
    db, kb = empty
    ask(db, "公积金怎么提取")
    first = open_groups(db, kb)["公积金怎么提取"].group.id
    ask(db, "公积金要怎么提取出来", "wechat")
    ask(db, "社保卡怎么补办")
    groups = open_groups(db, kb)
    assert groups["公积金怎么提取"].group.id == first and groups["公积金怎么提取"].group.count == 2
    assert "社保卡怎么补办" in groups


def test_phone_and_id_numbers_stay_masked_in_the_groups(empty):
    db, kb = empty
    ask(db, "我电话13912345678，商标被抢注了怎么办")
    ask(db, "身份证360702199001011234 商标被人抢注了咋办")
    found = open_groups(db, kb)
    shown = str([r.plain() for r in found.values()])
    assert "139****5678" in shown
    assert "13912345678" not in shown and "360702199001011234" not in shown
    with db.session() as s:
        stored = " ".join(s.execute(select(UnansweredQuestion.text)).scalars())
        words = " ".join(s.execute(select(UnansweredQuestion.words)).scalars())
    assert "13912345678" not in stored + words and "199001011234" not in stored + words


def test_dismissing_needs_a_reason_and_the_group_leaves_the_list(empty):
    db, kb = empty
    ask(db, "明天会下雨吗", times=2)
    ask(db, "公积金怎么提取")
    group = open_groups(db, kb)["明天会下雨吗"].group
    for reason in ("", "   ", None, "长" * (review.MAX_REASON + 1)):
        with pytest.raises(review.NotAllowed):
            review.dismiss(db, REVIEWER, group.id, reason, utcnow())
    assert "明天会下雨吗" in open_groups(db, kb)
    assert review.dismiss(db, REVIEWER, group.id, "  与知识产权无关（天气）", utcnow())
    assert set(open_groups(db, kb)) == {"公积金怎么提取"}
    gone = open_groups(db, kb, "dismissed")["明天会下雨吗"].group
    assert (gone.state, gone.reason, gone.resolved_by) == ("dismissed", "与知识产权无关（天气）", "审核员甲")
    with pytest.raises(review.NotAllowed):  # decided once
        review.dismiss(db, REVIEWER, group.id, "再忽略一次", utcnow())
    assert not review.dismiss(db, REVIEWER, 10**6, "没有这组", utcnow())
    with db.session() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.target == f"UQ-{group.id}")
                          ).scalar_one()
    assert entry.action == "review" and "与知识产权无关" in entry.detail
    # asked again: counted on the dismissed group, not back in the list
    ask(db, "明天会下雨吗", "wechat")
    assert set(open_groups(db, kb)) == {"公积金怎么提取"}
    assert open_groups(db, kb, "dismissed")["明天会下雨吗"].group.count == 3


def test_a_proposed_phrasing_or_drafted_answer_is_kept_with_its_version(empty):
    db, kb = empty
    ask(db, "申请注册商标的费用")
    ask(db, "商标能抵押贷款买房吗")
    groups = open_groups(db, kb)
    phrasing, draft = groups["申请注册商标的费用"].group.id, groups["商标能抵押贷款买房吗"].group.id
    proposed = review.propose_phrasing(db, REVIEWER, phrasing, "trademark.fee_registration",
                                       "申请注册商标的费用", NOW)
    record = {**editing.current(db, "pledge_financing.overview").content,
              "id": "pledge_financing.house_test", "title": "商标质押与买房"}
    record["questions"] = ["商标能抵押贷款买房吗", "商标质押的钱能买房吗"]
    drafted = editing.save_draft(db, record, REVIEWER.username, now=NOW,
                                 audit=review.booking(draft, "answer_drafted", REVIEWER, NOW))
    assert open_groups(db, kb) == {}
    done = {r.group.id: r.group for r in open_groups(db, kb, "resolved").values()}
    assert (done[phrasing].state, done[phrasing].answer_id, done[phrasing].version_id) == (
        "phrasing_proposed", "trademark.fee_registration", proposed)
    assert (done[draft].state, done[draft].answer_id, done[draft].version_id) == (
        "answer_drafted", "pledge_financing.house_test", drafted)
    assert {v.id for v in editing.drafts(db)} >= {proposed, drafted}


def test_groups_left_without_questions_are_deleted(empty):
    db, kb = empty
    ask(db, "明天会下雨吗")
    ask(db, "公积金怎么提取")
    open_groups(db, kb)
    with db.transaction() as s:
        s.execute(delete(UnansweredQuestion).where(UnansweredQuestion.text == "明天会下雨吗"))
        assert unanswered.delete_empty_groups(s) == 1
        assert s.execute(select(func.count()).select_from(UnansweredGroup)).scalar() == 1
