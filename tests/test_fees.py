"""The calculators over the real fee data (knowledge/data/fees.yml, loaded by the build), checked
against the amounts typed here from /work/shared/sources/domain-facts.md §1, §3 and §7 — so a
wrong edit of fees.yml fails here. Both percentages, the strict thresholds (exactly 5000 a month,
60000 a year and 1,000,000 are not eligible), every fee."""
from __future__ import annotations

from decimal import Decimal

import pytest

import knowledge
from bot import settings
from knowledge.fees.calculate import check_eligibility, check_joint, patent_fees, trademark_fees
from knowledge.fees.facts import (
    Amount, PatentQuery, TrademarkQuery, read_amount, read_joint, read_kind, read_parties,
    read_patent, read_trademark,
)

# domain-facts §1 and §7: (type, item, year) → official amount; reducible at 85 % and 70 %
INVENTION_ANNUAL = {**{y: 900 for y in range(1, 4)}, **{y: 1200 for y in range(4, 7)},
                    **{y: 2000 for y in range(7, 10)}, **{y: 4000 for y in range(10, 13)},
                    **{y: 6000 for y in range(13, 16)}, **{y: 8000 for y in range(16, 21)}}
SMALL_ANNUAL = {**{y: 600 for y in range(1, 4)}, **{y: 900 for y in (4, 5)},
                **{y: 1200 for y in range(6, 9)}, **{y: 2000 for y in (9, 10)}}
DESIGN_ANNUAL = {**SMALL_ANNUAL, **{y: 3000 for y in range(11, 16)}}
PATENT_FEES = [
    ("invention", "application", None, 900, True),
    ("invention", "printing", None, 50, False),
    ("invention", "exam", None, 2500, True),
    ("invention", "reexam", None, 1000, True),
    ("utility_model", "application", None, 500, True),
    ("utility_model", "reexam", None, 300, True),
    ("design", "application", None, 500, True),
    ("design", "reexam", None, 300, True),
    *[("invention", "annual", y, a, True) for y, a in INVENTION_ANNUAL.items()],
    *[("utility_model", "annual", y, a, True) for y, a in SMALL_ANNUAL.items()],
    *[("design", "annual", y, a, True) for y, a in DESIGN_ANNUAL.items()],
]
# domain-facts §3: item → (paper, online), per class
TRADEMARK_FEES = {"registration": (300, 270), "extra_good": (30, 27), "replacement": (500, 450),
                  "assignment": (500, 450), "renewal": (500, 450), "late_renewal": (250, 225),
                  "change": (150, 0), "proof": (50, 45), "collective": (1500, 1350),
                  "opposition": (500, 450), "cancellation": (500, 450), "licence": (150, 135),
                  "review": (750, 675)}


@pytest.fixture(scope="module")
def schedule(kb_url):
    """The schedule in force on the tests' day, read once (building the service's snapshot
    takes a second)."""
    return knowledge.open(kb_url, settings.KNOWLEDGE_DATA_DIR, settings.today).fee_schedule()


@pytest.mark.parametrize("ptype, item, year, amount, reducible", PATENT_FEES)
def test_every_patent_fee_and_both_percentages(schedule, ptype, item, year, amount, reducible):
    r = patent_fees(schedule, PatentQuery(ptype, item, year))
    assert r.problem is None
    [line] = r.lines
    assert line.fee.amount == amount and line.fee.reducible is reducible
    if reducible:  # 85 %: 15 % is paid; 70 %: 30 % is paid
        assert line.single == Decimal(amount) * Decimal("0.15")
        assert line.joint == Decimal(amount) * Decimal("0.30")
    else:
        assert line.single is None and line.joint is None


def test_the_worked_examples_of_the_sources(schedule):
    """§1: "at 85%: invention application 135, substantive examination 375; at 70%: 270, 750"."""
    app = patent_fees(schedule, PatentQuery("invention", "application")).lines[0]
    exam = patent_fees(schedule, PatentQuery("invention", "exam")).lines[0]
    assert (app.single, exam.single, app.joint, exam.joint) == (135, 375, 270, 750)


