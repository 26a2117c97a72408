"""What a citizen's message says for the calculators: the kind of applicant, an income or taxable
income (with 不到/以下/超过/多 read as bounds), alone or jointly, the patent type, which fee and
which year, trademark service, classes, goods per class, paper or online.

Every reader returns only what the message says (None for the rest): a form asks for what is
missing, and a correction ("不对，是120万") replaces just what it names (`merge`).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from decimal import Decimal
from typing import Any, Iterable

from knowledge.fees.schedule import ApplicantKind
from knowledge.numbers import Number, numbers
from knowledge.text import to_simplified

NUMERAL = "0-9零〇一二两三四五六七八九十百千万亿"
_EN = r"(?<![a-z])(?:{})(?![a-z])"  # English words and phrases, whole (used with re.I)
# A message that continues the last calculation rather than starting a new one.
FOLLOW_UP = re.compile(r"^\s*(那|那么|如果|要是|假如|换成|改成|改为|不对|不是|错了)|呢\s*[?？。!！]*\s*$")

# --- amounts of money ---------------------------------------------------------------------
_MONTH = re.compile(r"月收入|月薪|月工资|每月|每个月|一个月|月均|月入|/月|一月|"
                    + _EN.format("monthly|a month|per month|each month"), re.I)
_YEAR = re.compile(r"年收入|年薪|年工资|全年|一年|每年|去年|上年|上一年|年入|/年|年所得|年度|"
                   + _EN.format("yearly|annual|annually|a year|per year|last year"), re.I)
_BASIS = [  # checked in order: 营业收入 is revenue, not income
    ("taxable", re.compile(r"应纳税所得|应税所得|纳税所得|所得额|" + _EN.format("taxable income"), re.I)),
    ("revenue", re.compile(r"营业额|营收|营业收入|销售额|销售收入|产值|流水|总收入|"
                           + _EN.format("revenue|turnover|sales"), re.I)),
    ("profit", re.compile(r"利润|盈利|净利|赚了|" + _EN.format("profits?"), re.I)),
    ("income", re.compile(r"收入|工资|月薪|年薪|薪水|薪资|挣|赚|退休金|养老金|"
                          + _EN.format("income|salary|wages?|pension"),
                          re.I)),
]
_BELOW = re.compile(r"(不到|低于|少于|不足|不满|没到|没有到|未满|未达到|未到|达不到|小于|不够)\s*$")
_AT_MOST = re.compile(r"(不超过|不高于|最多|至多)\s*$")
_ABOVE = re.compile(r"(超过|高于|多于|大于|过了|超了|超出)\s*$")
_AT_MOST_AFTER = re.compile(r"^\s*(以下|以内|之内|及以下)")
_AT_LEAST_AFTER = re.compile(r"^\s*(以上|及以上)")  # 出头 is a range: knowledge.numbers
_APPROX = re.compile(r"(大概|大约|约|差不多|左右|上下|估计|将近|接近)")
_NO_INCOME = re.compile(r"没有收入|没收入|无收入|零收入|没有任何收入|收入为0|收入是0|没有工资|没工资")
# A loss is said of profit, not of taxable income: the reply says the test is taxable income.
_LOSS = re.compile(r"亏损|亏本|亏钱|没有利润|没利润|没有盈利|没盈利|没赚钱")
MONEY_UNITS = {"元", None}


@dataclass(frozen=True)
class Amount:
    """A sum of money as said: an exact value (low == high) or bounds ("不到100万": high 1000000,
    open; "五万多": low 50000 open, high 60000 open)."""
    low: Decimal | None
    high: Decimal | None
    low_open: bool = False
    high_open: bool = False
    per: str | None = None  # month / year / None: not said
    basis: str | None = None  # income / taxable / profit / revenue / None: not said
    approx: bool = False
    said: str = ""

    @property
    def exact(self) -> Decimal | None:
        return self.low if self.low is not None and self.low == self.high else None

    def below(self, limit: Decimal) -> bool | None:
        """Whether it is strictly below `limit`: True, False, or None when the bounds allow both."""
        if self.high is not None and (self.high < limit or (self.high == limit and self.high_open)):
            return True
        if self.low is not None and self.low >= limit:
            return False
        return None

    def to_slot(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_slot(cls, value: Any) -> "Amount | None":
        if not isinstance(value, dict):
            return None
        try:
            return cls(**{f.name: (Decimal(value[f.name]) if f.name in ("low", "high")
                                   and value.get(f.name) is not None else value.get(f.name))
                          for f in fields(cls) if f.name in value})
        except (TypeError, ArithmeticError, ValueError):
            return None


def _money(n: Number) -> bool:
    if n.ordinal or n.unit not in MONEY_UNITS:
        return False
    return n.unit == "元" or n.scaled or n.value >= 100


def read_amount(text: str) -> Amount | None:
    """The first sum of money in `text`, with how it is bounded, per month or year, and what it
    is (income, taxable income, profit, revenue)."""
    text = to_simplified(text or "")
    basis = next((name for name, pattern in _BASIS if pattern.search(text)), None)
    if _NO_INCOME.search(text):
        return Amount(Decimal(0), Decimal(0), per="year", basis="income", said="没有收入")
    if _LOSS.search(text) and not any(_money(n) for n in numbers(text)):
        return Amount(Decimal(0), Decimal(0), per="year", basis="profit", said="亏损")
    found = next((n for n in numbers(text) if _money(n)), None)
    if found is None:
        return None
    before, after = text[:found.start], text[found.end:]
    # "五万多": above 50000 and below 60000
    low, high = found.value, found.upper if found.upper is not None else found.value
    low_open = high_open = found.upper is not None
    if _BELOW.search(before):
        low, high, low_open, high_open = None, found.value, False, True
    elif _AT_MOST.search(before) or _AT_MOST_AFTER.search(after):
        low, high, low_open, high_open = None, found.value, False, False
    elif _ABOVE.search(before):
        low, high, low_open, high_open = found.value, None, True, False
    elif _AT_LEAST_AFTER.search(after):
        low, high, low_open, high_open = found.value, None, False, False
    near = text[max(0, found.start - 12):found.end + 6]
    per = "month" if _MONTH.search(near) else "year" if _YEAR.search(near) else None
    if per is None:
        per = "month" if _MONTH.search(text) else "year" if _YEAR.search(text) else None
    approx = bool(_APPROX.search(text[max(0, found.start - 4):found.end + 3]))
    return Amount(low, high, low_open, high_open, per, basis, approx, found.text)


# --- who applies ----------------------------------------------------------------------------
_JOINT = re.compile(r"共同申请|一起申请|联合申请|合作申请|合伙申请|共同|共有|一起|联合|多个申请人|"
                    r"和别人|跟别人|与别人|和朋友|跟朋友|和同事|和公司|和学校|和大学|合伙(?!企业)")
_ALONE = re.compile(r"单独|独自|一个人申请|我一个人|只有我|就我一个|单个|独立申请|自己申请|一家单位")
_NEGATED = re.compile(r"(不是|没有|不|并非|非)\s*$")
_AND = re.compile(r"[^，。,.;；!?！？]{0,6}?(和|跟|与|及|加上|、)[^，。,.;；!?！？]{0,2}")


def read_joint(text: str) -> bool | None:
    """True: two or more applicants; False: one; None: not said."""
    text = to_simplified(text or "")
    counted = [n for n in numbers(text) if n.unit in ("人", "家") and n.is_integer
               and not n.ordinal]
    if counted:
        # "一家公司和一个个人": applicants named together are added up; of several counts the
        # largest tells ("我们是一家小公司……两家一起申请")
        totals, total, last = [], counted[0].value, counted[0]
        for n in counted[1:]:
            if _AND.fullmatch(text[last.end:n.start]):
                total += n.value
            else:
                totals.append(total)
                total = n.value
            last = n
        totals.append(total)
        negated = bool(_NEGATED.search(text[:counted[0].start]))
        if max(totals) >= 2:
            return not negated
    for pattern, joint in ((_ALONE, False), (_JOINT, True)):
        m = pattern.search(text)
        if m:
            return joint != bool(_NEGATED.search(text[:m.start()]))
    if counted:  # one named and no word of together: "我们是一家公司", "不是一个人"
        return negated
    return None


@dataclass(frozen=True)
class KindSaid:
    kind: str  # an ApplicantKind id
    word: str  # the word the citizen used


_IMPLIED = [("individual", re.compile(r"月收入|月薪|月入|年入|工资|年薪|个人所得税|个税|没有收入|没收入|无收入|合伙人|"
                                     + _EN.format("monthly income|salary|individual"), re.I)),
            ("enterprise", re.compile(r"纳税所得|应税所得|所得额|企业所得税|纳税申报表|"
                                      + _EN.format("taxable income|company|enterprise|firm"),
                                      re.I))]


# Who the applicant is, said outright: "以学校的名义申请", "申请人写的是公司". That kind wins over
# the people the message also names (the teacher, the students, the inventor).
_APPLICANT_IS = re.compile(r"(?:以|用)([^，,。；;！!？?]{1,12}?)的?名义|"
                           r"申请人(?:一栏)?(?:写的|填的|填写的|是|为|写|填)+([^，,。；;！!？?]{1,12})")


def read_kind(text: str, kinds: Iterable[ApplicantKind]) -> KindSaid | None:
    """The kind of applicant a message names ("公立医院" → 事业单位), or implies (月收入 →
    individual, 应纳税所得额 → enterprise). The longest word wins (个人独资企业 over 个人), and
    the applicant said outright wins over everyone else named."""
    text = to_simplified(text or "")
    kinds = list(kinds)
    for m in _APPLICANT_IS.finditer(text):
        named = _named_kind(m.group(1) or m.group(2), kinds)
        if named:
            return named
    named = _named_kind(text, kinds)
    implied = next((kind for kind, pattern in _IMPLIED if pattern.search(text)), None)
    if named and named.kind != "individual" and any(
            n.unit == "人" and not n.ordinal for n in numbers(text)):
        # "我们三个人一起申请，一个是中学老师": people counted apply; the school is a workplace
        implied = "individual"
    if named and implied and named.kind != implied and (
            implied == "individual" or named.kind in ("individual", "enterprise")):
        # "公司职员，月收入4000", "我在中学教书，工资四千": the income says who applies, not the
        # workplace named beside it
        return KindSaid(implied, "")
    if named:
        return named
    return KindSaid(implied, "") if implied else None


def _named_kind(text: str, kinds: list[ApplicantKind]) -> KindSaid | None:
    words = sorted(((w, k.id) for k in kinds for w in k.words), key=lambda x: -len(x[0]))
    for word, kind in words:
        for m in re.finditer(re.escape(word), text):
            if word.startswith("个") and m.start() > 0 and text[m.start() - 1] in NUMERAL:
                continue  # "两个人" is a count, not 个人
            return KindSaid(kind, word)
    return None


# --- several applicants ------------------------------------------------------------------------
# "公司应纳税所得额1.2万，和一个月入5千的个人一起申请", "三家公司一起申请，所得额分别是30万、80万、120万":
# each co-applicant must qualify on its own, so each is read with its own figure. The message is
# cut where one applicant's description ends (punctuation, 和/跟/与); a piece with a sum of money
# is an applicant, of the kind the piece names or implies, else of the kind named just before.
_PARTY_CUT = re.compile(r"[，,；;。、！!？?\n]|和|跟|与|以及|还有")


@dataclass(frozen=True)
class Party:
    kind: str  # an ApplicantKind id
    word: str
    amount: Amount | None

    def to_slot(self) -> dict:
        return {"kind": self.kind, "word": self.word,
                "amount": self.amount.to_slot() if self.amount else None}

    @classmethod
    def from_slot(cls, value: Any) -> "Party | None":
        if not isinstance(value, dict) or not value.get("kind"):
            return None
        return cls(str(value["kind"]), str(value.get("word") or ""),
                   Amount.from_slot(value.get("amount")))


def read_parties(text: str, kinds: Iterable[ApplicantKind]) -> list[Party]:
    """The co-applicants of a joint application, each with its own sum of money (or none, for a
    kind that qualifies by what it is: 事业单位). Empty unless the message is about a joint
    application and names at least two applicants, at least two with their own figures or one
    with a figure beside one that qualifies by its kind; a single applicant giving two figures
    ("月收入4000，一年4万8") is not two applicants."""
    text = to_simplified(text or "")
    if read_joint(text) is not True:
        return []
    kinds = list(kinds)
    by_kind = {k.id for k in kinds if k.test == "by_kind"}
    whole = read_kind(text, kinds)
    parties: list[Party] = []
    pending: KindSaid | None = None  # named, its figure not yet said
    for piece in _PARTY_CUT.split(text):
        named = read_kind(piece, kinds)
        amount = read_amount(piece)
        if amount is not None:
            said = named or pending or (KindSaid(parties[-1].kind, parties[-1].word)
                                        if parties else whole)
            if said is None:
                return []
            if pending is not None and said is not pending and pending.kind in by_kind:
                parties.append(Party(pending.kind, pending.word, None))  # "学校和月入三千的老师"
            if amount.per is None and parties and parties[-1].amount is not None:
                amount = replace(amount, per=parties[-1].amount.per)  # "分别是三千五和4500"
            parties.append(Party(said.kind, said.word, amount))
            pending = None
        elif named is not None:
            if pending is not None and pending.kind != named.kind and pending.kind in by_kind:
                parties.append(Party(pending.kind, pending.word, None))
            if pending is None or pending.kind != named.kind:
                pending = named
    if pending is not None and pending.kind in by_kind:
        parties.append(Party(pending.kind, pending.word, None))
    with_figures = sum(1 for p in parties if p.amount is not None)
    if len(parties) < 2 or with_figures == 0 or (
            with_figures == 1 and not any(p.kind in by_kind for p in parties)):
        return []
    return parties


# --- patents ------------------------------------------------------------------------------
# Pinyin input swaps a character for one that sounds the same (实用新形, 外关设计): the type's
# last character may be any homophone, as knowledge/typos.py's HOMOPHONES repair it for search and NLU.
# English beside the Chinese: "invention patent annual fee year 6".
_PATENT_TYPES = [("utility_model", re.compile(r"实用新[型形行性]|实新|新型专利|小专利|"
                                              + _EN.format(r"utility models?"), re.I)),
                 ("design", re.compile(r"外[观官关管]设计|外观专利|外观|"
                                       + _EN.format(r"design patents?|industrial designs?"), re.I)),
                 ("invention", re.compile(r"发明(?!人)|" + _EN.format(r"inventions?"), re.I))]
_PATENT_ITEMS = [("priority_claim", re.compile(r"优先权要求费|优先权费|要求优先权|"
                                               + _EN.format(r"priority claim fee"), re.I)),
                 ("late_payment", re.compile(r"滞纳金|滞纳|" + _EN.format(r"late (?:payment )?fee"),
                                             re.I)),
                 ("printing", re.compile(r"印刷费|公布印刷")),
                 ("surcharge", re.compile(r"附加费")),
                 ("reexam", re.compile(r"复审|" + _EN.format(r"re-?examination"), re.I)),
                 ("exam", re.compile(r"实审|实质审查|实质审费|实质性审查|" + _EN.format(
                     r"substantive examination|examination fee"), re.I)),
                 ("annual_total", re.compile(r"(年费|维持).{0,12}(一共|总共|累计|合计|加起来|总计)|"
                                             r"(一共|总共|累计|合计|加起来|总计).{0,12}年费|"
                                             r"维持到第?\S{1,3}年")),
                 ("annual", re.compile(r"年费|维持费|" + _EN.format(r"annual fees?|maintenance fees?"),
                                       re.I)),
                 ("application", re.compile(r"申请费|" + _EN.format(r"application fee|filing fee"),
                                            re.I)),
                 ("total", re.compile(r"总共|一共|合计|全部|总费用|总的费用|加起来|全套|申请阶段|"
                                      r"申请.{0,8}(多少钱|费用|花多少|要交)"))]
# Fees that a question may name together ("申请费和实审费一共多少"): the answer is their sum.
_ADDABLE = ["application", "printing", "exam", "reexam", "priority_claim", "surcharge"]
_PCT = re.compile(r"pct|国际申请|国家阶段", re.I)
_SEARCH_FOREIGN = re.compile(r"欧洲|epo|日本|jpo|瑞典", re.I)
_CNIPA = re.compile(r"国家知识产权局|中国局|国知局|cnipa|中国专利局", re.I)
_PRELIMINARY = re.compile(r"初步审查|初审报告|iprp|专利性", re.I)
_SEARCH = re.compile(r"检索")
_RECEIVING = re.compile(r"受理局")
_HAGUE = re.compile(r"海牙")
_OPEN_LICENCE = re.compile(r"开放许可")
# "减缴85%以后", "费减70%后", "按85%减": the rate tells alone (85) from jointly (70); which is
# which is the schedule's to say (knowledge/fees/calculate.py).
_RATE_NEAR = re.compile(r"减|优惠|折扣")
_RATE_NEAR_EN = re.compile(_EN.format(r"reduction|reduced|discount|off"), re.I)
_EN_YEAR = re.compile(_EN.format(r"year\s*(\d{1,2})|(\d{1,2})\s*(?:st|nd|rd|th)\s*year"), re.I)


@dataclass(frozen=True)
class PatentQuery:
    patent_type: str | None = None  # invention / utility_model / design
    item: str | None = None  # application / exam / reexam / annual / annual_total / total / …
    year: int | None = None  # annual fees: the year of the patent's life (annual_total: up to)
    joint: bool | None = None
    pct: bool = False  # a PCT application entering the national phase
    search: str | None = None  # PCT: cnipa_both / cnipa_search / epo_jpo_se
    receiving_cnipa: bool = False  # PCT: CNIPA was the receiving office
    hague: bool = False
    open_licence: bool = False
    rate: int | None = None  # a reduction said in per cent ("减缴85%后")


def read_patent(text: str) -> PatentQuery:
    text = to_simplified(text or "")
    ptype = next((name for name, p in _PATENT_TYPES if p.search(text)), None)
    item = next((name for name, p in _PATENT_ITEMS if p.search(text)), None)
    named = [name for name, p in _PATENT_ITEMS if name in _ADDABLE and p.search(text)]
    if len(named) > 1:
        item = "+".join(sorted(named, key=_ADDABLE.index))  # "申请费和实审费合计": their sum
    year = read_year(text)
    if item == "annual_total" and year is None:
        year = next((int(n.value) for n in numbers(text) if n.unit == "年" and n.is_integer
                     and 1 <= n.value <= 99), None)  # "维持10年一共多少年费"
    if year is not None and item is None:
        item = "annual"  # "发明专利第5年要交多少"
    search = None
    pct = bool(_PCT.search(text))
    if pct:
        if _SEARCH_FOREIGN.search(text):
            search = "epo_jpo_se"
        elif _CNIPA.search(text) and _PRELIMINARY.search(text):
            search = "cnipa_both"
        elif _CNIPA.search(text) and _SEARCH.search(text):
            search = "cnipa_search"
        if ptype is None:
            ptype = "invention"  # PCT national phase: the sources speak of invention fees
    return PatentQuery(ptype, item, year, read_joint(text), pct, search,
                       bool(pct and _RECEIVING.search(text) and _CNIPA.search(text)),
                       bool(_HAGUE.search(text)), bool(_OPEN_LICENCE.search(text)),
                       read_rate(text))


def read_rate(text: str) -> int | None:
    """A reduction in per cent said near 减 ("减缴85%以后", "费减百分之七十"): a whole number
    from 1 to 100, or None."""
    text = to_simplified(text or "")
    for n in numbers(text):
        if n.unit == "%" and n.exact and n.is_integer and 0 < n.value <= 100 and (
                _RATE_NEAR.search(text[max(0, n.start - 6):n.end + 3])
                or _RATE_NEAR_EN.search(text[max(0, n.start - 14):n.end + 12])):
            return int(n.value)
    return None


def read_year(text: str) -> int | None:
    """The year of a patent's life: 第5年, 第十二年, 5年的年费, 第3年度."""
    text = to_simplified(text or "")
    for n in numbers(text):
        if n.unit != "年" or not n.is_integer or not 1 <= n.value <= 99:
            continue
        if n.ordinal or re.match(r"\s*(度)?(的)?(年费|维持费)", text[n.end:]):
            return int(n.value)
    english = _EN_YEAR.search(text)  # "year 6", "6th year"
    if english and 1 <= int(english.group(1) or english.group(2)) <= 99:
        return int(english.group(1) or english.group(2))
    return None


