"""The calculators' dialogues: 专利费减 eligibility, patent fees, trademark fees.

Each calculator has three actions and a form:
- `action_start_<calc>` reads the message (knowledge/fees/facts.py) and decides: a new question
  starts afresh; a correction or follow-up ("不对，是120万", "那实用新型呢") changes only what it
  names in the last calculation. It sets `calc_next`: `result` when the facts are complete (one
  turn), `form` when something is missing (data/rules.yml branches on it).
- `<calc>_form` asks only what is missing, with buttons; its validation reads every message for
  any fact (so a correction in the middle works too), lets "算了" end it, and leaves a knowledge
  question unanswered so that the rules answer it and the form asks again (as the lead form does).
- `action_<calc>` computes and answers through the knowledge library, or says that nothing was
  computed when the form was called off. The facts stay in their slots for a later correction.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import KNOWLEDGE, answer_instead
from actions.leads import Said
from knowledge.fees import facts as read
from knowledge.fees import replies
from knowledge.fees.facts import Amount, PatentQuery, TrademarkQuery
from knowledge.numbers import numbers
from knowledge.service import AGREE, asking_part
from knowledge.text import to_mandarin, to_simplified

REQUESTED = "requested_slot"
NEXT = "calc_next"  # result / form: which rule goes on after the start action
NOTE = "calc_note"  # "unchanged": a correction that named nothing to change
CORRECTING = {"deny", "inform"}  # intents that, after a result, change the last calculation
CANCELLED = "好的，不算了。还有其他问题可以继续问我。"
UNCHANGED = ("好的。请直接告诉我哪里不对，例如“是120万”“是两个人共同申请”“是实用新型”“是5个类别”，"
             "我按新的情况重新算。")
_PERIOD_MONTH = re.compile(r"月")
_PERIOD_YEAR = re.compile(r"年")


class Calculator(ABC):
    """What differs between the calculators: their facts, slots and computation."""
    name: str  # fee_eligibility / patent_fee / trademark_fee
    intent: str
    slots: dict[str, str]  # fact → slot
    primary: str  # the fact that, said in a new question, starts afresh
    hints: dict[str, str]  # slot → what to say when an answer was not understood

    @property
    def form(self) -> str:
        return f"{self.name}_form"

    @abstractmethod
    def read(self, text: str, requested: str | None) -> dict[str, Any]:
        """The facts `text` states (None for the rest); `requested` is the slot just asked."""

    @abstractmethod
    def compute(self, facts: dict[str, Any]):
        """The result (knowledge/fees/calculate.py) for complete or incomplete facts."""

    @abstractmethod
    def missing_slot(self, result) -> str | None:
        """The slot to ask next, None when the result is complete."""

    def from_slots(self, tracker: Tracker) -> dict[str, Any]:
        return {fact: tracker.get_slot(slot) for fact, slot in self.slots.items()}

    def to_slots(self, facts: dict[str, Any]) -> dict[str, Any]:
        return {slot: facts.get(fact) for fact, slot in self.slots.items()}

    def merge(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        return read.merge(old, new)

    def said_anything(self, new: dict[str, Any]) -> bool:
        return any(v is not None and v != () and v != {} for v in new.values())

    def named(self, text: str) -> bool:
        """Whether `text` names this calculator's subject (商标, 专利 …) in so many words."""
        return False


# Income words only a person's pay is called by; the reply names the kind it assumed
# ("按您说的（个人，…）"), so a firm's owner can correct it.
_PERSONAL_INCOME = re.compile(r"月收入|年收入|个人收入|工资|月薪|年薪|薪水|退休金|养老金")
_WORKS_AT = re.compile(r"在[^，,。]{0,8}(?:上班|工作|任职|教书|打工)")