def test_the_application_stage_total_keeps_the_printing_fee_whole(schedule):
    r = patent_fees(schedule, PatentQuery("invention", "total"))
    assert [line.fee.item for line in r.lines] == ["application", "printing", "exam"]
    assert (r.total("full"), r.total("single"), r.total("joint")) == (3450, 560, 1070)


def test_fees_named_without_an_amount_are_not_reducible(schedule):
    for item in ("priority_claim", "surcharge", "late_payment"):
        [line] = patent_fees(schedule, PatentQuery("invention", item)).lines
        assert line.fee.amount is None and not line.fee.reducible


@pytest.mark.parametrize("ptype, years, total", [
    ("invention", 10, 3 * 900 + 3 * 1200 + 3 * 2000 + 4000),  # 16300
    ("invention", 20, sum(INVENTION_ANNUAL.values())),
    ("utility_model", 10, sum(SMALL_ANNUAL.values())),
    ("design", 15, sum(DESIGN_ANNUAL.values())),
])
def test_annual_fees_added_up_over_the_years(schedule, ptype, years, total):
    r = patent_fees(schedule, PatentQuery(ptype, "annual_total", years))
    assert r.problem is None and len(r.lines) == years and r.total("full") == total


def test_annual_fees_added_up_past_the_last_year(schedule):
    assert patent_fees(schedule, PatentQuery("utility_model", "annual_total", 12)).problem == \
        "year_beyond"


@pytest.mark.parametrize("ptype, year, problem", [
    ("invention", 21, "year_beyond"), ("utility_model", 11, "year_beyond"),
    ("design", 16, "year_beyond"), ("design", None, "need_year")])
def test_years_past_the_schedule(schedule, ptype, year, problem):
    assert patent_fees(schedule, PatentQuery(ptype, "annual", year)).problem == problem


def test_design_and_utility_model_have_no_examination_fee(schedule):
    assert patent_fees(schedule, PatentQuery("design", "exam")).problem == "no_such_fee"
    assert patent_fees(schedule, PatentQuery("utility_model", "exam")).problem == "no_such_fee"


def test_missing_facts_are_named(schedule):
    assert patent_fees(schedule, PatentQuery(None, "annual", 3)).missing == "patent_type"
    assert patent_fees(schedule, PatentQuery("invention")).missing == "item"


@pytest.mark.parametrize("search, paid", [("cnipa_both", 0), ("cnipa_search", 1250),
                                          ("epo_jpo_se", 2000)])
def test_pct_national_phase_examination_fee(schedule, search, paid):
    r = patent_fees(schedule, PatentQuery("invention", "exam", pct=True, search=search))
    [(rule, after)] = r.pct
    assert after == paid and rule.citation.confidence == "M"


def test_pct_without_the_search_office_lists_all_three_and_the_waiver(schedule):
    r = patent_fees(schedule, PatentQuery("invention", "total", pct=True))
    assert [rule.rule for rule, _ in r.pct] == [
        "pct_application_waived", "pct_exam_cnipa_both", "pct_exam_cnipa_search",
        "pct_exam_epo_jpo_se"]


def test_open_licence_and_annual_period_rules_are_offered_with_annual_fees(schedule):
    r = patent_fees(schedule, PatentQuery("invention", "annual", 2, open_licence=True))
    assert r.open_licence.value == 15 and r.annual_years.value == 10
    assert r.open_licence.citation.in_force_from.isoformat() == "2024-07-15"


# --- trademarks ---------------------------------------------------------------------------
@pytest.mark.parametrize("item, paper, online", [(i, p, o) for i, (p, o) in TRADEMARK_FEES.items()])
def test_every_trademark_fee(schedule, item, paper, online):
    assert schedule.trademark(item, "paper").amount == paper
    assert schedule.trademark(item, "online").amount == online


