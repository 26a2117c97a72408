"""Questions outside our field: NLU knows only our topics and may be sure of one for "楼下广场舞
太吵了去哪里投诉"; without a word of our field (the gazetteer's `ours` section, knowledge/ours.py)
only an answer that covers most of the question answers."""
from __future__ import annotations

import pytest

from knowledge.ours import ROOTS, WORDS, Field
from knowledge.service import NOT_OURS_ACCEPT


def test_roots_count_anywhere_and_words_only_whole():
    field = Field([(ROOTS, "专利"), (WORDS, "保护")])
    assert field.covers(["专利号"]) and field.covers(["培训"], "知识产权专利培训")
    assert field.covers(["保护", "怎么"])
    assert not field.covers(["环境保护局", "电话"], "环境保护局电话")
    assert not Field([])  # no section: every question is taken as ours (SearchIndex)


@pytest.mark.parametrize("question", [
    "商表怎么注册",  # a typo of 商标
    "zhuanli费减要什么材料",  # pinyin
    "能不能少交点钱，我是学生",  # 少交点钱 is 费减
    "知识产权培训怎么报名",  # folded to 人才培训, still names 知识产权
    "Is there an IP service station in Ruijin?",
])
def test_our_questions_in_any_spelling_are_ours(kb, question):
    assert kb._snapshot().index.is_ours(question)


@pytest.mark.parametrize("question, intent", [
    ("楼下广场舞太吵了去哪里投诉", "ask_rights_assistance"),
    ("体检中心在哪里", "ask_service_point"),
    ("申请低保需要什么条件", "ask_priority_exam"),
    ("环境保护局电话多少", "ask_service_point"),
])
def test_a_question_outside_our_field_is_declined_even_when_nlu_is_sure(kb, question, intent):
    assert not kb._snapshot().index.is_ours(question)
    reply = kb.answer(question, intent=intent, confidence=0.97)
    assert not reply.answered and "来源：" not in reply.text


def test_a_question_of_ours_is_still_answered_in_nlus_topic(kb):
    reply = kb.answer("隔壁店卖假货去哪里投诉", intent="ask_rights_assistance", confidence=0.97)
    assert reply.answered and reply.answer_id.startswith("rights_assistance.")


def test_without_a_word_of_ours_a_close_answer_still_answers(kb):
    """"举报需要写清楚什么" names nothing of ours but is covered by the answer on what a report
    holds; the where-to-report fallback needs a word of ours ("渣土车撒了一路，投诉找哪个部门")."""
    assert kb.answer("举报需要写清楚什么").answered
    assert not kb.answer("渣土车撒了一路泥，投诉找哪个部门").answered


def test_every_phrasing_of_the_knowledge_base_can_still_be_answered(kb):
    """A phrasing of an answer that names nothing of our field must cover itself enough to be
    found: otherwise the gate made it dead (add the word of our field it names)."""
    snap = kb._snapshot()
    dead = []
    for a in snap.answers.values():
        if not a.in_force(kb.today()):
            continue
        for text in [a.title, *(q.text for q in a.questions)]:
            if snap.index.is_ours(text):
                continue
            hits = snap.index.search(text, k=1)
            if not (hits and hits[0].coverage >= NOT_OURS_ACCEPT and hits[0].matched):
                dead.append((a.id, text))
    assert dead == []


def test_the_section_stays_out_of_the_dictionary_the_ruler_and_the_synonyms(kb):
    from knowledge import nlp
    terms = [("ours", ROOTS, "专利"), ("ours", WORDS, "网上办"), ("service_type", "窗口", "受理窗口")]
    assert [p["label"] for p in nlp.patterns_from(terms, [])] == ["service_type"]
    index = kb._snapshot().index
    assert "网上办" not in index.synonyms and not {ROOTS, WORDS} & index.domain


def test_a_county_named_outside_our_field_gets_no_service_points(kb):
    county = [{"entity": "county", "value": "宁都县"}]
    reply = kb.answer("宁都的翠微峰门票多少钱", intent="ask_service_point", confidence=0.95,
                      entities=county)
    assert not reply.answered and "来源：" not in reply.text
    reply = kb.answer("宁都县有没有商标受理窗口", intent="ask_service_point", confidence=0.95,
                      entities=county)
    assert reply.answered and "宁都" in reply.text


@pytest.mark.parametrize("question, intent", [
    ("自来水费可以申请费减吗，家里是低保户", "ask_fee_reduction"),  # a utility bill, not a patent fee
    ("车子质押给贷款公司借钱，利息一般多少", "ask_pledge_financing"),  # a car, not a right
    ("车辆抵押登记去哪里办", "ask_pledge_financing"),
])
def test_another_offices_matter_in_our_words_is_declined(kb, question, intent):
    reply = kb.answer(question, intent=intent, confidence=0.9)
    assert not reply.answered and "来源：" not in reply.text
    assert kb.answer("我是低保户，申请专利能费减吗").answered  # hardship is no other office's
