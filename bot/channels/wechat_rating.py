"""好差评 on WeChat: the five levels after an answer from the knowledge base, through the same
rating store and follow-up of bad ratings as the widget (bot/portal/ratings.py, followups.py).

How a citizen rates. WeChat text messages have no buttons, so the answer ends with one compact
line of five "bizmsgmenu" links (`<a href="weixin://bizmsgmenu?msgmenucontent=评价满意&
msgmenuid=…">满意</a>`). A tap makes the citizen's client send the link's content as an
ordinary text message; a verified service account's messages then also carry `bizmsgmenuid`,
test and unverified accounts' do not (developers' reports in WeChat's community; the official
msgmenu API likewise needs a verified account). So the content itself is the command, and the
same words typed by hand work in every client: "评价 满意", "评价：不满意，费用没说清楚"; a bare
level word ("满意", "非常不满意") right after an answer is a rating too. Digits stay what the
answer's "回复 1 …" lines make them: its numbered options, never a rating.

Which answer a rating refers to ("one rating per answer" on WeChat): the latest turn's answer,
and only while it is the latest — every bot turn replaces it (wechat_store.save_options), and
a turn that was no knowledge-base answer (a form question, a greeting, "not sure", an error)
leaves nothing to rate. A tap on an older answer's link is recognised by the answer reference
in its msgmenuid and refused with an explanation rather than booked on the newer answer; a
typed rating has no such reference and always means the latest answer. A second rating of the
answer is refused (一次一评), as on the widget.

The comment: typed after the level ("评价 不满意 原因…"), or, after a tap, in the next message
as "说明：…" (the thanks says so); masked like the widget's, at most 200 characters, never
replaced once given.

Ratings never reach NLU: the channel answers them before Rasa (wechat.py), since only the
channel knows which answer was shown and to whom, and an intent would have to be trained
against real questions ("评价满意度怎么算") and could turn a question into a rating. Text that
is not exactly one of the forms above goes to the bot as before.

What is stored: the rating under a pseudonym of the OpenID (wechat_store.pseudonym), the
answer's turn as message id, the hash and knowledge-base id of the answer, channel "wechat".
"""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Callable

from bot.channels.wechat_store import Rateable, WeChatStore, pseudonym
from bot.portal import followups, ratings
from bot.portal.ratings import LEVELS, AlreadyRated, InvalidRating, Vote
from knowledge.storage import utcnow

CHANNEL = "wechat"
WORDS = {label: key for key, label in LEVELS.items()}
DIGITS = {key: str(n) for n, key in enumerate(LEVELS, start=1)}  # the msgmenuid's last digit
_LEVEL = "|".join(sorted(WORDS, key=len, reverse=True))  # 非常不满意 before 不满意 before 满意
_SEP = r"[\s,，。.、;；:：!！]"
_RATE = re.compile(rf"评价{_SEP}*({_LEVEL})(?:{_SEP}+(.*))?", re.S)
_BARE = re.compile(rf"({_LEVEL})[。.!！]*")
_RATE_DIGIT = re.compile(r"评价\s*[:：]?\s*\d")  # "评价4": a scale we do not offer
_COMMENT = re.compile(r"(?:补充说明|评价说明|说明)(?:\s*[:：]\s*|\s+)(.+)", re.S)
_MENU_ID = re.compile(r"\d{2,15}")

LINE = "评价：{links}\n（或回复“评价 满意”等，可加说明）"
LINK = '<a href="weixin://bizmsgmenu?msgmenucontent=评价{label}&msgmenuid={menu}{digit}">{label}</a>'

NOTHING = ("现在没有可评价的答复：评价针对我刚给出的那条知识问答答复。请先提问，收到答复后点选"
           "评价等级，或回复“评价 满意”等。")
OLDER = ("您点的是较早一条答复的评价。为免评错答复，只能评价最近的一条答复，"
         "请在最近一条答复下方点选。")
ALREADY = "这条答复您已经评价过了，每条答复只能评价一次（一次一评）。"
SCALE = ("评价请用文字等级：非常满意、满意、基本满意、不满意、非常不满意，例如“评价 满意”。"
         "（数字用于选择答复下方的选项。）")
THANKS = "感谢您的评价：{label}。"
FOLLOWED = "我们会请工作人员在{days}个工作日内跟进处理。"
ASK_COMMENT = f"如需补充说明，请回复“说明：”加内容（{ratings.MAX_COMMENT}字以内）。"
COMMENT_SAVED = "已收到您的评价说明，谢谢。"
COMMENT_TWICE = "这条评价已经有说明了，说明不能再修改。"
COMMENT_GONE = "抱歉，没有找到您的这条评价，说明未能保存。"
TOO_LONG = "评价说明请控制在{limit}字以内（现在是{n}字），请精简后重新发送。"