@pytest.mark.parametrize("classes, goods, online, paper", [
    (1, (10,), 270, 300),  # 10 goods are included
    (1, (11,), 297, 330),
    (3, (12,), 3 * 270 + 6 * 27, 3 * 300 + 6 * 30),  # 972 / 1080
    (2, (12, 8), 2 * 270 + 2 * 27, 2 * 300 + 2 * 30),  # only the class over 10 pays extra
    (3, (12, 15, 8), 3 * 270 + 7 * 27, 3 * 300 + 7 * 30),
])
def test_registration_totals(schedule, classes, goods, online, paper):
    r = trademark_fees(schedule, TrademarkQuery("registration", classes, goods))
    assert (r.total("online"), r.total("paper")) == (online, paper)


def test_one_channel_when_it_was_said(schedule):
    r = trademark_fees(schedule, TrademarkQuery("registration", 2, (10,), "online"))
    assert [c for c, _, _ in r.channels] == ["online"] and r.total("online") == 540


def test_late_renewal_pays_renewal_and_the_late_fee(schedule):
    r = trademark_fees(schedule, TrademarkQuery("late_renewal", 2))
    assert (r.total("online"), r.total("paper")) == (2 * (450 + 225), 2 * (500 + 250))


def test_other_services_without_classes_are_per_class(schedule):
    r = trademark_fees(schedule, TrademarkQuery("renewal"))
    assert r.per_class and (r.total("online"), r.total("paper")) == (450, 500)
    assert trademark_fees(schedule, TrademarkQuery("change", channel="online")).total("online") == 0


def test_trademark_missing_facts(schedule):
    assert trademark_fees(schedule, TrademarkQuery()).missing == "service"
    assert trademark_fees(schedule, TrademarkQuery("registration")).missing == "classes"
    assert trademark_fees(schedule, TrademarkQuery("registration", 3, (1, 2))).missing == "goods"


def test_registration_without_goods_is_priced_at_what_a_class_includes(schedule):
    r = trademark_fees(schedule, TrademarkQuery("registration", 3))
    assert r.missing is None and r.goods_assumed
    assert (r.total("online"), r.total("paper")) == (810, 900)
    assert {c: f.amount for c, f in r.extra_good} == {"online": 27, "paper": 30}
    said = trademark_fees(schedule, TrademarkQuery("registration", 3, (12,)))
    assert not said.goods_assumed and said.extra_good == () and said.total("online") == 972
    within = trademark_fees(schedule, TrademarkQuery("registration", 1, (10,)))
    assert within.total("online") == 270  # nothing extra charged, the price of one more is told
    assert {c: f.amount for c, f in within.extra_good} == {"online": 27, "paper": 30}


# --- 专利费减 eligibility: the thresholds are strict ("低于") ---------------------------------
def exact(value, per=None, basis=None) -> Amount:
    return Amount(Decimal(value), Decimal(value), per=per, basis=basis)


@pytest.mark.parametrize("kind, amount, verdict", [
    ("individual", exact(4999, "month"), "eligible"),
    ("individual", exact(5000, "month"), "not_eligible"),  # exactly 5000 a month: not below
    ("individual", exact(5001, "month"), "not_eligible"),
    ("individual", exact(59_999, "year"), "eligible"),
    ("individual", exact(60_000, "year"), "not_eligible"),  # exactly 60000 a year
    ("individual", exact(60_001, "year"), "not_eligible"),
    ("individual", exact(0, "year"), "eligible"),
    ("enterprise", exact(999_999), "eligible"),
    ("enterprise", exact(1_000_000), "not_eligible"),  # exactly 1,000,000: not eligible
    ("enterprise", exact(1_000_001), "not_eligible"),
    ("enterprise", exact(800_000, basis="taxable"), "eligible"),
])
def test_thresholds_at_below_and_above(schedule, kind, amount, verdict):
    r = check_eligibility(schedule, kind, amount)
    assert r.verdict == verdict
    if verdict == "eligible":
        assert (r.single.value, r.joint_rule.value) == (85, 70)


