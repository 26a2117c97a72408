"""Numbers as citizens type them (knowledge/numbers.py)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge.numbers import numbers


@pytest.mark.parametrize("text, value, unit", [
    ("80万", 800_000, None),
    ("八十万", 800_000, None),
    ("800000", 800_000, None),
    ("80,0000", 800_000, None),  # grouped by ten-thousands, the Chinese way
    ("800,000元", 800_000, "元"),
    ("1,000,000元", 1_000_000, "元"),
    ("5千", 5000, None),
    ("5k", 5000, None),
    ("80w", 800_000, None),
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
    ("85%", 85, "%"),
    ("百分之八十五", 85, "%"),
    ("0元", 0, "元"),
    ("一亿二千万", 120_000_000, None),
    ("三万一", 31_000, None),
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


@pytest.mark.parametrize("text", ["我和别人一起申请", "十四五规划", "千万别忘了", "万一不行呢",
                                  "万元", "统一社会信用代码", "专利费减"])
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