# --- trademarks ---------------------------------------------------------------------------
# Each service in Chinese and in English (foreign-invested firms ask in English: "collective
# mark", "renewal 3 classes").
_SERVICES = [("late_renewal", re.compile(r"宽展|延迟续展|迟延续展|过期续展|逾期续展|过期.{0,6}续|"
                                         + _EN.format(r"late renewal|grace period"), re.I)),
             ("collective", re.compile(r"集体商标|证明商标|" + _EN.format(
                 r"(?:collective|certification)(?: trade)? ?marks?"), re.I)),
             ("renewal", re.compile(r"续展|续期|续费|到期.{0,6}续|"
                                    + _EN.format(r"renew|renewal|renewing"), re.I)),
             ("assignment", re.compile(r"转让|过户|转给|转到.{0,6}名下|"
                                       + _EN.format(r"assignment|assign|transfer"), re.I)),
             ("change", re.compile(r"变更|改名|改地址|更名|" + _EN.format(
                 r"change of (?:name|address)|recordal of change"), re.I)),
             ("replacement", re.compile(r"补发|补证|补办|证书?丢|注册证丢|遗失|" + _EN.format(
                 r"replacement certificate|lost certificate"), re.I)),
             ("proof", re.compile(r"注册证明|商标证明|开.{0,2}证明|"
                                  + _EN.format(r"certificate of registration"), re.I)),
             ("opposition", re.compile(r"异议|" + _EN.format(r"opposition|oppose"), re.I)),
             ("cancellation", re.compile(r"撤销|撤三|撤销连续三年|"
                                         + _EN.format(r"cancell?ation|non-use"), re.I)),
             ("licence", re.compile(r"许可备案|使用许可|许可|授权(?:给)?(?:别人|他人|别家|其他)|"
                                    + _EN.format(r"licen[cs]e"), re.I)),
             ("review", re.compile(r"复审|评审|" + _EN.format(r"review of refusal|appeal"), re.I)),
             ("registration", re.compile(r"注册|申请|报.{0,2}类|类别|商品|小项|" + _EN.format(
                 r"register|registration|application|apply|filing|class|classes"), re.I))]