class Eligibility(Calculator):
    name, intent, primary = "fee_eligibility", "check_fee_eligibility", "kind"
    slots = {"kind": "fee_applicant", "word": "fee_applicant_word", "amount": "fee_income",
             "period": "fee_period", "joint": "fee_joint", "parties": "fee_parties"}
    hints = {"fee_applicant": "请点选申请人的类型，或直接说“个人”“公司”“事业单位”等。",
             "fee_income": "没认出金额。请直接说数字，例如“80万”“月收入4000”。",
             "fee_period": "请说是“每月”还是“全年”。"}

    def read(self, text, requested):
        schedule = KNOWLEDGE.fee_schedule()
        kind = read.read_kind(text, schedule.kinds)
        amount = read.read_amount(text)
        if amount is None and requested == "fee_income":
            amount = _bare_amount(text)
        period = amount.per if amount else None
        if period is None and requested == "fee_period":
            period = ("month" if _PERIOD_MONTH.search(text) else
                      "year" if _PERIOD_YEAR.search(text) else None)
        parties = read.read_parties(text, schedule.kinds)
        named = (kind.kind, kind.word) if kind else (None, None)
        pay = amount is not None and amount.basis == "income" and _PERSONAL_INCOME.search(text)
        if pay and (kind is None or _WORKS_AT.search(text)):
            # "年收入10万能费减吗", "我在大学上班，月收入4000": a person's pay, not the employer's
            named = ("individual", "个人")
        return {"kind": named[0], "word": named[1],
                "amount": amount.to_slot() if amount else None, "period": period,
                "joint": read.read_joint(text),
                "parties": [p.to_slot() for p in parties] or None}

    def merge(self, old, new):
        if new.get("kind") and new["kind"] != old.get("kind"):
            old = dict(old, amount=None, period=None)  # another applicant: its own figures
        if new.get("parties") is None and (new.get("kind") or new.get("amount")
                                           or new.get("joint") is False):
            old = dict(old, parties=None)  # one applicant's facts now: not the co-applicants'
        return read.merge(old, new)

    def compute(self, facts):
        parties = [p for p in map(read.Party.from_slot, facts.get("parties") or []) if p]
        if len(parties) >= 2:
            return KNOWLEDGE.check_joint_eligibility(parties)
        amount = Amount.from_slot(facts.get("amount"))
        if amount is not None and facts.get("period"):
            amount = replace(amount, per=facts["period"])
        return KNOWLEDGE.check_fee_eligibility(facts.get("kind"), amount, facts.get("joint"),
                                               facts.get("word") or "")

    def missing_slot(self, result):
        return {"kind": "fee_applicant", "amount": "fee_income",
                "period": "fee_period"}.get(result.missing or "")


class PatentFee(Calculator):
    name, intent, primary = "patent_fee", "calc_patent_fee", "patent_type"
    slots = {"patent_type": "patent_type", "item": "patent_fee_item", "year": "patent_year",
             "joint": "fee_joint", "extras": "patent_extras"}
    hints = {"patent_type": "请点选专利类型：发明、实用新型或外观设计。",
             "patent_fee_item": "请点选要算的费用，例如“年费”“申请费”。",
             "patent_year": "请说第几年，例如“第3年”。"}
    EXTRAS = ("pct", "search", "receiving_cnipa", "hague", "open_licence", "rate")
    UNSAID = {"search": None, "rate": None}  # the others: False

    def read(self, text, requested):
        q = read.read_patent(text)
        year = q.year
        if year is None and requested == "patent_year":
            year = _bare_count(text)
        extras = {k: getattr(q, k) for k in self.EXTRAS if getattr(q, k)}
        return {"patent_type": q.patent_type, "item": q.item, "year": year, "joint": q.joint,
                "extras": extras or None}

    def merge(self, old, new):
        out = read.merge(old, new)
        if old.get("extras") and new.get("extras"):
            out["extras"] = {**old["extras"], **new["extras"]}
        return out

    def compute(self, facts):
        extras = facts.get("extras") or {}
        year = facts.get("year")
        return KNOWLEDGE.patent_fees(PatentQuery(
            facts.get("patent_type"), facts.get("item"), None if year is None else int(year),
            facts.get("joint"), **{k: extras.get(k, self.UNSAID.get(k, False))
                                   for k in self.EXTRAS}))

    def missing_slot(self, result):
        return {"patent_type": "patent_type", "item": "patent_fee_item",
                "year": "patent_year"}.get(result.missing or "")

    def named(self, text):
        return read.names_patent(text) and not read.names_trademark(text)


