"""What a question asks that its answer does not say.

"申请使用地理标志专用标志要交费吗" is answered by the record on how to apply, which says nothing of
a fee; "专用标志核准以后有没有使用期限" by the same record, which says nothing of a period. Left
alone, the citizen reads silence as "free" or "for ever". So a question that asks about one of a
few aspects (money, time, doing it online, a reward or subsidy, how far something has got) and
gets an answer whose text holds no word of that aspect is told so in one line, with the channel
that can answer (12345) — never a guess.

Each aspect is a pair of patterns: what asking about it looks like, and what saying anything
about it looks like. The "said" side is generous on purpose: a note on something the answer does
say would be wrong, a missing note only leaves the answer as it was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Aspect:
    name: str  # as the note names it
    asked: re.Pattern
    said: re.Pattern


_UNIT = r"个?(?:工作日|日|天|周|星期|月|年|小时)"
ASPECTS = (
    Aspect("费用",
           re.compile(r"交费|缴费|收费|收钱|要钱|花钱|费用|多少钱|几多钱|官费|免费|贵不贵|贵吗"),
           re.compile(r"\d\s*元|免费|免收|免缴|不收费|收费|费用|官费|减缴|缴纳|\d\s*%")),
    Aspect("时间和期限",
           re.compile(r"多久|多长时间|多少天|几天|几个月|几个工作日|多少个工作日|期限|有效期|时限|"
                      r"多快|哪个更快|要等多|几时批|几时能"),
           # a duration, not a date: "45日内", "2个月", not "2024年2月1日起施行"
           re.compile(rf"(?<![\d月])\d{{1,3}}\s*{_UNIT}(?!\d)|[一二两三四五六七八九十半]+{_UNIT}|期限|时限|有效期|长期|"
                      r"当年|每年|自然年|当场|即时|立即|不限")),
    # doing it online, not "我在网上看到说……" (where one read something)
    Aspect("能否在网上办理",
           re.compile(r"(?:网上|在线|线上|手机上|网站上?)(?:能|可以|可不可以|能不能)?(?:直接)?"
                      r"(?:办|申请|提交|交|缴|填|弄|登记|备案|报|注册|操作|递交|签)|"
                      r"(?:能|可以|可不可以|能不能)(?:直接)?在?(?:网上|线上|手机上)|电子申请|小程序|"
                      r"[Aa][Pp][Pp]"),
           re.compile(r"网上|在线|线上|系统|电子|网站|平台|互联网|[Aa][Pp][Pp]")),
    Aspect("奖励和补贴",
           re.compile(r"奖励|奖金|有奖|补贴|补助|资助|奖补|有钱补|给钱|扶持资金"),
           re.compile(r"奖|补贴|补助|资助|扶持|贴息|资金")),
    # who runs it and how to join: "想参与示范区建设，找谁报名" answered by the plan's measure alone
    Aspect("找哪个部门、怎么报名",
           re.compile(r"找谁|找哪个|找哪家|找哪里报|哪个部门负责|哪个单位负责|谁负责|怎么报名|如何报名|"
                      r"去哪报名|在哪报名|报名|联系谁|跟谁联系|和谁联系|对接谁|向谁申请|向哪个部门申请"),
           re.compile(r"部门|局|中心|窗口|机构|单位|12345|12315|系统|平台|政府|委员会|办公室|联系|"
                      r"向.{0,12}(?:申请|提出|提交|报送)")),
    Aspect("现在的进展",
           re.compile(r"(?:建|搞|落)(?:成|好|完|起来|地)了|实现了[吗没冇]|完成了[吗没冇]|"
                      r"建了没|建了冇|有没有建起|搞了没|搞了冇"),
           re.compile(r"已经?(?:建成|完成|启动|设立|获批|开通|实现)|以官方|官方统计|现有资料")),
)


def unsaid(question: str, said: str) -> list[str]:
    """The names of the aspects `question` asks about that `said` (the answer's text without
    its source lines) holds no word of."""
    return [a.name for a in ASPECTS if a.asked.search(question) and not a.said.search(said)]


def note(names: list[str]) -> str:
    """One line saying the answer is silent on `names`, and where to ask; "" for none."""
    if not names:
        return ""
    return (f"{'、'.join(names)}方面，这条资料没有说明；以办理机关或官方公布的为准，"
            "可拨打12345政务服务热线咨询。")