@pytest.mark.parametrize("text, verdict", [
    ("个人月收入不到5000", "eligible"),
    ("个人月收入5000以下", "depends"),  # 以下 includes 5000, which is not eligible
    ("个人年收入五万多", "eligible"),  # between 50000 and 60000
    ("个人年收入六万多", "not_eligible"),
    ("退休金一个月三千出头", "eligible"),  # 3000 to below 4000, not "3000 or more"
    ("个人工资一个月五千出头", "not_eligible"),
    ("果农，一年卖橙子也就赚三四万块", "eligible"),  # 赚 of a person is income
    ("公司应纳税所得额不到100万", "eligible"),
    ("公司应纳税所得额100万以上", "not_eligible"),
    ("公司应纳税所得额超过80万", "depends"),
    ("公司去年应纳税所得额80万", "eligible"),
    ("八十万应纳税所得额的公司", "eligible"),
    ("企业应纳税所得额一百万", "not_eligible"),
    ("我没有收入", "eligible"),
    ("我们公司去年亏损了", "eligible"),  # said of profit: the reply says the test is taxable income
    ("做自由职业的，年收入5万9", "eligible"),  # 59000: 5万9, the way it is said
    ("灵活就业，全年收入6w2", "not_eligible"),
    ("个人一年收入五六万", "depends"),  # 50000 to below 70000: either side of 60000
    ("个人收入两万一年", "eligible"),  # 20000 a year, not 21000 a ... year
    ("个人工资三四千一个月", "eligible"),  # below 5000 a month either way
])
def test_bounds_as_citizens_say_them(schedule, text, verdict):
    said = read_kind(text, schedule.kinds)
    assert check_eligibility(schedule, said.kind, read_amount(text)).verdict == verdict


def test_monthly_or_yearly_is_asked_only_when_it_decides(schedule):
    assert check_eligibility(schedule, "individual", exact(4000)).verdict == "eligible"
    assert check_eligibility(schedule, "individual", exact(8000)).verdict == "need_period"
    assert check_eligibility(schedule, "individual", exact(70_000)).verdict == "not_eligible"


@pytest.mark.parametrize("text, kind, verdict", [
    ("公立医院能费减吗", "public_institution", "by_kind"),
    ("我们是事业单位", "public_institution", "by_kind"),
    ("行业协会", "social_organisation", "by_kind"),
    ("非营利性科研机构", "nonprofit_research", "by_kind"),
    ("个体户能不能费减", "individual_business", "not_covered"),
    ("个人独资企业", "sole_proprietorship", "not_covered"),
    ("合伙企业", "partnership", "not_covered"),
    ("农民专业合作社", "cooperative", "not_covered"),
])
def test_kinds_that_qualify_by_what_they_are_or_are_not_covered(schedule, text, kind, verdict):
    said = read_kind(text, schedule.kinds)
    assert said.kind == kind
    assert check_eligibility(schedule, said.kind, None).verdict == verdict


@pytest.mark.parametrize("text, kind", [
    # the applicant said outright wins over the people also named
    ("县里公办中学的老师带学生搞了个小发明，想以学校的名义申请专利", "public_institution"),
    ("发明人是我个人，申请人写的是公司，费减看谁的", "enterprise"),
    ("用公司名义申请，我月薪三千", "enterprise"),
    # a personal income says the person applies, not the workplace named beside it
    ("我在中学教书，工资四千", "individual"),
    ("我是大学老师，月收入4000", "individual"),
    ("我们三个人一起申请，一个是中学老师，学校能开收入证明", "individual"),
    ("我冇上班，一年卖橙子也就赚三四万块", "individual"),  # dialect: no job, a person's earnings
    ("佢在东莞打工一个月八千多", "individual"),
])
def test_who_applies(schedule, text, kind):
    assert read_kind(text, schedule.kinds).kind == kind


def test_enterprise_profit_is_not_taxable_income(schedule):
    r = check_eligibility(schedule, "enterprise", read_amount("利润80万"))
    assert r.verdict == "eligible" and r.other_basis


@pytest.mark.parametrize("text, joint", [
    ("我和别人一起申请", True), ("两个人共同申请", True), ("三个人合伙申请", True),
    ("我一个人申请", False), ("单独申请", False), ("不是共同申请", False),
    ("月收入4000", None),
    # applicants named together are added up
    ("一家公司和一个个人合伙申请", True), ("一家企业与两位个人", True), ("一家公司申请", False)])