@dataclass(frozen=True)
class Command:
    """What the citizen's message asks: rate (`level`, maybe `comment`), comment, or the
    wrong scale; `menu_ref` when it came from a tapped link that says which answer."""
    kind: str  # "rate" | "bare" | "comment" | "scale"
    level: str | None = None
    comment: str | None = None
    menu_ref: str | None = None


def parse(text: str, menu_id: str | None = None) -> Command | None:
    """The rating command in a message, or None: then it is for the bot."""
    text = unicodedata.normalize("NFKC", text).strip()
    menu_ref = menu_id[:-1] if menu_id and _MENU_ID.fullmatch(menu_id) else None
    if m := _RATE.fullmatch(text):
        return Command("rate", WORDS[m.group(1)], (m.group(2) or "").strip() or None, menu_ref)
    if m := _BARE.fullmatch(text):
        return Command("bare", WORDS[m.group(1)], None, menu_ref)
    if m := _COMMENT.fullmatch(text):
        return Command("comment", comment=m.group(1).strip())
    if _RATE_DIGIT.fullmatch(text):
        return Command("scale")
    return None


def new_answer(turn_key: str, text: str, answer_id: str | None) -> Rateable:
    """The rateable answer of a turn: its message id is a hash of the turn's key (which holds
    the OpenID for events), its menu reference random digits."""
    ref = "wx-" + hashlib.sha256(turn_key.encode("utf-8")).hexdigest()[:32]
    return Rateable(ref, ratings.text_hash(text), answer_id,
                    str(10**7 + secrets.randbelow(9 * 10**7)))


def rating_line(menu_ref: str) -> str:
    """The line under a rateable answer. Shown: 44 characters (test_wechat_ratings counts)."""
    links = " ".join(LINK.format(label=label, menu=menu_ref, digit=DIGITS[key])
                     for key, label in LEVELS.items())
    return LINE.format(links=links)


def shown(line: str) -> str:
    """What the citizen sees of a line with links: their labels."""
    return re.sub(r"<a [^>]*>([^<]*)</a>", r"\1", line)


class WeChatRatings:
    """The channel's 好差评. Blocking (database and tracker store): called off the event loop."""

    def __init__(self, store: WeChatStore, rules: Callable[[], followups.Rules]) -> None:
        self.store = store
        self.rules = rules  # read per rating: the calendar file may change while running

    def wants(self, openid: str, command: Command) -> bool:
        """Whether the message is the channel's: a bare level word or a "说明" is, only while
        there is an answer (a rated answer) for it; the explicit forms always are."""
        if command.kind == "bare":
            return self.store.rateable(openid) is not None
        if command.kind == "comment":
            answer = self.store.rateable(openid)
            return answer is not None and answer.rating_id is not None
        return True

    def reply(self, openid: str, command: Command, text: str) -> str:
        """Does what the command asks; the reply to the citizen."""
        if command.kind == "scale":
            return SCALE
        answer = self.store.rateable(openid)
        if command.kind == "comment":
            return self._comment(answer, command.comment or "")
        if answer is None:
            return NOTHING
        if command.menu_ref and command.menu_ref != answer.menu_ref:
            return OLDER
        try:
            comment = ratings.clean_comment(command.comment)
        except InvalidRating:
            return TOO_LONG.format(limit=ratings.MAX_COMMENT, n=len(command.comment or ""))
        # the follow-up copies the answer from the conversation; this note stands in for it
        # when the tracker store no longer has it (the channel keeps only the answer's hash)
        missing = f"（答复原文未在对话记录中找到；知识库答复：{answer.answer_id or '未标明'}）"
        vote = Vote(pseudonym(openid), answer.ref, answer.text_hash, command.level,
                    answer.answer_id, comment, missing, channel=CHANNEL, conversation=openid)
        rules = self.rules()
        try:
            saved = followups.rate(self.store.db, vote, rules, utcnow())
        except AlreadyRated:
            return ALREADY
        self.store.rated(openid, answer.ref, saved.rating_id)
        parts = [THANKS.format(label=LEVELS[command.level])]
        if saved.followup:
            parts.append(FOLLOWED.format(days=rules.days))
        if not comment:
            parts.append(ASK_COMMENT)
        return "".join(parts)

    def _comment(self, answer: Rateable | None, raw: str) -> str:
        if answer is None or answer.rating_id is None:
            return NOTHING
        try:
            comment = ratings.clean_comment(raw)
        except InvalidRating:
            return TOO_LONG.format(limit=ratings.MAX_COMMENT, n=len(raw))
        if comment is None:
            return ASK_COMMENT
        if followups.add_comment(self.store.db, answer.rating_id, comment):
            return COMMENT_SAVED
        return COMMENT_TWICE if self._exists(answer.rating_id) else COMMENT_GONE

    def _exists(self, rating_id: int) -> bool:
        with self.store.db.session() as s:
            return s.get(ratings.AnswerRating, rating_id) is not None
