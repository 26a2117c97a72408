"""Questions are of kinds (issue 9 §2): how to apply wants the procedure, an organisation of a
kind wants its category, a year's fee wants that year, and the words that say what kind of
answer is wanted must not make an unrelated question look answerable."""
from __future__ import annotations

import pytest

from bot import settings
from knowledge import search
from knowledge.service import confident


@pytest.fixture(scope="module")
def index(db):
    """The search index itself, for the analyser's view of a question."""
    with db.session() as session:
        return search.build_index(session, settings.today())


@pytest.mark.parametrize("text", ["外观设计第12年年费多少", "第4—6年的年费", "第十年要交多少"])
def test_a_year_of_a_fee_is_one_kind_of_question(index, text):
    assert search.ANY_YEAR in index.analyse(text).words


@pytest.mark.parametrize("text", ["保护中心是哪一年获批的", "新规什么时候施行", "何时开始受理"])
def test_when_is_a_date_question_not_a_year_of_a_fee(index, text):
    words = index.analyse(text).words
    assert "什么时候" in words and search.ANY_YEAR not in words


def test_how_to_do_something_is_a_procedure_question_but_what_to_do_is_not(index):
    assert search.PROCEDURE in index.analyse("怎么办专利质押").words
    words = index.analyse("专利质押被拒了怎么办").words
    assert search.HOW_TO_DO in words and search.PROCEDURE not in words


def test_what_is_needed_asks_for_materials_unless_a_word_says_what_is_needed(index):
    assert "材料" in index.analyse("优先审查需要什么").words
    words = index.analyse("行政裁决需要什么条件").words
    assert "条件" in words and "材料" not in words
    assert "材料" not in index.analyse("无效案件加急需要什么理由").words


def test_kind_words_weigh_less_than_subjects_and_do_not_make_a_question_answerable(index):
    for word in search.QUESTION_KINDS:
        assert index.specificity(word) < search.SPEC_MAX, word
    hits = index.search("驾照年审要多久")
    assert not hits or not confident(hits[0])


@pytest.mark.parametrize("question, intent, expected", [
    ("我们是县里的公立医院，申请专利能少交费吗", "ask_fee_reduction",
     "fee_reduction.eligibility_institution"),
    ("个人独资企业办专利费减看什么标准", "ask_fee_reduction", "fee_reduction.sole_trader"),
    ("退休老人申请专利费减交什么证明", "ask_fee_reduction", "fee_reduction.no_income_proof"),
    ("外观设计第7年的年费减缴后交多少", "ask_fee_reduction", "fee_reduction.annual_fees_um_design"),
    ("商标续展怎么办理", "ask_trademark", "trademark.renewal_period"),
    ("维权援助要怎么申请", "ask_rights_assistance", "rights_assistance.how_to_apply"),
])
def test_each_kind_reaches_the_answer_of_its_kind(kb, question, intent, expected):
    assert kb.answer(question, intent, 0.9).answer_id == expected


@pytest.mark.parametrize("question, intent", [
    ("费减备案审核要几天", "ask_fee_reduction"),
    ("专利行政裁决多久能结案", "ask_rights_assistance"),
    ("12315投诉多久处理完", "ask_rights_assistance"),
])
def test_unknown_time_limits_are_said_to_be_unknown(kb, question, intent):
    body = kb.answer(question, intent, 0.9).text.split("\n来源：")[0]
    assert "不能为您估计" in body
    assert "12345" in body or "专利业务办理系统" in body


def test_what_is_known_besides_leaves_the_question(index, kb):
    words = index.analyse("除了赣南脐橙还有哪些地理标志").words  # analyse alone keeps it
    assert "赣南脐橙" in words
    asked = index._analysed("除了赣南脐橙还有哪些地理标志").words
    assert "赣南脐橙" not in asked and "地理标志" in asked
    hit = index.search("除了赣南脐橙，赣州还有哪些地理标志产品")[0]
    assert hit.answer_id != "geo_indication.navel_orange"


def test_a_question_naming_one_product_is_not_answered_by_anothers_answer(index, kb):
    assert set(search.PRODUCTS) <= index.domain  # gazetteer terms, so their variants fold to them
    hits = index.search("贛南臍橙在區域品牌榜上排第幾名", k=2)
    assert hits[0].answer_id == "geo_indication.navel_orange"
    assert index.search("区域品牌榜上赣南茶油排第几", k=1)[0].answer_id == "geo_indication.camellia_oil"


def test_an_answer_about_a_special_case_waits_for_a_question_naming_it(index):
    slot = index.slot["fee_reduction.open_licence"]
    assert index.qualifiers[slot] == {"开放许可"}
    assert not index.qualifiers[index.slot["fee_reduction.reducible_fees"]]
    assert index.search("专利年费也能少交吗", k=1)[0].answer_id != "fee_reduction.open_licence"
    assert index.search("登记了开放许可的专利，年费能少交吗", k=1)[0].answer_id == \
        "fee_reduction.open_licence"


def test_a_patent_in_production_is_the_ground_of_use(index):
    # 量产/投产 is 实施: "已经实施或做好实施准备" is a ground of priority examination
    assert index.search("产品已经量产上市了，能请求优先审查吗", k=1)[0].answer_id == \
        "priority_exam.grounds"


def test_the_stage_of_examination_is_the_scope_of_priority_examination(index):
    # 实审 is 实质审查: an invention application must be in it to ask for priority examination
    assert index.search("发明申请还没进实审，能先提优先审查吗", k=1)[0].answer_id == \
        "priority_exam.scope"


def test_these_years_is_a_stretch_of_time_not_how_long(index):
    assert "多久" not in index._query("赣州专利这几年多了多少").words
    assert "多久" in index._query("专利保护几年").words
    assert index.search("赣州专利这几年多了多少", k=1)[0].answer_id == "ip_plan.achievements_patents"