_ONLINE = re.compile(r"网上|在线|网申|电子申请|网上服务系统|线上|网络申请|网上办|"
                     + _EN.format(r"online|on-line|electronic|e-filing"), re.I)
_PAPER = re.compile(r"纸质|纸件|书面|邮寄|纸本|" + _EN.format(r"paper|by post|by mail"), re.I)
_EACH = re.compile(r"(每|各)\s*(个)?\s*(类|类别)")
_TOTAL = re.compile(r"(一共|总共|共计|合计|共)\s*$")
_SEVERAL = re.compile(r"分别")
_GOODS_AFTER = re.compile(r"\s*(商品|服务|小项|产品|项目)")
# "每个类别多少钱", "一类要几块", "fee per class": the price of one class
_ONE_CLASS = re.compile(r"(每|一|单)\s*[个只]?\s*(类别|类)\s*(的|要|需要|得|收)?\s*(多少|几|费用|价格|价钱|官费)|"
                        r"单个类别|" + _EN.format(r"per class|each class|a class|one class|a single class"),
                        re.I)


@dataclass(frozen=True)
class TrademarkQuery:
    service: str | None = None  # registration / renewal / assignment / … (fees.yml items)
    classes: int | None = None
    goods: tuple[int, ...] | None = None  # per class; one number: the same in every class
    channel: str | None = None  # paper / online / None: both are given


