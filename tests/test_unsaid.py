"""What a question asks that its answer does not say (knowledge/unsaid.py)."""
import pytest

from knowledge.unsaid import note, unsaid


@pytest.mark.parametrize("question, said, names", [
    ("申请要收费吗", "向当地知识产权管理部门提出申请。", ["费用"]),
    ("申请要收费吗", "申请费900元。", []),
    ("申请要收费吗", "预审免费。", []),
    ("核准以后有没有使用期限", "向当地知识产权管理部门提出申请。", ["时间和期限"]),
    ("押专利多久能批下来", "由出质人和质权人共同申请。", ["时间和期限"]),
    ("押专利多久能批下来", "一般3个工作日内办结。", []),
    ("多久能收到审查意见", "45日内发出第一次审查意见。", []),
    ("备案有效期多久", "备案当年有效。", []),
    ("备案有效期多久", "每年1月1日起可办理。", []),
    ("能不能直接在网上交", "向当地知识产权管理部门提交申请表。", ["能否在网上办理"]),
    ("能不能直接在网上交", "通过专利业务办理系统办理。", []),
    ("企业贯标有钱补吗", "规划提出推动企业实施该规范。", ["奖励和补贴"]),
    ("举报假货有奖励吗", "可以通过12315平台举报。", ["奖励和补贴"]),
    ("质押贷款有补贴吗", "赣州对质押贷款有贴息支持。", []),
    ("投融资平台现在建起来了吗", "规划提出推动建立专利投融资平台。", ["现在的进展"]),
    ("投融资平台现在建起来了吗", "是否实现以官方统计为准。", []),
    ("网上申请要多少钱，几天能办好", "向窗口提交。", ["费用", "时间和期限", "能否在网上办理"]),
    ("专利费减怎么申请", "通过专利业务办理系统提交。", []),
    ("什么时候提出费减请求", "与申请同时提出。", []),
])
def test_aspects_asked_but_not_said(question, said, names):
    assert unsaid(question, said) == names


def test_the_note_names_the_aspects_and_a_channel_that_exists():
    assert note([]) == ""
    line = note(["费用", "时间和期限"])
    assert line.startswith("费用、时间和期限方面，这条资料没有说明")
    assert "12345" in line and "\n" not in line


def test_a_date_is_not_a_period():
    assert unsaid("有没有使用期限", "依据为第80号令（2024年2月1日起施行）。") == ["时间和期限"]
    assert unsaid("有没有使用期限", "授权当年起10年内的年费。") == []