class TrademarkFee(Calculator):
    name, intent, primary = "trademark_fee", "calc_trademark_fee", "service"
    slots = {"service": "tm_service", "classes": "tm_classes", "goods": "tm_goods",
             "channel": "tm_channel"}
    hints = {"tm_service": "请点选商标业务，例如“注册”“续展”“转让”。",
             "tm_classes": "请说类别数，例如“2个类别”。",
             "tm_goods": "请说每个类别报几个商品或服务项目，例如“每类12个”；各类不同就说“分别12、8个”。"}

    def read(self, text, requested):
        q = read.read_trademark(text)
        classes, goods = q.classes, q.goods
        counts = [int(n.value) for n in numbers(text) if n.is_integer and n.exact
                  and not n.ordinal and n.unit in (None, "个", "项", "类")]
        if classes is None and requested == "tm_classes" and counts:
            classes = counts[0]
        if goods is None and requested == "tm_goods" and counts:
            goods = tuple(counts)
        service = q.service
        if requested in ("tm_classes", "tm_goods") and service == "registration":
            service = None  # "2个类别" answers the question; it does not restart a registration
        return {"service": service, "classes": classes or None,
                "goods": list(goods) if goods else None, "channel": q.channel}

    def merge(self, old, new):
        if new.get("classes") and old.get("goods") and len(old["goods"]) > 1 \
                and len(old["goods"]) != new["classes"] and not new.get("goods"):
            old = dict(old, goods=None)  # per-class goods for other classes
        return read.merge(old, new)

    def compute(self, facts):
        goods = facts.get("goods")
        classes = facts.get("classes")
        return KNOWLEDGE.trademark_fees(TrademarkQuery(
            facts.get("service"), None if classes is None else int(classes),
            tuple(int(g) for g in goods) if goods else None, facts.get("channel")))

    def missing_slot(self, result):
        return {"service": "tm_service", "classes": "tm_classes",
                "goods": "tm_goods"}.get(result.missing or "")

    def named(self, text):
        return read.names_trademark(text) and not read.names_patent(text)


def _bare_amount(text: str) -> Amount | None:
    """An answer to "多少" that is just a number ("4000")."""
    found = next((n for n in numbers(text) if n.unit in (None, "元") and not n.ordinal), None)
    return Amount(found.value, found.upper or found.value, found.upper is not None,
                  found.upper is not None, said=found.text) if found else None


def _bare_count(text: str) -> int | None:
    found = next((n for n in numbers(text) if n.is_integer and n.exact
                  and n.unit in (None, "年", "个")), None)
    return int(found.value) if found else None


CALCULATORS = {c.name: c for c in (Eligibility(), PatentFee(), TrademarkFee())}


def _text(said: Said) -> str:
    """Button payloads ("/calc_patent_fee") name a calculator, not facts. Dialect words are read
    as Mandarin ("冇得收入": no income), as the tokenizer reads them for NLU."""
    return "" if said.button else to_mandarin(to_simplified(said.text))


_AGE = re.compile(r"[0-9一二三四五六七八九十两]+多?周?岁")


def _a_figure(text: str) -> bool:
    """Whether a message states a figure: 一 of 一个/一家 ("我是一个宝妈") is none, nor is an
    age ("今年65岁了"): no calculator takes one."""
    return any(n.value > 1 or any(ch.isdigit() for ch in n.text)
               for n in numbers(_AGE.sub("", text)))


# A long message is a story and its question comes last (knowledge.service.asking_part). When
# that question names no fee, sum or reduction ("……请问赣州以前做过哪些产业的专利导航，企业自己
# 能不能做？"), the story's figures (五十多件专利) and applicant (企业) are not a calculation: it is
# answered as any question when the search finds an answer.
_OF_A_SUM = re.compile(r"费|减|钱|交|缴|多少|几多|符合|够|资格|条件|优惠|免|算|元|块|收入|所得")


