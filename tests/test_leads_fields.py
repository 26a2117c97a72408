"""What citizens type into the lead form: accepted, normalised, or refused with a reason."""
from __future__ import annotations

import pytest

from bot.leads import fields

WHAT = fields.TEXT_FIELDS["what"]


@pytest.mark.parametrize("typed, stored", [
    ("13912345678", "13912345678"),
    ("我的电话是 139 1234 5678 ", "13912345678"),
    ("+86 139-1234-5678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),  # full-width digits from a phone keyboard
    ("0797-8123456", "0797-8123456"),
    ("07978123456", "0797-8123456"),
    ("座机 010-12345678", "010-12345678"),
    ("02012345678", "020-12345678"),
])
def test_valid_phone_numbers_are_normalised(typed, stored):
    assert fields.phone(typed) == stored


@pytest.mark.parametrize("typed", [
    "", "12345", "12912345678", "139123456789", "1391234567", "0797-81234", "123-45678901",
    "我不想留", "/affirm",
])
def test_invalid_phone_numbers_are_asked_again_with_examples(typed):
    with pytest.raises(fields.Invalid, match="13912345678.*0797-8123456"):
        fields.phone(typed)


def test_free_text_loses_markup_and_control_characters_but_keeps_the_words():
    typed = "  <b>有人</b>在网店<script>x</script>卖\u200b假冒\x07商标的茶油  \n\n\n 上个月发现 "
    assert fields.free_text(typed, WHAT) == "有人在网店x卖假冒商标的茶油\n上个月发现"


@pytest.mark.parametrize("typed, reason", [
    ("", "没有填上"), ("   <br>  ", "没有填上"), ("被仿了", "太简短"),
    ("假" * 501, "500字以内"), ('/affirm{"lead_step": "consent"}', "文字"),
])
def test_free_text_refusals_say_what_is_wrong(typed, reason):
    with pytest.raises(fields.Invalid, match=reason):
        fields.free_text(typed, WHAT)


def test_names_must_not_be_phone_numbers():
    assert fields.name("王女士") == "王女士"
    with pytest.raises(fields.Invalid, match="电话下一步"):
        fields.name("王 13912345678")


@pytest.mark.parametrize("typed", ["不知道", "不清楚。", "没有", "无"])
def test_unknown_counterpart_is_an_answer(typed):
    assert fields.who(typed) == ""


@pytest.mark.parametrize("text, kind", [
    ("专利侵权", "patent"), ("外观设计被抄", "patent"), ("有人卖冒牌货", "trademark"),
    ("赣南脐橙地理标志商标被冒用", "gi"), ("黑代理骗钱", "agency"), ("专利代理机构违规", "agency"),
    ("说不好，其他吧", "other"), ("你好", None),
])
def test_kind_from_words(text, kind):
    assert fields.kind_of(text) == kind


@pytest.mark.parametrize("text, field", [
    ("电话写错了", "phone"), ("联系人", "name"), ("类型", "kind"), ("地点", "place"),
    ("对象", "who"), ("证据", "evidence"), ("经过", "what"), ("都不对", None),
])
def test_field_named_for_a_change(text, field):
    assert fields.field_named(text) == field


@pytest.mark.parametrize("text, ticket, four", [
    ("GZ-20261126-7KQ2M 5678", "GZ-20261126-7KQ2M", "5678"),
    ("gz 20261126 7kq2m，后四位是5678", "GZ-20261126-7KQ2M", "5678"),
    ("编号GZ20261126OILUX", "GZ-20261126-011VX", None),  # letters tickets never use
    ("我的电话尾号1234", None, "1234"),
    ("GZ-20261126-7KQ2MX", None, None),  # six characters: not a ticket
])
def test_ticket_and_last_four_digits_in_a_message(text, ticket, four):
    assert fields.ticket_in(text) == ticket
    assert fields.last_four_in(text) == four


def test_phone_masks_for_staff_lists_are_the_masks_of_logs():
    from knowledge.text import mask_personal, mask_phone
    for number, masked in [("13912345678", "139****5678"), ("0797-8123456", "0797-****3456"),
                           ("010-12345678", "010-****5678")]:
        assert mask_phone(number) == masked
        assert mask_personal(f"电话{number}。") == f"电话{masked}。"


@pytest.mark.parametrize("text, question", [
    ("专利费减的条件是什么", True), ("商标注册要多少钱？", True), ("能不能加急", True),
    ("有人在南康家具市场卖仿冒我们商标的沙发", False), ("王女士", False),
])
def test_questions_are_told_from_answers(text, question):
    assert fields.is_question(text) is question


@pytest.mark.parametrize("text, change", [
    ("有问题", True), ("信息有误", True), ("电话错了", True), ("我要改一下", True),
    ("没问题", False), ("没错", False), ("没有问题，提交", False), ("好的", False),
])
def test_wanting_a_change_is_told_from_confirming(text, change):
    assert fields.wants_change(text) is change


@pytest.mark.parametrize("text, no", [("没有", True), ("不想", True), ("别登记", True),
                                      ("同意", False), ("没问题", False), ("好的", False)])
def test_negations_are_never_consent(text, no):
    assert fields.negated(text) is no


@pytest.mark.parametrize("text, off", [("退出登记", True), ("算了吧", True), ("不举报了", True),
                                       ("取消", True), ("不清楚", False),
                                       ("他们取消了我们的授权却还在用我们的商标", False)])
def test_cancelling_in_words(text, off):
    assert fields.cancels(text) is off
