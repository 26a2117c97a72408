"""Every calculator reply says the number, the rule with its source (and its in-force date where
a source gives one), that it is an estimate, and which official system decides; in about 300
characters; its buttons lead to answers in force."""
from __future__ import annotations

import re

import pytest

import knowledge
from bot import settings
from knowledge.fees.facts import (
    read_amount, read_joint, read_kind, read_parties, read_patent, read_trademark,
)

MAX_REPLY = 320  # "about 300 characters"


@pytest.fixture(scope="module")
def kb(kb_url):
    return knowledge.open(kb_url, settings.KNOWLEDGE_DATA_DIR, settings.today)


def eligibility(kb, text):
    said = read_kind(text, kb.fee_schedule().kinds)
    return kb.check_fee_eligibility(said.kind if said else None, read_amount(text),
                                    read_joint(text), said.word if said else "")


ELIGIBILITY = ["自由职业，年收入5万2", "我们公司去年亏损了", "公司去年应纳税所得额80万，能费减吗", "公司应纳税所得额正好100万", "我月收入4000",
               "我和同事一起申请，月收入都是3000", "个人月收入5000以下", "公司利润80万",
               "公立医院", "个体户", "合伙企业", "我没有收入", "个人年收入六万多"]
PATENT = ["发明专利第5年年费多少", "发明专利第4年年费减缴85%后", "发明申请费减50%后", "发明专利申请一共多少钱", "实用新型申请费", "外观设计复审费",
          "优先权要求费", "PCT进入国家阶段实审费", "PCT国际申请，国家知识产权局作了检索和国际初步审查报告，实审费",
          "实用新型第3年年费开放许可", "发明专利第25年年费", "外观设计实审费", "海牙外观设计指定费能费减吗",
          "发明专利第20年年费，共同申请", "发明专利维持到第10年一共要交多少年费"]
TRADEMARK = ["注册3个类别每类12个商品网上申请", "续展2个类别", "宽展期续展", "商标变更",
             "第9类和第35类，分别12个和8个商品", "集体商标注册2个类别", "商标异议", "驳回复审纸质",
             "补发注册证", "许可备案网上", "撤三", "商标注册证明", "collective mark online"]


JOINT = ["公司应纳税所得额1.2万，和一个月入5千的个人一起申请", "三家公司一起申请，应纳税所得额分别是30万、八十万、120w",
         "两个人一起申请，月收入分别是三千五和4500", "公司应纳税所得额60万，跟一所大学一起申请"]


def replies(kb):
    for text in ELIGIBILITY:
        yield text, eligibility(kb, text)
    for text in JOINT:
        yield text, kb.check_joint_eligibility(read_parties(text, kb.fee_schedule().kinds))
    for text in PATENT:
        yield text, kb.patent_fees(read_patent(text))
    for text in TRADEMARK:
        yield text, kb.trademark_fees(read_trademark(text))


def test_every_reply_is_short_sourced_and_points_to_the_official_system(kb):
    for text, result in replies(kb):
        assert result.missing is None, text
        reply = kb.calculator_reply(result)
        assert len(reply.text) <= MAX_REPLY, (text, len(reply.text))
        assert re.search(r"(依据|来源)：", reply.text), text
        assert "专利业务办理系统" in reply.text or "商标网上服务系统" in reply.text, text
        assert "可信度" in reply.text, text


def computed(result) -> bool:
    """A result with a number worked out (not a rule the sources leave open, not a bad year)."""
    verdict = getattr(result, "verdict", None)
    if verdict is not None:
        return verdict in ("eligible", "not_eligible", "depends", "by_kind")
    return result.problem is None and any(
        line.fee.amount is not None for _, lines, _ in getattr(result, "channels", ())
        for line in lines) or any(line.fee.amount is not None
                                  for line in getattr(result, "lines", ()))


def test_computed_results_say_they_are_estimates_with_dated_rules(kb):
    checked = 0
    for text, result in replies(kb):
        if not computed(result):
            continue
        checked += 1
        reply = kb.calculator_reply(result)
        assert "估算" in reply.text, text
        assert re.search(r"\d{4}-\d{2}-\d{2}起施行|施行日期资料未载明", reply.text), text
    assert checked >= 25