_REST = re.compile(r"其他|其余|其它|剩下|另外|另一")


def _goods_by_class(found: list) -> tuple[int, ...] | None:
    """"第25类报了16个商品，第35类报了10个": each class named by its number, with the count that
    follows it before the next one; None unless every class named has one."""
    ordinals = [i for i, n in enumerate(found) if n.unit == "类" and n.ordinal]
    if len(ordinals) < 2:
        return None
    counts = []
    for at, i in enumerate(ordinals):
        end = ordinals[at + 1] if at + 1 < len(ordinals) else len(found)
        count = next((n for n in found[i + 1:end] if n.is_integer and n.exact and not n.ordinal
                      and n.unit in ("项", "个")), None)
        if count is None:
            return None
        counts.append(int(count.value))
    return tuple(counts)


def _split_goods(text: str, counted: list, goods_numbers: list) -> tuple[int, ...] | None:
    """"5个类别，其中两个类别各14个商品，其他都是10个": some of the classes with one count of
    goods, the rest with another; () when the rest's count is not said; None when the message
    does not split them so."""
    if len(counted) < 2 or not goods_numbers:
        return None
    classes, part = int(counted[0].value), int(counted[1].value)
    first = next((n for n in goods_numbers if n.start > counted[1].start), None)
    rest = _REST.search(text, first.end) if first else None
    later = next((n for n in numbers(text[rest.end():]) if n.is_integer and n.exact
                  and not n.ordinal and n.unit in ("个", "项", None)), None) if rest else None
    if not 0 < part < classes:
        return None
    if later is None:  # one count for some classes, the rest's unsaid: none for every class
        return () if len(goods_numbers) == 1 else None
    if rest.group() == "另一" and classes - part > 1:
        return ()  # "3个类别，一个13个，另一个10个": one other class, the third is unsaid
    return (int(first.value),) * part + (int(later.value),) * (classes - part)