def test_alone_or_jointly(text, joint):
    assert read_joint(text) is joint


@pytest.mark.parametrize("text", ["sb转让多少钱", "SB续展", "商标注册", "trademark renewal",
                                  "3个类别"])
def test_trademark_named(text):
    from knowledge.fees.facts import names_patent, names_trademark
    assert names_trademark(text) and not names_patent(text)


@pytest.mark.parametrize("text", ["zl年费", "发明专利申请费", "patent annual fee", "实用新形第3年"])
def test_patent_named(text):
    from knowledge.fees.facts import names_patent, names_trademark
    assert names_patent(text) and not names_trademark(text)


def test_the_kind_a_figure_implies(schedule):
    assert read_kind("月收入4000", schedule.kinds).kind == "individual"
    assert read_kind("应纳税所得额80万", schedule.kinds).kind == "enterprise"
    assert read_kind("我在公司上班，月收入4000", schedule.kinds).kind == "individual"
    assert read_kind("两个人申请", schedule.kinds) is None  # 两个人 is a count, not 个人


@pytest.mark.parametrize("text, expected", [
    ("发明专利第5年年费多少", ("invention", "annual", 5)),
    ("实用新型第十年的年费", ("utility_model", "annual", 10)),
    ("外观设计申请费费减后多少", ("design", "application", None)),
    ("发明实审费", ("invention", "exam", None)),
    ("发明实质审费个人交多少", ("invention", "exam", None)),  # a word left out of 实质审查费
    ("申请一个发明专利一共要多少钱", ("invention", "total", None)),
    ("复审费", (None, "reexam", None)),
    ("发明专利维持到第10年一共要交多少年费", ("invention", "annual_total", 10)),
    ("实用新型年费10年总共多少", ("utility_model", "annual_total", 10)),
    ("PCT进入国家阶段实审费", ("invention", "exam", None)),
    ("个人申请发明专利，申请费和实审费费减后合计多少", ("invention", "application+exam", None)),
    ("发明的实审费加上申请费", ("invention", "application+exam", None)),
    # English
    ("invention patent annual fee year 6", ("invention", "annual", 6)),
    ("utility model application fee", ("utility_model", "application", None)),
    ("design patent 3rd year annual fee", ("design", "annual", 3)),
    ("substantive examination fee for an invention", ("invention", "exam", None)),
])
def test_reading_patent_questions(text, expected):
    q = read_patent(text)
    assert (q.patent_type, q.item, q.year) == expected


@pytest.mark.parametrize("text, year, rate", [
    ("实用新型第六年年费减缴百分之八十五后", 6, 85),
    ("外观专利第2年的年费费减70%", 2, 70),
    ("发明第十一年年费按85%减完多少", 11, 85),
    ("发明专利第3年年费", 3, None),
    ("85%的年费是第几年", None, None),  # a percentage with no 减 near it is no rate
    ("annual fee year 6 after the 85% reduction", 6, 85),
    ("3rd year annual fee, 70% off", 3, 70),
])
def test_an_ordinal_year_and_the_rate_said(text, year, rate):
    q = read_patent(text)
    assert (q.year, q.rate) == (year, rate)


@pytest.mark.parametrize("rate, joint, shown", [
    (85, False, "单独申请减缴85%后交180元"), (70, True, "共同申请减缴70%后交360元")])
def test_the_rate_said_picks_alone_or_jointly(schedule, rate, joint, shown):
    from knowledge.fees.replies import patent as patent_reply
    r = patent_fees(schedule, PatentQuery("invention", "annual", 5, rate=rate))
    assert (r.applicants_joint, r.odd_rate) == (joint, None)
    text = patent_reply(r, lambda _: None).text
    assert shown in text and ("共同申请" in text) is joint