# --- actions ------------------------------------------------------------------------------
class _Start(Action, ABC):
    @property
    @abstractmethod
    def calc(self) -> Calculator:
        """Which calculator (abstract: the action server registers only the concrete ones)."""

    def name(self) -> str:
        return f"action_start_{self.calc.name}"

    def run(self, dispatcher, tracker, domain):
        said = Said.of(tracker)
        text = _text(said)
        if text and said.intent not in CORRECTING and not _a_figure(text) \
                and (not KNOWLEDGE.is_ours(text) or KNOWLEDGE.names_outside(text)):
            # "我是一个宝妈……能在城里读书吗": 读书 is a student applicant's word, but the message
            # names nothing of our field and no figure: it is asked as any question. Every
            # training example of the calculators without a word of ours states a figure.
            # "信用卡年费怎么免掉" names 年费 but another office's matter: asked the same way.
            return answer_instead(dispatcher, tracker, KNOWLEDGE.answer(text), None)
        asked = asking_part(text) if text and said.intent not in CORRECTING else None
        if asked and not _OF_A_SUM.search(asked):
            reply = KNOWLEDGE.answer(text)
            if reply.answered:
                return answer_instead(dispatcher, tracker, reply, None)
        new = self.calc.read(text, None)
        if not said.button and (not self.calc.said_anything(new) or (
                self.calc is ELIGIBILITY and _ALREADY_QUALIFIES.search(text))):
            handed = _hand_over(self.calc, text)
            if handed:
                return handed
        answered = text and (
            _not_a_calculation(self.calc, text, new)
            and KNOWLEDGE.rescue(text, NOT_A_SUM_WORDS, AGREE)
            or _nothing_to_work_out(self.calc, text, new)
            and KNOWLEDGE.rescue(text, NOTHING_TO_WORK_OUT_WORDS, AGREE))
        if answered:
            return answer_instead(dispatcher, tracker, answered,
                                  {"title": "帮我算官费", "payload": f"/{self.calc.intent}"})
        old = self.calc.from_slots(tracker)
        correcting = said.intent in CORRECTING or read.follows_up(text)
        fresh = said.button or (not correcting and new.get(self.calc.primary) is not None)
        facts = self.calc.merge({} if fresh else old, new)
        unchanged = correcting and not self.calc.said_anything(new)
        result = self.calc.compute(facts)
        complete = self.calc.missing_slot(result) is None
        return [SlotSet(slot, value) for slot, value in self.calc.to_slots(facts).items()] + [
            SlotSet(NEXT, "result" if complete or unchanged else "form"),
            SlotSet(NOTE, "unchanged" if unchanged else None)]


# "授权后第11年的年费还在减缴期内吗" reads as the patent calculator (a year, an annual fee) but asks
# whether, for how long, by which document or since when: no sum answers it. Such a question
# that neither asks for nor states an amount is answered from the knowledge base when the search
# is sure of an answer (three specific words, AGREE coverage), with the calculator offered as a
# button. Of the
# two calculators' 97 training examples, two are such questions and both state an amount
# ("发明专利第3年年费是135吗"). The eligibility check gives way only when the message names no
# applicant and no figure ("发明专利2019年授权的，今年交年费还能享受费减吗"): none of its 8 such
# training examples ("我符合专利费减的条件吗") is one the search is sure of.
_IF_OR_HOW_LONG = re.compile(r"吗|[么嘛][？?!！。]*$|几年|多少年|多久|期内|能不能|是不是|还能|可不可以|"
                             r"哪个文件|哪份文件|什么文件|哪天|哪一天|什么时候|何时|从哪年")
# 还要交吗 asks whether, not how much: 要交 counts only when no 吗 follows it.
_AMOUNT_ASKED = re.compile(r"多少(?!年|天|个?月|日|个工作日)|几块|几元|几多|算|要交(?![吗么嘛])|交多少|费用|"
                           r"价格|钱|"
                           r"(?<![a-z])(?:how much|fee|fees|cost|costs|price)(?![a-z])", re.I)
_AMOUNT_STATED = re.compile(r"\d{2,}(?![\d年%％])")  # 85% is the rule asked about, not a sum
NOT_A_SUM_WORDS = 3


def _not_a_calculation(calc: Calculator, text: str, facts: dict[str, Any]) -> bool:
    if calc is ELIGIBILITY:
        return not any(facts.get(k) for k in ("kind", "amount", "parties"))
    return bool(_IF_OR_HOW_LONG.search(text)) and not _AMOUNT_ASKED.search(text) and \
        not _AMOUNT_STATED.search(text)


# "拿假证明少交专利费，查出来咋办", "已经办了费减，授权以后交年费还要再申请一次吗": NLU hears the
# patent calculator, but the message names no kind of patent and states no figure (a percentage
# is the rule asked about) and asks no amount: the form would open on "是哪一种专利？" for a
# question about a rule (the trademark calculator: no classes and no goods counted). Such a
# message is answered from the knowledge base when the search finds an answer with two specific
# words or more; "帮我算一下专利费" asks a sum and opens the form.
NOTHING_TO_WORK_OUT_WORDS = 2
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之[零一二三四五六七八九十]+")