def read_trademark(text: str) -> TrademarkQuery:
    text = to_simplified(text or "")
    found = numbers(text)
    ordinal_classes = {int(n.value) for n in found if n.unit == "类" and n.ordinal}
    # "五六个类别" is not a count to price: the form asks
    counted = [n for n in found if n.unit == "类" and not n.ordinal and n.is_integer and n.exact]
    classes = int(counted[0].value) if counted else (len(ordinal_classes) or None)
    several = _SEVERAL.search(text)
    goods_numbers = [n for n in found if n.is_integer and n.exact and not n.ordinal and (
        n.unit == "项" or (n.unit in ("个", None) and (
            _EACH.search(text[max(0, n.start - 6):n.start])
            or (several and n.start > several.start())
            # "一个类别12个商品": with one class, the goods named are that class's
            or ((classes or 1) == 1 and _GOODS_AFTER.match(text[n.end:])))))]
    split = _goods_by_class(found) or _split_goods(text, counted, goods_numbers)
    goods = split or None
    if split is None and goods_numbers:
        values = tuple(int(n.value) for n in goods_numbers)
        total_said = _TOTAL.search(text[:goods_numbers[0].start])
        if total_said and len(values) == 1 and (classes or 1) > 1:
            pass  # "3个类别一共30个商品": how they split decides the fee, so the form asks
        elif len(values) > 1 and (several or len(values) == classes):
            goods = values
        else:
            goods = values[:1]
    if classes is None and goods is None and _ONE_CLASS.search(text):
        classes = 1
    service = next((name for name, p in _SERVICES if p.search(text)), None)
    if service is None and goods:
        service = "registration"  # "第35类和第43类各15个服务": goods are counted for a registration
    channel = "online" if _ONLINE.search(text) else "paper" if _PAPER.search(text) else None
    return TrademarkQuery(service, classes, goods, channel)


