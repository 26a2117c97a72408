"""Questions about the service itself, answered from what the service really does and the
periods it is configured with (bot/settings.py), so that the answer changes with the setting:

- ask_privacy: what is kept of what a citizen types or leaves here, what for, who sees it, for
  how long (the retention periods, README "Personal data that expires"), and how to have it
  seen, copied or deleted (the administrators' PIPL tools, reached through a person).
- ask_rating: how to rate an answer on the citizen's channel (the widget's buttons under every
  reply; on WeChat the rating line under a knowledge-base answer or "评价 不满意 …" typed), one
  rating per answer, and what a bad rating starts (a follow-up item for staff, due within
  RATING_FOLLOWUP_WORKING_DAYS working days; bot/portal/followups.py).

On WeChat a rating refers to the latest knowledge-base answer, and every bot turn replaces it
(bot/channels/wechat_store.py). The explanation of how to rate must not: the citizen who says
"你答得不对，我要给差评" then types "评价 不满意" about the answer before. So the rating reply
carries a marker (custom {"rating_help": true}) and the channel keeps the answer rateable.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import settings
from bot.portal.ratings import LEVELS, MAX_COMMENT

KEEPS_RATED_ANSWER = {"rating_help": True}  # read by bot/channels/wechat.py
LEVEL_WORDS = "、".join(LEVELS.values())  # 非常满意、满意、基本满意、不满意、非常不满意
CALL_BACK = {"title": "申请回电", "payload": "/request_human"}
WHAT_I_DO = {"title": "我能问什么", "payload": "/ask_capabilities"}


def after(days: int) -> str:
    """"N天后"; a period of 0 days ends at the next daily retention run: "后"."""
    return f"{days}天后" if days else "后"


def privacy_text() -> str:
    return (
        "您的个人信息这样处理：\n"
        "1. 咨询不需要手机号、身份证号，请不要发送。对话记录保存在本服务系统中："
        f"对话结束{after(settings.tracker_redact_days())}，其中的电话、身份证号被遮盖，"
        f"登记表单里填写的内容被删除；{after(settings.tracker_retention_days())}整段删除。\n"
        "2. 只有您同意后登记侵权线索或回电请求，才保存您留的姓名、电话和问题，只用于核实和回电，"
        "不公开；只有有权限的工作人员能查看，列表中电话遮盖，每次查看都有审计记录；"
        f"办结{after(settings.leads_retention_days())}匿名化。\n"
        "3. 要查阅、复制或删除您的信息，请申请回电或拨打12345提出，提供登记编号或所留电话，"
        "管理员可据此查找、导出并删除。")


def how_to_rate(channel: str | None) -> str:
    if channel == "wechat":
        return ("评价方法：知识问答的答复末尾有一行“评价：非常满意 满意 基本满意 不满意 非常不满意”，"
                "点一下即可；也可以直接回复“评价 不满意 原因…”。评价针对最近一条知识问答答复，"
                "每条只能评价一次，评了不能修改。")
    return (f"评价方法：每条答复下方有{LEVEL_WORDS}五个按钮，点选后可写补充说明"
            f"（{MAX_COMMENT}字以内，请勿填写电话、身份证号），再点“提交评价”。"
            "每条答复只能评价一次，提交后不能修改。")


def after_rating() -> str:
    return ("选“不满意”或“非常不满意”（差评）会自动转给工作人员，"
            f"在{settings.rating_followup_working_days()}个工作日内核实处理，答复确有错误的会修正。"
            "评价不留联系方式，工作人员不会因评价联系您；需要答复请申请回电。")


class ActionExplainPrivacy(Action):
    def name(self) -> str:
        return "action_explain_privacy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=privacy_text(), buttons=[CALL_BACK, WHAT_I_DO])
        return []


class ActionExplainRating(Action):
    def name(self) -> str:
        return "action_explain_rating"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        channel = tracker.get_latest_input_channel()
        dispatcher.utter_message(text=how_to_rate(channel) + "\n" + after_rating(),
                                 buttons=[CALL_BACK, WHAT_I_DO])
        if channel == "wechat":
            dispatcher.utter_message(json_message=KEEPS_RATED_ANSWER)
        return []