def _nothing_to_work_out(calc: Calculator, text: str, facts: dict[str, Any]) -> bool:
    if _a_figure(_PERCENT.sub("", text)) or _AMOUNT_ASKED.search(text):
        return False
    if calc is PATENT:
        return facts.get("patent_type") is None and facts.get("year") is None
    # "不在网上申请的话，商标可以去哪些地方递交": 申请 reads as a registration, nothing to count
    return calc is TRADEMARK and facts.get("classes") is None and facts.get("goods") is None


# "公司符合费减条件……今年要交第14年的年费，要交多少": the eligibility is settled, the fee is asked.
_ALREADY_QUALIFIES = re.compile(r"(?:都|已经|已|是)符合(?:费减|条件|减缴)|符合费减条件|"
                                r"(?:办|做)(?:过|了|好了)费减|费减备案(?:过|了|已)|已经?(?:在)?享受费减")
VIA = "via:"  # calc_note of a result worked out by another calculator (_hand_over)


def _hand_over(calc: Calculator, text: str) -> list | None:
    """NLU took "sb转让官费多少" for the patent calculator: nothing in it is a patent fact, but it
    names trademarks and states a whole trademark calculation. The other calculator's facts
    and result then answer in this turn (its result action renders them, see `_Result`); None
    when no other calculator is named with a complete calculation."""
    for other in CALCULATORS.values():
        if other is calc or not other.named(text):
            continue
        facts = other.read(text, None)
        if facts.get(other.primary) is None or other.missing_slot(other.compute(facts)):
            continue
        return [SlotSet(slot, value) for slot, value in other.to_slots(facts).items()] + [
            SlotSet(NEXT, "result"), SlotSet(NOTE, VIA + other.name)]
    return None


class _Validate(FormValidationAction, ABC):
    """Reads each message for any fact of its calculator; asks what is still missing."""

    @property
    @abstractmethod
    def calc(self) -> Calculator:
        """Which calculator."""

    def name(self) -> str:
        return f"validate_{self.calc.form}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        requested = tracker.get_slot(REQUESTED)
        said = Said.of(tracker)
        if requested and said.cancels():
            return [SlotSet(requested, None), SlotSet(REQUESTED, None)]
        old = self.calc.from_slots(tracker)
        new = self.calc.read(_text(said), requested)
        facts = self.calc.merge(old, new)
        changed = {slot: value for slot, value in self.calc.to_slots(facts).items()
                   if value != tracker.get_slot(slot)}
        if requested and not changed:
            if said.asks_knowledge():
                return []  # rejected: the rules answer the question, then the form goes on
            dispatcher.utter_message(text=f"{self.calc.hints.get(requested, '')}"
                                          "（说“算了”就不算了。）")
            return [SlotSet(requested, None), SlotSet(REQUESTED, requested)]
        missing = self.calc.missing_slot(self.calc.compute(facts))
        return [SlotSet(slot, value) for slot, value in changed.items()] + [
            SlotSet(REQUESTED, missing)]


class _Result(Action, ABC):
    @property
    @abstractmethod
    def calc(self) -> Calculator:
        """Which calculator."""

    def name(self) -> str:
        return f"action_{self.calc.name}"

    def run(self, dispatcher, tracker, domain):
        note = tracker.get_slot(NOTE) or ""
        if note == "unchanged":
            dispatcher.utter_message(text=UNCHANGED)
            return [SlotSet(NOTE, None)]
        calc = CALCULATORS.get(note[len(VIA):], self.calc) if note.startswith(VIA) else self.calc
        result = calc.compute(calc.from_slots(tracker))
        if calc.missing_slot(result) is not None:  # the form was called off
            dispatcher.utter_message(text=CANCELLED)
            return [SlotSet(slot, None) for slot in calc.slots.values()]
        reply = KNOWLEDGE.calculator_reply(result)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        return [SlotSet(NOTE, None)] if note else []


ELIGIBILITY, PATENT, TRADEMARK = (CALCULATORS[n] for n in
                                  ("fee_eligibility", "patent_fee", "trademark_fee"))


# --- a topic question that is a calculation ---------------------------------------------------
# NLU may read "注册3个类别每类12个商品" as a trademark question rather than the calculator's
# intent: the two are close in wording. When a topic question states every fact a calculation
# needs, the facts decide: the citizen gets the number, not the general rule. The same when NLU
# was unsure (nlu_fallback: action_answer is given the best real intent) between a calculator and
# its topic, or took a whole question for a form answer (inform, outside a form).
_ASKS_AMOUNT = re.compile(r"多少|几块|几元|算|要交|交多少|费用|价格|钱|(?<![a-z])(?:how much|fee|"
                          r"fees|cost|costs|price)(?![a-z])", re.I)
