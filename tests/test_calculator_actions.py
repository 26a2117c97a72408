"""The calculators' actions with real rasa-sdk trackers and dispatcher: one turn, forms that ask
only what is missing, corrections that change only what they name, cancelling, knowledge
questions in the middle."""
from __future__ import annotations

import asyncio
import json

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import settings
from tests.conftest import make_tracker

DOMAIN = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
SOURCE_DATE = "2019-07-01起施行"


def said(text: str, intent: str, confidence: float = 0.95) -> dict:
    if text.startswith("/"):
        intent, confidence = text[1:].split("{")[0], 1.0
    return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}


def tracker(message: dict, slots: dict | None = None, requested: str | None = None,
            form: str | None = None) -> Tracker:
    """A tracker after one message, with the slots of earlier turns."""
    if not slots and not requested:
        return make_tracker(message["text"], message["intent"]["name"],
                            message["intent"]["confidence"])
    values = {name: None for name in DOMAIN["slots"]}
    values.update(slots or {}, requested_slot=requested)
    events = [{"event": "user", "text": message["text"], "parse_data": message,
               "input_channel": "rest"}]
    return Tracker("citizen", values, message, events, False, None,
                   {"name": form} if form else {}, "action_listen")


def run(action, t: Tracker) -> tuple[dict | None, list[dict]]:
    """The slots the action sets (None: it set nothing, so Rasa rejects the form) and its
    messages."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, DOMAIN)
    if asyncio.iscoroutine(events):
        events = asyncio.run(events)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"} if events else None
    return slots, dispatcher.messages


@pytest.fixture(scope="module")
def calc(kb_url):
    from actions import calculators
    return calculators


def start_and_answer(calc, start, result, message, slots=None):
    """The start action, then (as the one-turn rule does) the result action on its slots."""
    set_by_start, _ = run(start(), tracker(message, slots))
    state = {**(slots or {}), **set_by_start}
    _, messages = run(result(), tracker(message, state))
    return set_by_start, state, messages


# --- 专利费减 ---------------------------------------------------------------------------------
def test_eligibility_in_one_turn(calc):
    slots, _, messages = start_and_answer(
        calc, calc.ActionStartFeeEligibility, calc.ActionFeeEligibility,
        said("公司去年应纳税所得额80万，能费减吗", "check_fee_eligibility"))
    assert slots["calc_next"] == "result" and slots["fee_applicant"] == "enterprise"
    [reply] = messages
    text = reply["text"]
    for part in ("80万元", "低于100万元", "符合专利费减条件", "85%", "70%", "企业所得税年度纳税申报表",
                 "财税〔2019〕45号", SOURCE_DATE, "估算", "专利业务办理系统"):
        assert part in text, part
    assert len(text) <= 320
    assert [b["title"] for b in reply["buttons"]] == ["算一算专利费", "网上怎么做费减备案"]


def test_a_correction_changes_only_what_it_names(calc):
    first, state, _ = start_and_answer(
        calc, calc.ActionStartFeeEligibility, calc.ActionFeeEligibility,
        said("公司去年应纳税所得额80万，能费减吗", "check_fee_eligibility"))
    slots, _, messages = start_and_answer(
        calc, calc.ActionStartFeeEligibility, calc.ActionFeeEligibility,
        said("不对，是120万", "inform"), state)
    assert slots["fee_applicant"] == "enterprise" and slots["calc_next"] == "result"
    assert slots["fee_income"]["low"] == "1200000"
    assert "不符合专利费减条件" in messages[0]["text"]
    assert "正好100万元也不符合" in messages[0]["text"]


def test_exactly_the_threshold_is_not_eligible(calc):
    _, _, messages = start_and_answer(
        calc, calc.ActionStartFeeEligibility, calc.ActionFeeEligibility,
        said("我每个月收入5000整，能不能申请费减", "check_fee_eligibility"))
    assert "不符合专利费减条件" in messages[0]["text"]


def test_joint_application_says_seventy_percent_and_each_must_qualify(calc):
    _, _, messages = start_and_answer(
        calc, calc.ActionStartFeeEligibility, calc.ActionFeeEligibility,
        said("我和同事两个人一起申请，月收入都是4000", "check_fee_eligibility"))
    text = messages[0]["text"]
    assert "共同申请，减缴70%" in text and "每个共同申请人都要分别符合条件" in text


def test_a_kind_the_sources_do_not_cover_is_said_to_be_unknown(calc):
    _, _, messages = start_and_answer(
        calc, calc.ActionStartFeeEligibility, calc.ActionFeeEligibility,
        said("我是个体户，能费减吗", "check_fee_eligibility"))
    text = messages[0]["text"]
    assert "现有资料没有明确说明" in text and "专利业务办理系统" in text
    assert "符合专利费减条件" not in text


def test_what_is_missing_is_asked_by_the_form(calc):
    slots, _ = run(calc.ActionStartFeeEligibility(),
                   tracker(said("帮我看看能不能费减", "check_fee_eligibility")))
    assert slots["calc_next"] == "form"
    form = calc.ValidateFeeEligibilityForm()
    step, _ = run(form, tracker(said("个人", "inform"), slots, "fee_applicant",
                                "fee_eligibility_form"))
    assert step["fee_applicant"] == "individual" and step["requested_slot"] == "fee_income"
    state = {**slots, **step}
    step, _ = run(form, tracker(said("月收入4000", "inform"), state, "fee_income",
                                "fee_eligibility_form"))
    assert step["requested_slot"] is None and step["fee_income"]["low"] == "4000"
    _, messages = run(calc.ActionFeeEligibility(), tracker(said("月收入4000", "inform"),
                                                           {**state, **step}))
    assert "符合专利费减条件" in messages[0]["text"]


def test_monthly_or_yearly_is_asked_only_when_it_matters(calc):
    form = calc.ValidateFeeEligibilityForm()
    state = {"fee_applicant": "individual"}
    step, _ = run(form, tracker(said("8000", "inform"), state, "fee_income",
                                "fee_eligibility_form"))
    assert step["requested_slot"] == "fee_period"
    state.update(step)
    step, _ = run(form, tracker(said("每月", "inform"), state, "fee_period",
                                "fee_eligibility_form"))
    assert step == {"fee_period": "month", "requested_slot": None}
    _, messages = run(calc.ActionFeeEligibility(), tracker(said("每月", "inform"),
                                                           {**state, **step}))
    assert "不符合" in messages[0]["text"]


def test_the_enterprise_income_question_asks_for_taxable_income(calc):
    _, messages = run(calc.ActionAskFeeIncome(), tracker(
        said("我们公司", "inform"), {"fee_applicant": "enterprise"}))
    assert "应纳税所得额" in messages[0]["text"]


def test_an_answer_not_understood_is_asked_again_with_an_example(calc):
    step, messages = run(calc.ValidateFeeEligibilityForm(), tracker(
        said("嗯嗯", "inform"), {"fee_applicant": "individual"}, "fee_income",
        "fee_eligibility_form"))
    assert step == {"fee_income": None, "requested_slot": "fee_income"}
    assert "例如" in messages[0]["text"] and "算了" in messages[0]["text"]


def test_a_knowledge_question_in_the_form_is_left_to_the_rules(calc):
    step, messages = run(calc.ValidateFeeEligibilityForm(), tracker(
        said("费减要交什么材料", "ask_fee_reduction", 0.9), {"fee_applicant": "individual"},
        "fee_income", "fee_eligibility_form"))
    assert step is None and messages == []


def test_cancel_ends_the_form_and_nothing_is_computed(calc):
    state = {"fee_applicant": "enterprise"}
    step, _ = run(calc.ValidateFeeEligibilityForm(), tracker(
        said("算了", "cancel_form"), state, "fee_income", "fee_eligibility_form"))
    assert step == {"fee_income": None, "requested_slot": None}
    slots, messages = run(calc.ActionFeeEligibility(), tracker(said("算了", "cancel_form"),
                                                               {**state, **step}))
    assert "不算了" in messages[0]["text"]
    assert all(v is None for v in slots.values())


def test_a_correction_naming_nothing_asks_what_is_wrong(calc):
    state = {"fee_applicant": "enterprise",
             "fee_income": {"low": "800000", "high": "800000", "said": "80万"}}
    slots, state, messages = start_and_answer(
        calc, calc.ActionStartFeeEligibility, calc.ActionFeeEligibility,
        said("不对", "deny"), state)
    assert slots["calc_note"] == "unchanged" and slots["calc_next"] == "result"
    assert "哪里不对" in messages[0]["text"]


def test_another_applicant_does_not_inherit_the_last_ones_figures(calc):
    state = {"fee_applicant": "enterprise", "fee_period": "year",
             "fee_income": {"low": "800000", "high": "800000", "per": "year", "said": "80万"}}
    slots, _ = run(calc.ActionStartFeeEligibility(), tracker(
        said("那我个人收入8000呢", "inform"), state))
    assert slots["fee_applicant"] == "individual" and slots["fee_period"] is None
    assert slots["calc_next"] == "form"  # 8000 a month or a year decides it: asked


def test_a_corrected_figure_keeps_the_period_said_before(calc):
    state = {"fee_applicant": "individual", "fee_period": "month",
             "fee_income": {"low": "4000", "high": "4000", "per": "month", "said": "4000"}}
    slots, state, messages = start_and_answer(
        calc, calc.ActionStartFeeEligibility, calc.ActionFeeEligibility,
        said("不对，是6000", "inform"), state)
    assert slots["fee_period"] == "month" and "不符合" in messages[0]["text"]


def test_a_new_question_starts_afresh(calc):
    state = {"fee_applicant": "enterprise", "fee_period": "year",
             "fee_income": {"low": "800000", "high": "800000", "said": "80万"}}
    slots, _ = run(calc.ActionStartFeeEligibility(), tracker(
        said("我们是公立医院，能费减吗", "check_fee_eligibility"), state))
    assert slots["fee_applicant"] == "public_institution" and slots["fee_income"] is None
    slots, _ = run(calc.ActionStartFeeEligibility(), tracker(
        said("/check_fee_eligibility", "check_fee_eligibility"), state))
    assert slots["fee_applicant"] is None and slots["calc_next"] == "form"


# --- patent fees ----------------------------------------------------------------------------
def test_patent_fee_in_one_turn_then_another_type(calc):
    slots, state, messages = start_and_answer(
        calc, calc.ActionStartPatentFee, calc.ActionPatentFee,
        said("发明专利第5年年费多少钱", "calc_patent_fee"))
    text = messages[0]["text"]
    for part in ("1200元", "180元", "360元", "85%", "70%", "10年", "财税〔2018〕37号",
                 "估算", "专利业务办理系统"):
        assert part in text, part
    slots, _, messages = start_and_answer(
        calc, calc.ActionStartPatentFee, calc.ActionPatentFee, said("换成实用新型", "inform"),
        state)
    assert (slots["patent_type"], slots["patent_fee_item"], slots["patent_year"]) == \
        ("utility_model", "annual", 5)
    assert "实用新型专利年费（第5年）：900元" in messages[0]["text"]


def test_patent_form_asks_type_item_year(calc):
    form = calc.ValidatePatentFeeForm()
    slots, _ = run(calc.ActionStartPatentFee(), tracker(said("帮我算一下专利费",
                                                             "calc_patent_fee")))
    assert slots["calc_next"] == "form"
    state = dict(slots)
    for requested, text, expected_next in (("patent_type", "实用新型", "patent_fee_item"),
                                           ("patent_fee_item", "年费", "patent_year"),
                                           ("patent_year", "3", None)):
        step, _ = run(form, tracker(said(text, "inform"), state, requested, "patent_fee_form"))
        assert step["requested_slot"] == expected_next, text
        state.update(step)
    _, messages = run(calc.ActionPatentFee(), tracker(said("3", "inform"), state))
    assert "600元" in messages[0]["text"] and "90元" in messages[0]["text"]


def test_the_rate_said_shows_the_line_it_applies_to(calc):
    slots, _, messages = start_and_answer(
        calc, calc.ActionStartPatentFee, calc.ActionPatentFee,
        said("实用新型第七年年费减缴70%以后交多少", "calc_patent_fee"))
    assert slots["patent_extras"] == {"rate": 70}
    text = messages[0]["text"]
    assert "共同申请减缴70%后交360元" in text and "单独申请" not in text  # 1200 × 30 %


# --- one calculator taken for another -------------------------------------------------------
@pytest.mark.parametrize("text, start, expected", [
    # NLU took a trademark question for the patent calculator: the trademark one answers
    ("sb变更官费多少", "ActionStartPatentFee", ("商标变更（每个类别）", "150元", "0元")),
    ("SB续展3个类别多少钱", "ActionStartFeeEligibility", ("3个类别", "3×500＝1500元")),
    ("zl发明专利第2年年费", "ActionStartTrademarkFee", ("发明专利年费（第2年）：900元",)),
    # the eligibility is settled ("公司符合费减条件"), the fee of a year is asked
    ("公司符合费减条件，发明专利第14年的年费要交多少", "ActionStartFeeEligibility",
     ("发明专利年费（第14年）",)),
])
def test_a_whole_calculation_for_another_calculator_is_handed_over(calc, text, start, expected):
    action = getattr(calc, start)()
    result = {"ActionStartPatentFee": calc.ActionPatentFee,
              "ActionStartFeeEligibility": calc.ActionFeeEligibility,
              "ActionStartTrademarkFee": calc.ActionTrademarkFee}[start]
    slots, state, messages = start_and_answer(calc, type(action), result, said(text, "x"))
    assert slots["calc_next"] == "result" and slots["calc_note"].startswith("via:")
    for part in expected:
        assert part in messages[0]["text"], part
    # the note is spent: a later turn is this calculator's own again
    set_by_result, _ = run(result(), tracker(said(text, "x"), state))
    assert set_by_result == {"calc_note": None}


@pytest.mark.parametrize("text, start", [
    ("sb注册", "ActionStartPatentFee"),  # incomplete: no classes, so no hand-over
    ("帮我算一下专利费", "ActionStartPatentFee"),  # names nothing else
    ("商标和专利费用", "ActionStartPatentFee"),  # names both: NLU's pick stands
])
def test_no_hand_over_without_a_whole_calculation_named_for_another(calc, text, start):
    slots, _ = run(getattr(calc, start)(), tracker(said(text, "calc_patent_fee")))
    assert slots["calc_next"] == "form" and slots["calc_note"] is None


@pytest.mark.parametrize("text, answer_id", [
    # asks whether or how long: no sum answers it
    ("专利拿到授权都第十二年了，年费还在减缴期限里吗", "fee_reduction.annual_fee"),
    ("專利年費減繳一共可以減多少年", "fee_reduction.annual_fee"),
    ("年费减缴期限延长到10年是哪个文件定的，从哪天开始", "fee_reduction.legal_basis"),
    ("我爸去世了，他名下的专利过户到了我名下，年费还能按原来的85%减吗",
     "fee_reduction.owner_change"),  # a percentage is the rule asked about, not a sum
    # no kind of patent, no figure, no amount asked: a rule, not a calculation
    ("拿假证明少交专利费，查出来咋办", "fee_reduction.false_materials"),
    ("发明专利第3年年费是135吗", None),  # states an amount: the calculator checks it
    ("外观设计第6年年费减完多少", None),  # asks an amount
    ("帮我算一下专利费", None),
])
def test_a_yes_no_or_how_long_question_read_as_the_calculator_is_answered(calc, text,
                                                                          answer_id):
    slots, messages = run(calc.ActionStartPatentFee(), tracker(said(text, "calc_patent_fee")))
    if answer_id:
        assert not slots and messages[0]["custom"]["answer_id"] == answer_id
        assert "来源：" in messages[0]["text"]
        assert {"title": "帮我算官费", "payload": "/calc_patent_fee"} in messages[0]["buttons"]
    else:
        assert slots["calc_next"] in ("form", "result") and not messages


def test_a_persons_pay_without_a_kind_is_read_as_an_individuals(calc):
    _, _, messages = start_and_answer(calc, calc.ActionStartFeeEligibility,
                                      calc.ActionFeeEligibility,
                                      said("去年年收入八万，申请专利能减费吗", "check_fee_eligibility"))
    assert "个人" in messages[0]["text"] and "不符合" in messages[0]["text"]
    slots, _ = run(calc.ActionStartFeeEligibility(),
                   tracker(said("收入80万能费减吗", "check_fee_eligibility")))
    assert slots["fee_applicant"] is None  # 收入 alone: a firm's too, the form asks
    slots, _ = run(calc.ActionStartFeeEligibility(),
                   tracker(said("我在大学上班，月收入4000，自己申请专利能费减吗", "check_fee_eligibility")))
    assert slots["fee_applicant"] == "individual"  # the employer is not the applicant


def test_dialect_and_student_words_are_read(calc):
    """冇得收入 is 没有收入 (the tokenizer reads it so for NLU), 读书 a person still at school."""
    _, _, messages = start_and_answer(calc, calc.ActionStartFeeEligibility,
                                      calc.ActionFeeEligibility,
                                      said("妹子还在念书，冇得收入，想申请专利，能减费啵", "check_fee_eligibility"))
    assert "符合专利费减条件" in messages[0]["text"] and "民政" in messages[0]["text"]


@pytest.mark.parametrize("text, answered", [
    ("外观设计专利授权好几年了，年费现在还能享受减缴吗", True),  # no applicant, no figure
    ("我符合专利费减的条件吗", False),  # the check itself: its form asks
    ("公司应纳税所得额80万能费减吗", False),
])
def test_the_eligibility_check_gives_way_to_a_question_with_no_applicant_or_figure(calc, text,
                                                                                   answered):
    slots, messages = run(calc.ActionStartFeeEligibility(),
                          tracker(said(text, "check_fee_eligibility")))
    if answered:
        assert not slots and "来源：" in messages[0]["text"]
    else:
        assert slots["calc_next"] in ("form", "result") and not messages


@pytest.mark.parametrize("text", ["我是一个宝妈，孩子明年上小学，户口在宁都，能在城里读书吗",
                                  "我是退休老师，坐公交免费要办什么卡",
                                  "我是退休老师，今年66岁了，坐公交免费要办什么卡"])  # an age is no figure
def test_a_message_with_nothing_of_our_field_and_no_figure_starts_no_calculator(calc, text):
    """读书 and 退休 are a person's words for the eligibility check, but the message names
    nothing of ours: it is asked as any question (declined), and no form starts."""
    slots, messages = run(calc.ActionStartFeeEligibility(),
                          tracker(said(text, "check_fee_eligibility")))
    assert not slots and "来源：" not in messages[0]["text"]
    assert not any(b.get("payload", "").startswith("/check_fee") for b in messages[0]["buttons"])


def test_a_trademark_question_with_nothing_to_count_is_answered_not_calculated(calc):
    slots, messages = run(calc.ActionStartTrademarkFee(), tracker(said(
        "不在网上申请的话，商标可以去哪些地方递交", "calc_trademark_fee")))
    assert not slots and "来源：" in messages[0]["text"]
    assert {"title": "帮我算官费", "payload": "/calc_trademark_fee"} in messages[0]["buttons"]
    slots, _ = run(calc.ActionStartTrademarkFee(), tracker(said("商标注册费多少钱",
                                                                  "calc_trademark_fee")))
    assert slots["calc_next"] == "form"  # asks a sum: the form asks for the classes


def test_a_message_naming_another_offices_matter_and_no_figure_starts_no_calculator(calc):
    """年费 is ours, but a credit card's annual fee is the bank's: declined, no form."""
    slots, messages = run(calc.ActionStartPatentFee(), tracker(said("信用卡年费怎么免掉",
                                                                    "calc_patent_fee")))
    assert not slots and "来源：" not in messages[0]["text"]


def test_a_story_whose_last_question_names_no_sum_is_answered_not_calculated(calc):
    """A firm and a figure in the story, but the question asked last is about patent navigation."""
    text = ("我们是一家做钨制品的企业，这几年申请了四十多件专利，老板想知道同行都在研究什么。"
            "请问赣州以前做过哪些产业的专利导航，企业自己能不能做？")
    slots, messages = run(calc.ActionStartFeeEligibility(),
                          tracker(said(text, "check_fee_eligibility")))
    assert not slots and "来源：" in messages[0]["text"] and "导航" in messages[0]["text"]
    story = "我们是一家做钨制品的企业，去年应纳税所得额八十来万，这几年申请了四十多件专利。请问能不能费减？"
    slots, _ = run(calc.ActionStartFeeEligibility(), tracker(said(story, "check_fee_eligibility")))
    assert slots["calc_next"] in ("form", "result")


@pytest.mark.parametrize("text", ["我是退休老师，能减吗", "我工资一万二一个月，还能减吗"])
def test_a_start_naming_a_reduction_or_a_figure_is_the_calculators(calc, text):
    slots, _ = run(calc.ActionStartFeeEligibility(), tracker(said(text, "check_fee_eligibility")))
    assert slots and slots["calc_next"] in ("form", "result")


# --- a topic question, or one NLU was unsure of, that states a whole calculation -------------
@pytest.mark.parametrize("text, intent, expected", [
    # nlu_fallback: action_answer gets the best real intent, here a form answer or a calculator
    ("注册7个类别纸质每类10个商品", "inform", "7×300＝2100元"),
    ("外观设计第9年年费减缴85%以后多少", "calc_patent_fee", "单独申请减缴85%后交300元"),
    ("商标注册4个类别网上", "calc_trademark_fee", "4×270＝1080元"),
    ("个人去年收入5万3，能不能费减", "check_fee_eligibility", "符合专利费减条件"),
    ("collective mark 2 classes online", "ask_trademark", "2×1350＝2700元"),
])
def test_a_whole_calculation_is_worked_out_whatever_intent_nlu_was_unsure_of(calc, text, intent,
                                                                             expected):
    found = calc.worked_out(text, intent)
    assert found is not None
    reply = calc.KNOWLEDGE.calculator_reply(found[0].compute(found[1]))
    assert expected in reply.text and "来源：" in reply.text


@pytest.mark.parametrize("text, intent", [
    ("3个类别", "calc_patent_fee"),  # the patent calculator reads nothing whole here
    ("第3年", "inform"), ("个人", "inform"), ("发明专利第5年年费减不减", "calc_patent_fee"),
    ("商标续展费多少", "ask_trademark"),  # one listed fee without counts: the knowledge base
    ("商标注册每个类别多少钱", "ask_trademark"),  # the listed fee of a class, too
    ("注册1个类别，商品超过10个的部分怎么收费", "ask_trademark"),  # one more good's price
])
def test_a_partial_calculation_is_left_to_the_knowledge_base(calc, text, intent):
    assert calc.worked_out(text, intent) is None


# --- trademark fees -------------------------------------------------------------------------
def test_trademark_fee_in_one_turn_then_more_classes(calc):
    _, state, messages = start_and_answer(
        calc, calc.ActionStartTrademarkFee, calc.ActionTrademarkFee,
        said("注册3个类别每类12个商品网上申请多少钱", "calc_trademark_fee"))
    text = messages[0]["text"]
    for part in ("972元", "3×270", "6×27", "商标网上服务系统", "估算", "2019-07-01"):
        assert part in text, part
    assert "纸质申请" not in text  # online was said
    slots, _, messages = start_and_answer(
        calc, calc.ActionStartTrademarkFee, calc.ActionTrademarkFee,
        said("不对，是5个类别", "inform"), state)
    assert slots["tm_classes"] == 5 and "1620元" in messages[0]["text"]  # 5×270 + 10×27


def test_trademark_form_asks_classes_then_prices_what_a_class_includes(calc):
    form = calc.ValidateTrademarkFeeForm()
    slots, _ = run(calc.ActionStartTrademarkFee(), tracker(said("帮我算一下商标注册费",
                                                                "calc_trademark_fee")))
    assert slots["tm_service"] == "registration" and slots["calc_next"] == "form"
    state = dict(slots)
    step, _ = run(form, tracker(said("2个类别", "inform"), state, "tm_classes",
                                "trademark_fee_form"))
    assert step == {"tm_classes": 2, "requested_slot": None}
    state.update(step)
    _, messages = run(calc.ActionTrademarkFee(), tracker(said("2个类别", "inform"), state))
    text = messages[0]["text"]  # both channels: not said; goods: not said
    assert "按每类不超过10个" in text and "网上申请2×270＝540元" in text
    assert "纸质申请2×300＝600元" in text and "每多1个加收网上27元、纸质30元" in text
    slots, _, messages = start_and_answer(
        calc, calc.ActionStartTrademarkFee, calc.ActionTrademarkFee,
        said("每类15个商品", "inform"), state)
    assert "网上申请2×270＋10×27＝810元" in messages[0]["text"]


def test_the_income_question_states_the_standard_first(calc):
    _, messages = run(calc.ActionAskFeeIncome(), tracker(said("公司", "inform"),
                                                         {"fee_applicant": "enterprise"}))
    assert messages[0]["text"].startswith("标准：企业上年度应纳税所得额低于100万元")
    assert "\n来源：财税〔2019〕45号" in messages[0]["text"]
    _, messages = run(calc.ActionAskFeeIncome(), tracker(said("个人", "inform"),
                                                         {"fee_applicant": "individual"}))
    assert "月均收入低于5000元" in messages[0]["text"] and "财税〔2019〕45号" in messages[0]["text"]
    # the rates come with the standard: "能减几成" is answered while the form asks on
    assert "单独申请减缴85%，共同申请减缴70%" in messages[0]["text"]
    assert "财税〔2016〕78号（2016-09-01起施行）" in messages[0]["text"]
    _, messages = run(calc.ActionAskFeeIncome(), tracker(
        said("一家公司和一个个人一起申请，能减几成", "check_fee_eligibility"),
        {"fee_applicant": "enterprise", "fee_joint": True}))
    assert "共同申请的，符合条件减缴70%" in messages[0]["text"] and "85%" not in messages[0]["text"]


def test_renewal_without_classes_is_priced_per_class(calc):
    _, _, messages = start_and_answer(
        calc, calc.ActionStartTrademarkFee, calc.ActionTrademarkFee,
        said("商标续展费用帮我算一下", "calc_trademark_fee"))
    assert "每个类别" in messages[0]["text"] and "450元" in messages[0]["text"]


@pytest.mark.parametrize("text, intent", [
    ("", "check_fee_eligibility"), ("😀😀😀", "calc_patent_fee"),
    ("<script>alert(1)</script>商标", "calc_trademark_fee"),
    ("'; DROP TABLE kb_fee; --", "calc_patent_fee"), ("專利費減 月收入四千", "check_fee_eligibility"),
    ("x" * 5000, "calc_trademark_fee")])
def test_odd_messages_start_a_form_or_answer_never_crash(calc, text, intent):
    start = {"check_fee_eligibility": calc.ActionStartFeeEligibility,
             "calc_patent_fee": calc.ActionStartPatentFee,
             "calc_trademark_fee": calc.ActionStartTrademarkFee}[intent]()
    slots, messages = run(start, tracker(said(text, intent)))
    if "calc_next" in slots:
        assert slots["calc_next"] in ("result", "form")
        json.dumps(slots)  # slots must travel to Rasa as JSON
    else:  # nothing of our field and no figure ("😀😀😀"): asked as any question
        assert messages and messages[0]["text"] and text.strip()


def test_the_applicant_question_states_the_standards_of_every_kind_first(calc):
    _, messages = run(calc.ActionAskFeeApplicant(), tracker(said("能费减吗", "check_fee_eligibility"),
                                                            {}))
    text = messages[0]["text"]
    for part in ("月均收入低于5000元", "应纳税所得额低于100万元", "事业单位", "不看收入", "来源：",
                 "财税〔2016〕78号", "申请人是哪一类", "单独申请减缴85%，共同申请减缴70%"):
        assert part in text, part
    assert [b["title"] for b in messages[0]["buttons"]][:2] == ["个人", "企业"]
    assert text.count("财税〔2016〕78号") == 1  # each document once


def test_the_patent_type_question_states_the_reduction_rates_first(calc):
    _, messages = run(calc.ActionAskPatentType(),
                      tracker(said("个人申请专利官费能少交多少", "calc_patent_fee"), {}))
    text = messages[0]["text"]
    for part in ("单独申请减缴85%", "共同申请减缴70%", "来源：", "财税〔2016〕78号", "是哪一种专利"):
        assert part in text, part
    assert [b["payload"] for b in messages[0]["buttons"]] == ["发明专利", "实用新型", "外观设计"]
    _, messages = run(calc.ActionAskPatentType(),
                      tracker(said("两人共同申请的官费", "calc_patent_fee"), {"fee_joint": True}))
    assert "70%" in messages[0]["text"] and "85%" not in messages[0]["text"]
