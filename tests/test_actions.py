"""The knowledge-base action with real rasa-sdk trackers and dispatcher."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from knowledge.models import QuestionCount, UnansweredQuestion
from tests.conftest import make_tracker


@pytest.fixture
def action(kb_url):
    from actions.answers import ActionAnswer
    return ActionAnswer()


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_topic_question_is_answered_with_source_and_buttons(action):
    messages, events = run(action, make_tracker("专利费减的条件是什么", "ask_fee_reduction"))
    assert events == [] and len(messages) == 1
    assert "来源：" in messages[0]["text"]
    assert messages[0]["buttons"]
    # the answer's id rides along: the channels offer 好差评 for it (and only for answers)
    assert messages[0]["custom"] == {"answer_id": "fee_reduction.eligibility"}


def test_button_payload_answers_that_record(action):
    messages, _ = run(action, make_tracker(
        '/ask_trademark{"answer_id":"x"}', "ask_trademark", 1.0,
        entities=[{"entity": "answer_id", "value": "no.such"}]))
    assert "来源：" in messages[0]["text"]  # unknown id: falls back to the topic overview


def test_fallback_to_search_and_logging_of_unanswered(action, db):
    ranking = [{"name": "nlu_fallback", "confidence": 0.45},
               {"name": "ask_ip_plan", "confidence": 0.3}]
    messages, _ = run(action, make_tracker("明天会下雨吗", "nlu_fallback", 0.45,
                                           ranking=ranking, channel="wechat"))
    assert "12345" in messages[0]["text"]
    assert not messages[0].get("custom")  # "not sure" is no answer to rate
    with db.session() as s:
        rows = s.execute(select(UnansweredQuestion).where(
            UnansweredQuestion.text == "明天会下雨吗")).scalars().all()
    assert rows and rows[0].channel == "wechat"


def test_an_overview_answer_is_logged_as_low_confidence_and_every_question_counted(action, db):
    def counted() -> dict:
        with db.session() as s:
            return dict(s.execute(select(QuestionCount.outcome, func.sum(QuestionCount.n))
                                  .where(QuestionCount.channel == "wechat")
                                  .group_by(QuestionCount.outcome)).all())
    before = counted()
    # NLU sure of the trademark topic, but no trademark record covers the question
    messages, _ = run(action, make_tracker("商标设计成什么颜色比较吉利", "ask_trademark", 0.92,
                                           channel="wechat"))
    assert "来源：" in messages[0]["text"]
    run(action, make_tracker("商标注册要多少钱", "ask_trademark", 0.95, channel="wechat"))
    run(action, make_tracker('/ask_trademark{"answer_id":"trademark.fee_registration"}',
                             "ask_trademark", 1.0, channel="wechat",
                             entities=[{"entity": "answer_id",
                                        "value": "trademark.fee_registration"}]))
    with db.session() as s:
        row = s.execute(select(UnansweredQuestion).where(
            UnansweredQuestion.text == "商标设计成什么颜色比较吉利")).scalar_one()
    assert (row.kind, row.answer_id, row.channel) == ("overview", "trademark.overview", "wechat")
    after = counted()
    grew = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    # the overview counted low, the fee answered, the button's answer not at all
    assert {k: v for k, v in grew.items() if v} == {"answered": 1, "low": 1}


def test_empty_message_is_asked_again(action):
    messages, _ = run(action, make_tracker("   ", "nlu_fallback", 0.0))
    assert messages[0]["response"] == "utter_empty"


@pytest.mark.parametrize("text, intent, expected", [
    ("注册6个类别纸质申请每类10个商品", "ask_trademark", "6×300＝1800元"),
    ("公司去年应纳税所得额八十万，能减专利费吗", "ask_fee_reduction", "低于100万元，符合专利费减条件"),
    ("发明专利实审费费减85%后是多少", "ask_fee_reduction", "减缴85%后交375元"),
])
def test_a_topic_question_that_states_a_whole_calculation_gets_the_number(action, text, intent,
                                                                          expected):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, make_tracker(text, intent), {})
    assert expected in dispatcher.messages[0]["text"]
    assert "来源：" in dispatcher.messages[0]["text"]
    assert events  # the facts kept for a follow-up


@pytest.mark.parametrize("text, intent", [
    ("商标注册要多少钱", "ask_trademark"), ("专利年费减缴从哪一年开始算", "ask_fee_reduction"),
    ("发明专利第15年年费减不减", "ask_fee_reduction")])
def test_a_general_question_gets_the_rule_from_the_knowledge_base(action, text, intent):
    dispatcher = CollectingDispatcher()
    assert action.run(dispatcher, make_tracker(text, intent), {}) == []
    assert "估算" not in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("text, answered", [
    ("被侵全了去哪里投素", True),  # typos NLU has not seen; the search repairs them
    ("今天晚上吃什么", False),
    ("深圳的商标受理窗口在哪里", False),  # another city: our window's answer would mislead
    ("' OR 1=1 --", False),
])
def test_out_of_scope_gets_the_knowledge_bases_second_opinion(kb_url, text, answered):
    from actions.answers import ActionOutOfScope
    messages, events = run(ActionOutOfScope(), make_tracker(text, "out_of_scope", 0.9))
    assert events == [] and len(messages) == 1
    if answered:
        assert "来源：" in messages[0]["text"]
        assert messages[0]["custom"]["answer_id"].startswith("rights_assistance.")
    else:
        assert messages[0]["response"] == "utter_out_of_scope"


@pytest.mark.parametrize("text, answered", [
    ("商标受理窗口都能办哪些事", True),  # what the window does, not what the assistant does
    ("你都能回答哪些问题", False),
    ("/ask_capabilities", False),  # the welcome's button
])
def test_capabilities_get_the_knowledge_bases_second_opinion(kb_url, text, answered):
    from actions.answers import ActionCapabilities
    messages, _ = run(ActionCapabilities(), make_tracker(text, "ask_capabilities", 0.8))
    if answered:
        assert "来源：" in messages[0]["text"]
        assert messages[0]["custom"]["answer_id"] == "trademark.window_services"
    else:
        assert messages[0]["response"] == "utter_capabilities"


@pytest.mark.parametrize("text, answered", [
    ("贛州知識產權保護中心是哪一年獲批建設的", True),  # about the centre, read as "what are you"
    ("你是真人还是机器人", False),
    ("Are you a robot", False),
])
def test_identity_questions_get_the_knowledge_bases_second_opinion(kb_url, text, answered):
    from actions.answers import ActionBotIdentity
    messages, _ = run(ActionBotIdentity(), make_tracker(text, "ask_bot_identity", 0.5))
    if answered:
        assert "来源：" in messages[0]["text"] and "2021" in messages[0]["text"]
    else:
        assert messages[0]["response"] == "utter_bot_identity"


@pytest.mark.parametrize("text, answer_id", [
    ("参加展会时发现隔壁展位卖仿冒我们专利的产品，可以在展会现场投诉吗", "rights_assistance.exhibition"),
    ("有人假冒我们的注册商标，我要举报", None),  # wants to file: the form starts
    ("我想举报，怎么弄", None),  # asks how to file: 举报 is its only specific word
    ("楼下超市一直在卖假冒名牌的洗发水，这种事该向哪里反映", "rights_assistance.report_counterfeit"),
    ("我们的外观设计被同行照搬了，这种情况怎么办", "rights_assistance.overview"),
    ("外观专利被人仿了，请不起律师，有人帮吗", "rights_assistance.overview"),  # asks for help
    ("屋下个茶油瓶子被人仿了，有冇地方帮我出主意", "rights_assistance.overview"),  # Hakka 有冇
    ("网上买的鞋子商家拒绝退货怎么办", None),  # not a right of ours: the form, as NLU read it
    ("赣州全市一共有几家专利代理机构", "ip_plan.achievements_service"),  # how many
    ("网上有人卖冒牌的赣南茶油，谁来管", "rights_assistance.report_counterfeit"),  # who handles it
    ('/report_infringement', None),  # the button after such an answer
])
def test_a_how_question_read_as_a_report_is_answered_and_the_form_offered(kb_url, text,
                                                                           answer_id):
    from actions.leads import ActionStartLead
    messages, events = run(ActionStartLead(), make_tracker(text, "report_infringement", 0.8))
    if answer_id:
        assert messages[0]["custom"]["answer_id"] == answer_id
        assert {"title": "登记侵权线索", "payload": "/report_infringement"} in messages[0]["buttons"]
        assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    else:
        assert messages[0]["response"] == "utter_lead_intro"
        assert any(e.get("name") == "lead_draft_id" and e["value"] for e in events)


@pytest.mark.parametrize("text, answered", [
    ("Is the Ganzhou 14th Five-Year IP plan still in force?", True),
    ("我之前举报的处理得怎么样了", False),  # a status query: the form asks for the ticket
    ("GZ-20261126-7KQ2M 现在到哪一步了吗", False),
    ("帮我查一下", False),  # not a question
    ("/check_lead_status", False),  # the button after such an answer
])
def test_a_question_read_as_a_status_query_is_answered_and_the_query_offered(kb_url, text,
                                                                             answered):
    from actions.leads import ActionStartLeadStatus
    messages, events = run(ActionStartLeadStatus(), make_tracker(text, "check_lead_status", 0.5))
    if answered:
        assert "来源：" in messages[0]["text"]
        assert {"title": "查询线索进度", "payload": "/check_lead_status"} in messages[0]["buttons"]
        assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    else:
        assert messages == [] and events == []


def test_an_identity_reading_of_a_question_naming_no_assistant_is_asked_as_a_question(kb_url):
    """是不是 reads like "是不是真人"; a question that names neither the assistant nor a person or
    machine is answered when the knowledge base is confident, and is otherwise the identity."""
    from actions.answers import ActionBotIdentity
    messages, _ = run(ActionBotIdentity(),
                      make_tracker("赣州是不是每个县区都设有知识产权服务窗口", "ask_bot_identity", 0.6))
    assert "来源：" in messages[0]["text"]
    messages, _ = run(ActionBotIdentity(), make_tracker("是不是真人在回", "ask_bot_identity", 0.6))
    assert messages[0]["response"] == "utter_bot_identity"


def test_the_action_server_registers_every_action_of_the_domain(kb_url):
    # an abstract base registered as an action stops the action server at start-up
    import yaml
    from rasa_sdk.executor import ActionExecutor
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load(open("domain.yml", encoding="utf-8"))
    custom = {a if isinstance(a, str) else next(iter(a)) for a in domain["actions"]}
    assert custom <= set(executor.actions)


def test_every_status_query_example_names_a_ticket_or_a_status_word():
    """The start of the status query answers a question with neither (ActionStartLeadStatus)."""
    import yaml
    from pathlib import Path
    from actions.leads import ABOUT_STATUS
    from bot.leads import fields
    examples = [line.strip()[2:] for path in Path("data/nlu").glob("*.yml")
                for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", [])
                if block.get("intent") == "check_lead_status"
                for line in block["examples"].splitlines() if line.strip()]
    assert len(examples) > 20
    assert [e for e in examples if not (fields.ticket_in(e) or ABOUT_STATUS.search(e))] == []
