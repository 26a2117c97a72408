"""Numbers as citizens type them (knowledge/numbers.py)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge.numbers import numbers


@pytest.mark.parametrize("text, value, unit", [
    ("80万", 800_000, None),
    ("报俩类别", 2, "类"),  # 俩/仨 hold their measure word
    ("仨人合伙申请", 3, "人"),
    ("我们俩一起申请", 2, None),  # not 21: 俩 stands alone
    ("八十万", 800_000, None),
    ("800000", 800_000, None),
    ("80,0000", 800_000, None),  # grouped by ten-thousands, the Chinese way
    ("800,000元", 800_000, "元"),
    ("1,000,000元", 1_000_000, "元"),
    ("5千", 5000, None),
    ("5k", 5000, None),
    ("80w", 800_000, None),
    ("1.5 million", 1_500_000, None),  # English beside the Chinese
    ("800 thousand", 800_000, None),
    ("1.2万", 12_000, None),
    ("1.25万", 12_500, None),
    ("一百万", 1_000_000, None),
    ("1百万", 1_000_000, None),
    ("一万二", 12_000, None),  # colloquial: the digit after 万 counts thousands
    ("两千五", 2500, None),
    ("三百五", 350, None),
    ("1万2", 12_000, None),
    ("1万2000", 12_000, None),
    ("一百零五", 105, None),
    ("十", 10, None),
    ("十二件", 12, "件"),
    ("3个类别", 3, "类"),
    ("两个类", 2, "类"),
    ("12个商品", 12, "项"),
    ("１２个商品", 12, "项"),  # full-width digits
    ("８０万", 800_000, None),
    ("八十萬", 800_000, None),  # traditional characters
    ("4500块", 4500, "元"),
    ("¥5000", 5000, "元"),
    ("两个人", 2, "人"),
    ("一个个人", 1, "人"),  # one individual (个人), not 一个 then 个人
    ("85%", 85, "%"),
    ("百分之八十五", 85, "%"),
    ("0元", 0, "元"),
    ("一亿二千万", 120_000_000, None),
    ("三万一", 31_000, None),
    # a digit after 万/千 counts in the unit below, however it is written
    ("5万8", 58_000, None),
    ("五万八", 58_000, None),
    ("５万８", 58_000, None),
    ("5万8千", 58_000, None),
    ("3千5", 3500, None),
    ("两万五", 25_000, None),
    ("1万2千5", 12_500, None),
    ("伍万捌仟", 58_000, None),
    ("6w8", 68_000, None),  # chat shorthand: 6.8w
    ("1w2", 12_000, None),
    ("5k8", 5800, None),
    ("1k5", 1500, None),
    ("3 classes", 3, "类"),
    ("12 goods", 12, "项"),
])
def test_one_number(text, value, unit):
    found = numbers(text)
    assert len(found) == 1, found
    assert found[0].value == Decimal(value) and found[0].unit == unit
    assert found[0].exact


@pytest.mark.parametrize("text, low, high", [
    ("五万多", 50_000, 60_000),
    ("80多万", 800_000, 900_000),
    ("一百多万", 1_000_000, 2_000_000),
    ("5000多", 5000, 6000),
    ("十多", 10, 20),
    # 出头: a little over, like 多 (not "at least")
    ("三千出头", 3000, 4000),
    ("五万出头", 50_000, 60_000),
    ("3000出头", 3000, 4000),
    # two neighbouring digits: from the smaller reading to the larger plus the same step
    ("五六万", 50_000, 70_000),
    ("三四千", 3000, 5000),
    ("两三百", 200, 400),
    ("一万二三", 12_000, 14_000),
    ("七八十万", 700_000, 900_000),
    ("十五六万", 150_000, 170_000),
    ("六十来万", 600_000, 700_000),
    ("二十来块", 20, 30),
    # 几: two to nine of its unit (after 十: one to nine), never the unit alone
    ("几十万", 200_000, 1_000_000),
    ("十几万", 110_000, 200_000),
    ("几万块", 20_000, 100_000),
    ("几千", 2000, 10_000),
    ("三十几个", 31, 40),
])
def test_more_than_is_a_range(text, low, high):
    [n] = numbers(text)
    assert (n.value, n.upper) == (Decimal(low), Decimal(high))


@pytest.mark.parametrize("text, expected", [
    ("第5年", (5, "年", True)),
    ("第十二年年费", (12, "年", True)),
    ("第35类", (35, "类", True)),
])
def test_ordinals(text, expected):
    n = numbers(text)[0]
    assert (n.value, n.unit, n.ordinal) == (Decimal(expected[0]), expected[1], expected[2])


@pytest.mark.parametrize("text", ["我和别人一起申请", "一来方便二来省钱", "十四五规划", "千万别忘了", "万一不行呢",
                                  "万元", "统一社会信用代码", "专利费减", "第几年的年费", "报几个类别",
                                  "几多钱"])
def test_words_with_numeral_characters_are_no_numbers(text):
    assert numbers(text) == []


def test_several_numbers_in_order_with_their_units():
    found = numbers("注册3个类别，每类12个商品，网上申请")
    assert [(n.value, n.unit) for n in found] == [(3, "类"), (12, "项")]
    assert [n.text for n in numbers("第9类和第35类")] == ["第9类", "第35类"]
    assert [n.value for n in numbers("3,12个")] == [3, 12]  # not a grouping: two numbers


def test_scaled_marks_amounts_written_with_a_multiplier():
    assert numbers("80万")[0].scaled and numbers("5k")[0].scaled
    assert not numbers("800000")[0].scaled


@pytest.mark.parametrize("text", ["", None, "😀" * 50, "<b>80万</b>", "' OR 1=1 --", "x" * 20000])
def test_odd_input_does_not_break_it(text):
    numbers(text)


@pytest.mark.parametrize("text, expected", [
    ("5万一年", [(50_000, None), (1, "年")]),  # 5万 a year, not 51000
    ("两万一年", [(20_000, None), (1, "年")]),
    ("5万8一年", [(58_000, None), (1, "年")]),
    ("五千一个月", [(5000, None), (1, "月")]),
    ("工资3000一个月", [(3000, None), (1, "月")]),
    ("收入4000一月", [(4000, None), (1, "月")]),
    ("五千一", [(5100, None)]),  # without a period the 一 is a digit
    ("十一个月", [(11, "月")]),
    ("二十一年", [(21, "年")]),
    ("一百零一年", [(101, "年")]),
    ("二零二一年", [(2021, "年")]),  # digits read one by one
])
def test_a_one_before_a_period_is_the_period(text, expected):
    assert [(n.value, n.unit) for n in numbers(text)] == expected


def test_neighbouring_digits_with_a_unit_are_a_range_of_that_unit():
    [n] = numbers("五六个类别")
    assert (n.value, n.upper, n.unit, n.exact) == (5, 7, "类", False)


@pytest.mark.parametrize("text, expected", [
    ("5kg", [(5, "5")]),  # a unit of weight, not 5000
    ("80w", [(800_000, "80w")]),
    ("1.5w2", [(15_000, "1.5w"), (2, "2")]),  # only a whole number takes a digit after w
    ("5k8元", [(5800, "5k8元")]),
])
def test_a_suffix_and_the_digit_after_it(text, expected):
    assert [(n.value, n.text) for n in numbers(text)] == expected


@pytest.mark.parametrize("text, unit", [
    ("员工三百来人", "人"),  # about 300 people: a headcount, not a sum for a calculator
    ("两千余件", "件"),
    ("收入三千来块", "元"),
])
def test_about_so_many_keeps_its_unit(text, unit):
    assert [n.unit for n in numbers(text)] == [unit]