def test_buttons_lead_to_answers_in_force_or_to_a_calculator(kb):
    for text, result in replies(kb):
        reply = kb.calculator_reply(result)
        assert reply.buttons, text
        for button in reply.buttons:
            payload = button["payload"]
            assert payload.startswith(("/calc_", "/check_fee_eligibility", "/ask_")), payload
            if "answer_id" in payload:
                answer_id = payload.split('"answer_id":"')[1].rstrip('"}')
                assert kb.reply_for(answer_id) is not None, answer_id


def test_confidence_is_the_weakest_used(kb):
    # the price of an extra good is M in domain-facts §3, the registration fee H: a reply that
    # states the extra price, charged or only told, is as sure as that price
    alone = kb.calculator_reply(kb.trademark_fees(read_trademark("注册1个类别10个商品网上"))).text
    extra = kb.calculator_reply(kb.trademark_fees(read_trademark("注册1个类别12个商品网上"))).text
    assert "超出的每多1个加收网上27元" in alone and "可信度中" in alone
    assert "2×27" in extra and "可信度中" in extra


def test_the_sources_silence_is_said_not_filled_in(kb):
    text = kb.calculator_reply(eligibility(kb, "个体户")).text
    assert "现有资料没有明确说明" in text and "符合专利费减条件" not in text
    # what is known is said: the rates, for whoever qualifies, with their source
    assert "单独申请减缴85%" in text and "共同申请减缴70%" in text and "财税〔2016〕78号" in text
    pct = kb.calculator_reply(kb.patent_fees(read_patent("PCT进入国家阶段实审费"))).text
    assert "能否叠加，现有资料没有说明" in pct
    unknown = kb.calculator_reply(kb.patent_fees(read_patent("优先权要求费"))).text
    assert "没有金额" in unknown and "全额" in unknown


def test_short_citation_is_the_document_number_where_the_source_has_one(kb):
    from knowledge.fees.replies import cite
    from knowledge.fees.schedule import Citation
    titled = Citation("《专利收费减缴办法》（财税〔2016〕78号）", None, "H", "财税〔2016〕78号")
    assert cite(titled, short=True, dated=False) == "财税〔2016〕78号"
    assert cite(titled, dated=False) == titled.source
    unnumbered = Citation("国家知识产权局网站收费标准页面", None, "M")
    assert cite(unnumbered, short=True, dated=False) == unnumbered.source
    # the schedule carries every source's number from the knowledge base
    numbered = [f.citation for f in kb.fee_schedule().fees if f.citation.number]
    assert numbered and all(f.number in f.source for f in numbered)


def test_a_vague_amount_is_repeated_as_a_range_never_as_a_figure(kb):
    """"几十万" is 20万 to below 100万 (below the 100万 bar either way): the reply must not say
    10万, the 十万 left when 几 was skipped. "几千" a month straddles 5000: it cannot tell."""
    text = kb.calculator_reply(eligibility(kb, "公司去年应纳税所得额几十万，能费减吗")).text
    assert "20万元到100万元之间" in text and "符合专利费减条件" in text and "额10万元" not in text
    text = kb.calculator_reply(eligibility(kb, "个人月收入几千块能费减吗")).text
    assert "判断不了" in text and "月均月均" not in text and "月均收入低于5000元" in text


def test_a_fee_without_an_amount_among_others_is_named_not_summed(kb):
    """申请附加费 is named by the sources without an amount: "申请费和申请附加费" gives the one
    amount known and says the other is not (it crashed the calculator, and the citizen got no
    reply); for a PCT application entering the national phase both are waived."""
    text = kb.calculator_reply(kb.patent_fees(read_patent("发明申请费加附加费多少钱"))).text
    assert "申请费900元" in text and "申请附加费现有资料没有金额" in text and "＝" not in text
    assert "减缴85%后交135元" in text
    text = kb.calculator_reply(kb.patent_fees(read_patent(
        "PCT进入国家阶段，发明申请费和申请附加费多少钱"))).text
    assert "免缴申请费和申请附加费。" in text and "。。" not in text