def test_a_rate_that_is_no_reduction_rate_is_corrected(schedule):
    r = patent_fees(schedule, PatentQuery("invention", "application", rate=50))
    assert (r.applicants_joint, r.odd_rate) == (None, 50)
    # PCT's and the open licence's rates are rates of their own
    assert patent_fees(schedule, PatentQuery("invention", "exam", pct=True, rate=50)).odd_rate is None
    assert patent_fees(schedule, PatentQuery("invention", "annual", 4, open_licence=True,
                                             rate=15)).odd_rate is None
    # said alone, the applicants win over a rate that says otherwise
    assert patent_fees(schedule, PatentQuery("invention", "application", joint=True,
                                             rate=85)).applicants_joint is True


@pytest.mark.parametrize("text, expected", [
    ("注册3个类别每类12个商品网上申请", ("registration", 3, (12,), "online")),
    ("第9类和第35类，分别12个和8个商品", ("registration", 2, (12, 8), None)),
    ("续展两个类别的商标纸质", ("renewal", 2, None, "paper")),
    ("商标过了宽展期续展", ("late_renewal", None, None, None)),
    ("证明商标注册", ("collective", None, None, None)),
    ("商标转让费", ("assignment", None, None, None)),
    ("授权别人用我的商标，备案多少钱", ("licence", None, None, None)),
    ("商標網上註冊一個類別12個商品", ("registration", 1, (12,), "online")),
    # N个类别 … 每类M个, in any order and wording
    ("注册8个类别纸质申请每类12个商品", ("registration", 8, (12,), "paper")),
    ("每类10个，7个类别，网上", ("registration", 7, (10,), "online")),
    ("5类各报11项", ("registration", 5, (11,), None)),
    ("报四个类，每个类报十个小项", ("registration", 4, (10,), None)),
    ("第35类和第43类各15个服务", ("registration", 2, (15,), None)),  # goods: a registration
    ("注册五六个类别", ("registration", None, None, None)),  # not a count: the form asks
    # some classes with one count, the rest with another; the rest unsaid: no count for all
    ("网上报6个类别，其中一个类别有13个商品，其余每类9个", ("registration", 6, (13, 9, 9, 9, 9, 9),
                                            "online")),
    ("申请4个类别，其中3个类别各12个小项", ("registration", 4, None, None)),
    ("纸质报两类，一类12个商品，另一类9个商品", ("registration", 2, (12, 9), "paper")),
    ("网上注册2个类别，一个类别13个商品，另一个10个", ("registration", 2, (13, 10), "online")),
    ("注册3个类别，一个类别13个商品，另一个10个", ("registration", 3, None, None)),  # third unsaid
    ("第9类报了13个商品，第42类报了10个，网上", ("registration", 2, (13, 10), "online")),  # by number
    # English
    ("collective mark, 2 classes, online", ("collective", 2, None, "online")),
    ("certification trademark fee on paper", ("collective", None, None, "paper")),
    ("trademark renewal 3 classes", ("renewal", 3, None, None)),
    ("transfer of a trademark", ("assignment", None, None, None)),
    ("register a trademark in 2 classes with 12 goods each", ("registration", 2, (12,), None)),
    # the price of one class
    ("registration fee per class?", ("registration", 1, None, None)),
    ("商标续展每类多少", ("renewal", 1, None, None)),
    ("网上注册一只类别几钞票", ("registration", 1, None, "online")),  # 一只: 一个 in Wu
    ("每类10个商品多少钱", ("registration", None, (10,), None)),  # goods, classes not said
])
def test_reading_trademark_questions(text, expected):
    q = read_trademark(text)
    assert (q.service, q.classes, q.goods, q.channel) == expected


def test_fees_named_together_are_added_up(schedule):
    r = patent_fees(schedule, PatentQuery("invention", "application+exam"))
    assert r.problem is None and [line.fee.item for line in r.lines] == ["application", "exam"]
    assert (r.total("full"), r.total("single"), r.total("joint")) == (3400, 510, 1020)


# --- joint applications: each co-applicant on its own figure ------------------------------------
def _parties(schedule, text):
    return [(p.kind, p.amount.low if p.amount else None, p.amount.per if p.amount else None)
            for p in read_parties(text, schedule.kinds)]


