"""The three computations. Each takes the schedule in force and the facts, and returns a plain
result: what was computed, with the records (and so the sources) it used, or what is missing.
Amounts are Decimal; nothing is rounded (every official amount and rate here gives whole yuan).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from knowledge.fees.facts import Amount, Party, PatentQuery, TrademarkQuery
from knowledge.fees.schedule import ApplicantKind, Fee, FeeSchedule, Rule

HUNDRED = Decimal(100)
MONTHS = Decimal(12)


def after(amount: Decimal | None, rule: Rule | None) -> Decimal | None:
    """What is paid after a reduction of `rule.value` per cent."""
    if amount is None or rule is None or rule.value is None:
        return None
    return amount * (HUNDRED - rule.value) / HUNDRED


# --- 专利费减: eligible or not ----------------------------------------------------------------
@dataclass(frozen=True)
class Eligibility:
    """verdict: eligible / not_eligible / depends (the bounds given allow both) / by_kind (a
    public institution, social organisation or non-profit research institution) / not_covered
    (the sources say nothing about this kind) / need_kind / need_amount / need_period (monthly
    or yearly decides it) / no_rule (no limit in force today)."""
    verdict: str
    kind: ApplicantKind | None = None
    word: str = ""  # the citizen's word for the kind, when it is not the kind's name
    amount: Amount | None = None
    limit: Rule | None = None
    limit_value: Decimal | None = None  # the limit in the amount's period: 5000 a month …
    per: str | None = None  # the period compared: month / year
    single: Rule | None = None
    joint_rule: Rule | None = None
    joint: bool | None = None
    other_basis: bool = False  # an enterprise gave profit or revenue, not taxable income
    income_limit: Rule | None = None  # both standards, named when the sources leave the kind's
    taxable_limit: Rule | None = None  # standard open (not_covered)

    @property
    def missing(self) -> str | None:
        return {"need_kind": "kind", "need_amount": "amount",
                "need_period": "period"}.get(self.verdict)


def check_eligibility(schedule: FeeSchedule, kind_id: str | None, amount: Amount | None,
                      joint: bool | None = None, word: str = "") -> Eligibility:
    kind = schedule.kind(kind_id)
    rates = dict(single=schedule.rule("reduction_single"),
                 joint_rule=schedule.rule("reduction_joint"), joint=joint)
    if kind is None:
        return Eligibility("need_kind", **rates)
    word = "" if word in ("", kind.name) else word
    if kind.test == "by_kind":
        return Eligibility(kind.test, kind, word, **rates)
    if kind.test == "not_covered":
        return Eligibility(kind.test, kind, word, **rates,
                           income_limit=schedule.rule("income_limit"),
                           taxable_limit=schedule.rule("taxable_income_limit"))
    limit = schedule.rule("income_limit" if kind.test == "income" else "taxable_income_limit")
    if limit is None or limit.value is None:
        return Eligibility("no_rule", kind, word, amount, **rates)
    if amount is None:
        return Eligibility("need_amount", kind, word, limit=limit, **rates)
    if kind.test == "taxable_income":  # a yearly figure by definition
        verdict = _verdict(amount.below(limit.value))
        return Eligibility(verdict, kind, word, amount, limit, limit.value, "year", **rates,
                           other_basis=amount.basis in ("profit", "revenue", "income"))
    by_period = {per: _verdict(amount.below(limit.value / MONTHS if per == "month"
                                            else limit.value))
                 for per in (("month", "year") if amount.per is None else (amount.per,))}
    if len(set(by_period.values())) > 1:
        return Eligibility("need_period", kind, word, amount, limit, **rates)
    per = amount.per or "year"
    return Eligibility(by_period[per], kind, word, amount, limit,
                       limit.value / MONTHS if per == "month" else limit.value,
                       amount.per, **rates)


@dataclass(frozen=True)
class JointEligibility:
    """A joint application: every co-applicant must qualify on its own (财税〔2016〕78号), so
    one that does not makes the application pay in full."""
    parties: tuple[Eligibility, ...]
    missing = None  # each party's figure was said with it: nothing to ask

    @property
    def verdict(self) -> str:
        """not_eligible when one is not; eligible when all are (by figure or by kind);
        else depends (a figure that allows both, a kind the sources leave open)."""
        verdicts = [p.verdict for p in self.parties]
        if "not_eligible" in verdicts:
            return "not_eligible"
        if all(v in ("eligible", "by_kind") for v in verdicts):
            return "eligible"
        return "depends"

    @property
    def joint_rule(self) -> Rule | None:
        return self.parties[0].joint_rule if self.parties else None


def check_joint(schedule: FeeSchedule, parties: list[Party]) -> JointEligibility:
    return JointEligibility(tuple(check_eligibility(schedule, p.kind, p.amount, True, p.word)
                                  for p in parties))


def _verdict(below: bool | None) -> str:
    return {True: "eligible", False: "not_eligible", None: "depends"}[below]


# --- patent fees ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeeLine:
    fee: Fee
    single: Decimal | None  # paid after the single-applicant reduction (None: not reducible)
    joint: Decimal | None


@dataclass(frozen=True)
class PatentFees:
    """problem: need_type / need_item / need_year / year_beyond (past the last annual fee) /
    no_such_fee (e.g. examination of a design) / hague_only (the Hague rule, no amount) / None."""
    query: PatentQuery
    problem: str | None = None
    lines: tuple[FeeLine, ...] = ()
    single: Rule | None = None
    joint: Rule | None = None
    annual_years: Rule | None = None
    open_licence: Rule | None = None
    pct: tuple[tuple[Rule, Decimal | None], ...] = ()  # (rule, examination fee after it)
    hague: Rule | None = None
    max_year: int | None = None
    schedule_fee: Fee | None = None  # when nothing fits: a fee of the same schedule, to cite it
    applicants_joint: bool | None = None  # said, or implied by the rate said: which line applies
    odd_rate: int | None = None  # a rate said that is neither 费减 rate (nor PCT's, open licence's)

    @property
    def missing(self) -> str | None:
        return {"need_type": "patent_type", "need_item": "item",
                "need_year": "year"}.get(self.problem or "")

    def by_amount(self) -> list[tuple[tuple[int, int], Decimal, int]]:
        """Cumulative annual fees grouped: ((first year, last year), amount a year, years)."""
        out: list = []
        for year, line in enumerate(self.lines, start=1):
            if out and out[-1][1] == line.fee.amount:
                (first, _), amount, n = out[-1]
                out[-1] = ((first, year), amount, n + 1)
            else:
                out.append(((year, year), line.fee.amount, 1))
        return out

    def total(self, which: str) -> Decimal | None:
        """full / single / joint: the sum of the lines, None if any amount is unknown."""
        values = [line.fee.amount if which == "full" or not line.fee.reducible else
                  (line.single if which == "single" else line.joint) for line in self.lines]
        return None if not values or any(v is None for v in values) else sum(values, Decimal(0))


TOTAL_ITEMS = {"invention": ("application", "printing", "exam"),
               "utility_model": ("application",), "design": ("application",)}
ANY_TYPE_ITEMS = {"surcharge", "priority_claim", "late_payment"}


def patent_fees(schedule: FeeSchedule, q: PatentQuery) -> PatentFees:
    rules = dict(single=schedule.rule("reduction_single"), joint=schedule.rule("reduction_joint"))
    hague = schedule.rule("hague_designation") if q.hague else None
    if hague and q.item is None:  # "海牙外观设计能费减吗": the rule, no amount to compute
        return PatentFees(q, "hague_only", hague=hague, **rules)
    if q.patent_type is None and q.item not in ANY_TYPE_ITEMS:
        return PatentFees(q, "need_type", hague=hague, **rules)
    if q.item is None:
        return PatentFees(q, "need_item", hague=hague, **rules)
    ptype = q.patent_type or "invention"
    if q.item in ("annual", "annual_total"):
        top = schedule.max_year(ptype)
        if q.year is None:
            return PatentFees(q, "need_year", max_year=top, **rules)
        if top is None or q.year > top:
            return PatentFees(q, "year_beyond", max_year=top, **rules,
                              schedule_fee=schedule.patent(ptype, "annual", top or 1))
    if q.item == "annual_total":  # years 1 to N, at full price: reductions depend on the grant year
        fees = [schedule.patent(ptype, "annual", year) for year in range(1, q.year + 1)]
    else:
        items = TOTAL_ITEMS.get(ptype, ()) if q.item == "total" else tuple(q.item.split("+"))
        fees = [schedule.patent(ptype, item, q.year) for item in items]
    if not fees or any(f is None for f in fees):
        return PatentFees(q, "no_such_fee", **rules,
                          schedule_fee=schedule.patent(ptype, "application"))
    lines = tuple(FeeLine(f, after(f.amount, rules["single"]) if f.reducible else None,
                          after(f.amount, rules["joint"]) if f.reducible else None)
                  for f in fees)
    if q.item == "annual_total":
        return PatentFees(q, None, lines, annual_years=schedule.rule("annual_reduction_years"),
                          max_year=schedule.max_year(ptype), **rules)
    joint, odd_rate = _applicants(q, rules["single"], rules["joint"])
    pct: list[tuple[Rule, Decimal | None]] = []
    asked = set(q.item.split("+")) | ({"application", "exam"} if q.item == "total" else set())
    if q.pct and "exam" in asked:
        exam = schedule.patent("invention", "exam")
        names = [f"pct_exam_{q.search}"] if q.search else [
            "pct_exam_cnipa_both", "pct_exam_cnipa_search", "pct_exam_epo_jpo_se"]
        pct = [(r, after(exam.amount if exam else None, r))
               for r in (schedule.rule(n) for n in names) if r]
    if q.pct and asked & {"application", "surcharge"}:  # "申请费和申请附加费": both waived
        waived = schedule.rule("pct_application_waived")
        if waived:
            pct.insert(0, (waived, None))
    return PatentFees(
        q, None, lines, annual_years=schedule.rule("annual_reduction_years")
        if q.item == "annual" else None,
        open_licence=schedule.rule("open_licence_annual") if q.item == "annual" else None,
        pct=tuple(pct), hague=hague, max_year=schedule.max_year(ptype), **rules,
        applicants_joint=joint, odd_rate=odd_rate)


def _applicants(q: PatentQuery, single: Rule | None,
                joint: Rule | None) -> tuple[bool | None, int | None]:
    """Alone or jointly, as said ("两个人共同申请") or as the rate said implies ("减缴85%后":
    alone); and a rate said that is no 费减 rate, for the reply to correct."""
    by_rate = {rule.value: rule is joint for rule in (single, joint)
               if rule is not None and rule.value is not None}
    if q.rate is None:
        return q.joint, None
    implied = by_rate.get(Decimal(q.rate))
    if implied is None:  # PCT and open-licence reductions have rates of their own
        return q.joint, None if q.pct or q.open_licence else q.rate
    return (q.joint if q.joint is not None else implied), None


# --- trademark fees ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TrademarkLine:
    fee: Fee
    count: int  # classes, or goods beyond those included
    subtotal: Decimal


@dataclass(frozen=True)
class TrademarkFees:
    """problem: need_service / need_classes / need_goods / no_fee / None. `per_class` True when
    the number of classes was not said: the amounts are for one class. `goods_assumed` True when
    a registration did not say how many goods: priced at what a class includes, with
    `extra_good` (channel, fee) for each one beyond."""
    query: TrademarkQuery
    problem: str | None = None
    channels: tuple[tuple[str, tuple[TrademarkLine, ...], Decimal], ...] = ()
    per_class: bool = False
    goods_assumed: bool = False
    extra_good: tuple[tuple[str, Fee], ...] = ()

    @property
    def missing(self) -> str | None:
        return {"need_service": "service", "need_classes": "classes",
                "need_goods": "goods"}.get(self.problem or "")

    def total(self, channel: str) -> Decimal | None:
        return next((t for c, _, t in self.channels if c == channel), None)


SERVICE_FEES = {"late_renewal": ("renewal", "late_renewal")}  # a late renewal pays both


def trademark_fees(schedule: FeeSchedule, q: TrademarkQuery) -> TrademarkFees:
    if q.service is None:
        return TrademarkFees(q, "need_service")
    registration = q.service == "registration"
    if registration and not q.classes:
        return TrademarkFees(q, "need_classes")
    if registration and q.goods is not None and len(q.goods) not in (1, q.classes):
        return TrademarkFees(q, "need_goods")  # "分别12、8个" for three classes
    # Goods not said: most filings stay within what a class includes, so the price of a class
    # answers the question; the reply says so and what each extra good costs.
    goods_assumed = registration and q.goods is None
    classes = q.classes or 1
    out, extra_good = [], []
    for channel in ((q.channel,) if q.channel else ("online", "paper")):
        fees = [schedule.trademark(item, channel)
                for item in SERVICE_FEES.get(q.service, (q.service,))]
        if any(f is None or f.amount is None for f in fees):
            return TrademarkFees(q, "no_fee")
        lines = [TrademarkLine(f, classes, f.amount * classes) for f in fees]
        if goods_assumed:
            per_good = schedule.trademark("extra_good", channel)
            if per_good is not None and per_good.amount is not None:
                extra_good.append((channel, per_good))
        elif registration:
            base = fees[0]
            goods = q.goods * classes if len(q.goods) == 1 else q.goods
            extra = sum(max(0, g - (base.includes or 0)) for g in goods)
            per_good = schedule.trademark("extra_good", channel)
            if extra:
                if per_good is None or per_good.amount is None:
                    return TrademarkFees(q, "no_fee")
                lines.append(TrademarkLine(per_good, extra, per_good.amount * extra))
            elif per_good is not None and per_good.amount is not None:
                extra_good.append((channel, per_good))  # none charged: the reply says the price
        out.append((channel, tuple(lines), sum((line.subtotal for line in lines), Decimal(0))))
    return TrademarkFees(q, None, tuple(out), per_class=not registration and not q.classes,
                         goods_assumed=goods_assumed, extra_good=tuple(extra_good))