_ASKS_EXTRA = re.compile(r"多出|超出|超过|额外|加收|另收")
ROUTED_FROM = {"ask_fee_reduction": ("fee_eligibility", "patent_fee"),
               "ask_trademark": ("trademark_fee",),
               "check_fee_eligibility": ("fee_eligibility", "patent_fee"),
               "calc_patent_fee": ("patent_fee", "fee_eligibility"),
               "calc_trademark_fee": ("trademark_fee",),
               "inform": ("trademark_fee", "patent_fee", "fee_eligibility")}


def _states_everything(calc: Calculator, facts: dict[str, Any], text: str) -> bool:
    if calc is ELIGIBILITY:  # an applicant and a sum of money: "公司去年应纳税所得额八十万"
        return facts.get("kind") is not None and facts.get("amount") is not None
    if calc is PATENT:  # a type, a fee, and a question of amount: "发明实审费减后交多少"
        return bool(facts.get("patent_type") and facts.get("item")
                    and _ASKS_AMOUNT.search(text))
    # "2个类别续展纸质多少"; a class count written, not "每个类别多少钱" (the listed fee: the
    # knowledge base answers that), nor "一个类别里超过10个商品的，多出来的怎么收费" (the
    # price of one more good, which the fee list gives and a total for 10 goods does not)
    return bool(facts.get("service") and facts.get("classes")) and any(
        n.unit == "类" for n in numbers(text)) and not (
        facts.get("goods") is None and _ASKS_EXTRA.search(text))


def worked_out(text: str, intent: str | None) -> tuple[Calculator, dict[str, Any]] | None:
    """The calculator and its facts when a topic question (`intent`) states a whole
    calculation; None otherwise (the knowledge base answers)."""
    text = to_mandarin(to_simplified(text or ""))
    for name in ROUTED_FROM.get(intent or "", ()):
        calc = CALCULATORS[name]
        facts = calc.read(text, None)
        if _states_everything(calc, facts, text) and \
                calc.missing_slot(calc.compute(facts)) is None:
            return calc, facts
    return None


class ActionStartFeeEligibility(_Start):
    calc = ELIGIBILITY


class ValidateFeeEligibilityForm(_Validate):
    calc = ELIGIBILITY


class ActionFeeEligibility(_Result):
    calc = ELIGIBILITY


class ActionStartPatentFee(_Start):
    calc = PATENT


class ValidatePatentFeeForm(_Validate):
    calc = PATENT


class ActionPatentFee(_Result):
    calc = PATENT


class ActionStartTrademarkFee(_Start):
    calc = TRADEMARK


class ValidateTrademarkFeeForm(_Validate):
    calc = TRADEMARK


class ActionTrademarkFee(_Result):
    calc = TRADEMARK


class ActionAskFeeApplicant(Action):
    """Who applies, after the standards for each kind (from the knowledge base)."""
    BUTTONS = ("individual", "enterprise", "public_institution", "social_organisation",
               "individual_business")

    def name(self) -> str:
        return "action_ask_fee_applicant"

    def run(self, dispatcher, tracker, domain):
        schedule = KNOWLEDGE.fee_schedule()
        kinds = [schedule.kind(k) for k in self.BUTTONS]
        dispatcher.utter_message(text=replies.applicant_question(
            schedule, tracker.get_slot("fee_joint")), buttons=[
            {"title": k.name, "payload": k.name} for k in kinds if k])
        return []


class ActionAskPatentType(Action):
    """Which patent, after the reduction rates (from the knowledge base)."""
    TYPES = ("发明专利", "实用新型", "外观设计")

    def name(self) -> str:
        return "action_ask_patent_type"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(
            text=replies.patent_type_question(KNOWLEDGE.fee_schedule(), tracker.get_slot("fee_joint")),
            buttons=[{"title": t, "payload": t} for t in self.TYPES])
        return []


class ActionAskFeeIncome(Action):
    """The income question depends on who applies: a person's income, a firm's taxable income."""

    def name(self) -> str:
        return "action_ask_fee_income"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=replies.income_question(
            KNOWLEDGE.fee_schedule(), tracker.get_slot("fee_applicant") == "enterprise",
            tracker.get_slot("fee_joint")))
        return []