# --- what a message is about -----------------------------------------------------------------
# "sb" and "zl" are how people type 商标 and 专利 with pinyin initials ("sb转让多少钱", "zl年费").
TRADEMARK_WORDS = re.compile(r"商标|类别|(?<![a-z])(?:sb|shangbiao|trade ?marks?|"
                             r"(?:collective|certification) marks?)(?![a-z])", re.I)
PATENT_WORDS = re.compile(r"专利|发明|实用新[型形行性]|实新|外[观官关管]设计|年费|实审|"
                          r"(?<![a-z])(?:zl|zhuanli|patents?)(?![a-z])", re.I)


def names_trademark(text: str) -> bool:
    return bool(TRADEMARK_WORDS.search(to_simplified(text or "")))


def names_patent(text: str) -> bool:
    return bool(PATENT_WORDS.search(to_simplified(text or "")))


# --- merging a correction -----------------------------------------------------------------
def follows_up(text: str) -> bool:
    """"那120万呢", "换成实用新型", "不对，是…": the last calculation, changed."""
    return bool(FOLLOW_UP.search(to_simplified(text or "")))


def merge(old: dict, new: dict) -> dict:
    """The old facts with what the new message says put over them (None says nothing; False
    does: "不是共同申请")."""
    out = dict(old)
    for key, value in new.items():
        if value is not None and value != () and not (value is False and key in (
                "pct", "receiving_cnipa", "hague", "open_licence")):
            out[key] = value
    return out