@pytest.mark.parametrize("text, parties", [
    ("公司应纳税所得额1.2万，和一个月入5千的个人一起申请",
     [("enterprise", 12_000, None), ("individual", 5000, "month")]),
    ("三家公司一起申请，应纳税所得额分别是30万、八十万、120w",
     [("enterprise", 300_000, None), ("enterprise", 800_000, None),
      ("enterprise", 1_200_000, None)]),
    ("两个人一起申请，月收入分别是三千五和4500",  # the second figure keeps the first's period
     [("individual", 3500, "month"), ("individual", 4500, "month")]),
    ("我们是一家小公司，应纳税所得额六十来万，打算跟一所大学一起申请，学校是事业单位",
     [("enterprise", 600_000, None), ("public_institution", None, None)]),
    # a kind that qualifies by what it is, named first, is not lost behind the next figure
    ("学校和一个月收入3000的老师一起申请",
     [("public_institution", None, None), ("individual", 3000, "month")]),
    ("我月入4000，合伙人去年全年收入6.5万，两个人一起申请能减吗",  # 月入: a person's pay
     [("individual", 4000, "month"), ("individual", 65_000, "year")]),
])
def test_co_applicants_each_with_their_own_figure(schedule, text, parties):
    assert _parties(schedule, text) == [(k, None if v is None else Decimal(v), per)
                                        for k, v, per in parties]


@pytest.mark.parametrize("text", [
    "我月收入4000，一年4万8，能费减吗",  # one applicant, two figures
    "我和朋友一起申请，我月入4000",  # one figure: the single check says 70 % and "each must"
    "公司去年应纳税所得额八十万",
    "我们是一家公司，单独申请，应纳税所得额30万和50万哪个对",  # not a joint application
])
def test_not_co_applicants(schedule, text):
    assert _parties(schedule, text) == []


def test_a_company_counted_once_is_not_the_applicant_count():
    assert read_joint("我们是一家小公司……想问我们这种两家一起申请的") is True
    assert read_joint("我们是一家公司，想问能不能减") is not True


@pytest.mark.parametrize("text, verdict", [
    ("公司应纳税所得额1.2万，和一个月入5千的个人一起申请", "not_eligible"),  # exactly 5000: not below
    ("公司应纳税所得额1.2万，和一个月入4999的个人一起申请", "eligible"),
    ("三家公司一起申请，应纳税所得额分别是30万、八十万、100万", "not_eligible"),  # exactly 1,000,000
    ("三家公司一起申请，应纳税所得额分别是30万、八十万、99万", "eligible"),
    ("两个人一起申请，个人收入分别是4000和5万", "depends"),  # 50000 a month or a year decides it
    ("公司应纳税所得额60万，跟一所大学一起申请", "eligible"),  # a university qualifies by kind
])
def test_a_joint_application_qualifies_only_when_everyone_does(schedule, text, verdict):
    result = check_joint(schedule, read_parties(text, schedule.kinds))
    assert result.verdict == verdict
    assert result.missing is None


@pytest.mark.parametrize("text, kind, per, verdict", [
    ("我们 company 去年 taxable income 1.5 million，还能 fee reduction 吗", "enterprise", "year",
     "not_eligible"),
    ("My monthly salary is 4000 yuan, can I get the patent fee reduction?", "individual", "month",
     "eligible"),
])
def test_english_figures_and_applicants(schedule, text, kind, per, verdict):
    said, amount = read_kind(text, schedule.kinds), read_amount(text)
    assert (said.kind, amount.per) == (kind, per)
    assert check_eligibility(schedule, said.kind, amount).verdict == verdict


@pytest.mark.parametrize("text, year", [("外观专利第６个年度的年费要交几多", 6), ("第5年年费", 5),
                                        ("第十二年度年费", 12)])
def test_the_year_of_a_patent_however_written(text, year):
    assert read_patent(text).year == year


def test_a_trademark_handed_to_someone_is_an_assignment():
    assert read_trademark("商标转给我老弟，要交几多钱咯").service == "assignment"
