"""The calculator dialogues end to end through the real servers (Rasa's REST channel, the action
server, the trained model): what the citizen types, what the bot answers."""
from __future__ import annotations

import uuid

import pytest
import requests


@pytest.fixture(scope="module")
def chat(stack):
    class Conversation:
        def __init__(self) -> None:
            self.sender = f"calc-{uuid.uuid4().hex[:8]}"

        def say(self, text: str) -> str:
            r = requests.post(f"{stack.rasa}/webhooks/rest/webhook",
                              json={"sender": self.sender, "message": text}, timeout=60)
            r.raise_for_status()
            self.last = r.json()
            return "\n".join(m.get("text", "") for m in self.last)

        @property
        def buttons(self) -> list[str]:
            return [b["title"] for m in self.last for b in m.get("buttons") or []]
    return Conversation


def test_eligibility_in_one_turn_then_corrected(chat):
    c = chat()
    text = c.say("公司去年应纳税所得额80万，能费减吗")
    assert "符合专利费减条件" in text and "85%" in text and "70%" in text
    assert "财税〔2019〕45号" in text and "估算" in text and "专利业务办理系统" in text
    text = c.say("不对，是120万")
    assert "120万元" in text and "不符合专利费减条件" in text


def test_eligibility_by_form_with_a_question_in_the_middle(chat):
    c = chat()
    assert "申请人是哪一类" in c.say("帮我看看我能不能申请专利费减")
    assert "个人" in c.buttons
    assert "收入" in c.say("个人")
    answer = c.say("费减要交什么证明材料")
    assert "来源：" in answer and "收入" in answer  # answered, then the form asks again
    text = c.say("月收入4000")
    assert "符合专利费减条件" in text and "4000元" in text


def test_eligibility_called_off(chat):
    c = chat()
    assert "应纳税所得额" in c.say("帮我查一下我们公司符不符合费减条件")
    assert "不算了" in c.say("算了")


def test_patent_fee_in_one_turn_then_corrected(chat):
    c = chat()
    text = c.say("发明专利第5年年费多少钱")
    assert "1200元" in text and "180元" in text and "360元" in text
    text = c.say("换成实用新型")
    assert "实用新型专利年费（第5年）：900元" in text


def test_patent_fee_by_form(chat):
    c = chat()
    assert "哪一种专利" in c.say("帮我算一下专利费")
    assert "哪一项费用" in c.say("实用新型")
    assert "第几年" in c.say("年费")
    text = c.say("第3年")
    assert "600元" in text and "90元" in text and "180元" in text


def test_trademark_fee_in_one_turn_then_corrected(chat):
    c = chat()
    text = c.say("注册3个类别每类12个商品网上申请多少钱")
    assert "972元" in text and "商标网上服务系统" in text
    assert "1620元" in c.say("不对，是5个类别")


def test_trademark_fee_by_form(chat):
    c = chat()
    assert "几个类别" in c.say("帮我算一下商标注册费")
    assert "商品或服务" in c.say("2个类别")
    text = c.say("每类15个商品")
    assert "810元" in text and "900元" in text


@pytest.mark.parametrize("text, expected", [
    # whole calculations, however NLU reads them (calculator, topic, form answer or unsure)
    ("报7个类别，每类10个商品，纸质递交", ("7×300＝2100元",)),
    ("实用新型第7年年费减缴70%以后交多少", ("共同申请减缴70%后交360元",)),
    ("sb续展两个类别多少钱", ("商标续展注册", "2×450＝900元")),
    ("灵活就业，去年收入4万7，专利费能减吗", ("符合专利费减条件", "85%")),
    ("certification mark 3 classes online", ("3×1350＝4050元",)),
])
def test_a_whole_calculation_gets_its_number(chat, text, expected):
    reply = chat().say(text)
    for part in expected:
        assert part in reply, (part, reply)
    assert "来源：" in reply
