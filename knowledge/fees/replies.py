"""A calculator's result as the bot says it, in about 300 characters: the number, the rule with
its source and in-force date, that it is an estimate, and the official system that decides.
Where the sources say nothing (个体工商户's standard, a PCT fee's stacking with 费减) the reply
says so and names the channel that can answer.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from knowledge.fees.calculate import Eligibility, JointEligibility, PatentFees, TrademarkFees
from knowledge.fees.facts import Amount
from knowledge.fees.schedule import Citation, FeeSchedule, weakest
from knowledge.records import Reply

PATENT_SYSTEM = "国家知识产权局专利业务办理系统"
TRADEMARK_SYSTEM = "商标网上服务系统"
CONFIDENCE_WORD = {"H": "高", "M": "中", "L": "低"}
TYPE_NAMES = {"invention": "发明专利", "utility_model": "实用新型专利", "design": "外观设计专利"}
CHANNEL_NAMES = {"online": "网上申请", "paper": "纸质申请"}
# Buttons: knowledge-base answers (offered only while in force) and the calculators.
Link = Callable[[str], "dict | None"]
CALC_PATENT = {"title": "算一算专利费", "payload": "/calc_patent_fee"}
CALC_ELIGIBILITY = {"title": "查费减资格", "payload": "/check_fee_eligibility"}
CALC_TRADEMARK = {"title": "算另一项商标费", "payload": "/calc_trademark_fee"}


def yuan(value: Decimal | None) -> str:
    """1000000 → 100万元, 60000 → 6万元, 3450 → 3450元, 12500 → 1.25万元."""
    if value is None:
        return "（金额资料未载明）"
    if value >= 10_000 and (value / 10_000) == (value / 10_000).quantize(Decimal("0.01")):
        return f"{_plain(value / 10_000)}万元"
    return f"{_plain(value)}元"


def fee_yuan(value: Decimal | None) -> str:
    """A fee or a sum of fees, in plain yuan (16300元), as a payment notice shows it."""
    return "（金额资料未载明）" if value is None else f"{_plain(value)}元"


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cite(c: Citation, short: bool = False, dated: bool = True) -> str:
    """The source with its in-force date, or that the sources give none (`dated`: a fee or rule,
    which has a date; a guide does not); `short`: the document number alone when it has one."""
    name = c.number if short and c.number else c.source
    if c.in_force_from:
        return f"{name}（{c.in_force_from.isoformat()}起施行）"
    return f"{name}（施行日期资料未载明）" if dated else name


def sure(*citations: Citation | None) -> str:
    return f"可信度{CONFIDENCE_WORD[weakest(*citations)]}"


def _described(a: Amount) -> str:
    if a.exact is not None:
        text = yuan(a.exact) + ("（亏损）" if a.said == "亏损" else "")
    elif a.low is None:
        text = ("不到" if a.high_open else "不超过") + yuan(a.high)
    elif a.high is None:
        text = ("超过" if a.low_open else "不低于") + yuan(a.low)
    else:
        text = f"{yuan(a.low)}到{yuan(a.high)}之间"
    return ("约" if a.approx else "") + text


def _buttons(link: Link, *items) -> list[dict]:
    out = []
    for item in items:
        button = link(item) if isinstance(item, str) else item
        if button:
            out.append(button)
    return out


_ESTIMATE = f"以上是按您说的情况作的估算，能否减缴以{PATENT_SYSTEM}费减备案的审核为准。"


# --- 专利费减 -----------------------------------------------------------------------------------
def eligibility(r: Eligibility, link: Link) -> Reply:
    kind = r.kind
    rates = _rates(r)
    if r.verdict == "not_covered":
        standards = "还是按".join(f"“{rule.name}”" for rule in (r.income_limit, r.taxable_limit)
                                 if rule)
        # the rates are the same for every applicant who qualifies: "能减多少" gets them
        rates = (f"备案通过的，单独申请减缴{_plain(r.single.value)}%，共同申请减缴"
                 f"{_plain(r.joint_rule.value)}%。" if r.single and r.joint_rule else "")
        text = (f"{kind.name}是按{standards}来判断、交什么证明，"
                f"现有资料没有明确说明，我不能替您判断。请按{PATENT_SYSTEM}"
                f"费减备案的说明选择，或咨询依法备案的专利代理机构。{rates}"
                f"{kind.note or ''}\n"
                f"来源：{cite(kind.citation, dated=False)}"
                + (f"；比例：{cite(r.single.citation, short=True)}" if r.single else "")
                + f"；{sure(kind.citation, r.single.citation if r.single else None)}")
        return Reply(text, _buttons(link, "fee_reduction.eligibility",
                                    "fee_reduction.online_filing"))
    if r.verdict == "by_kind":
        called = f"（您说的“{r.word}”一般属于{kind.name}，以法人证书登记的类型为准）" if r.word else ""
        text = (f"{kind.name}{called}按单位性质即可请求专利费减，不看收入。{rates}"
                f"证明材料：{kind.proof}。\n"
                f"来源：{cite(_dated(kind.citation, r.single))}；"
                f"{sure(kind.citation, r.single.citation if r.single else None)}。"
                f"{_ESTIMATE}")
        return Reply(text, _buttons(link, CALC_PATENT, "fee_reduction.online_filing"))
    if r.verdict == "no_rule":
        return Reply(f"今天没有查到在施行的{kind.name}费减标准，不能为您判断。请以{PATENT_SYSTEM}的说明为准。",
                     _buttons(link, "fee_reduction.eligibility"))
    a, limit = r.amount, r.limit
    label = _label(r)
    said = f"{label}{_described(a)}"
    if r.other_basis:
        head = (f"标准看的是上年度应纳税所得额（以企业所得税年度纳税申报表为准），不是{label}。"
                f"如果应纳税所得额也是{_described(a)}，")
        head += {"eligible": f"低于{yuan(r.limit_value)}，就符合费减条件。{rates}",
                 "not_eligible": f"不低于{yuan(r.limit_value)}，就不符合费减条件。",
                 "depends": f"要看它是否低于{yuan(r.limit_value)}。"}[r.verdict]
    elif r.verdict == "eligible":
        head = f"按您说的（{kind.name}，{said}）：低于{yuan(r.limit_value)}，符合专利费减条件。{rates}"
    elif r.verdict == "not_eligible":
        head = (f"按您说的（{kind.name}，{said}）：不低于{yuan(r.limit_value)}，不符合专利费减条件"
                f"（要求“低于”，正好{yuan(r.limit_value)}也不符合），费用按标准全额缴纳。")
    else:
        monthly = r.per == 'month' and '月均' not in label
        head = (f"您说的是{said}。标准要求{label.replace('收入', '月均收入') if monthly else label}"
                f"低于{yuan(r.limit_value)}（正好{yuan(r.limit_value)}也不符合），"
                f"单凭这个说法还判断不了。告诉我具体数字，我再帮您算。")
    proof = f"证明材料：{kind.proof}。" if r.verdict == "eligible" and kind.proof else ""
    rate_source = (f"；比例：{cite(r.single.citation, short=True)}"
                   if r.verdict == "eligible" and r.single else "")
    text = (f"{head}{proof}\n来源：{cite(limit.citation, short=True)}{rate_source}；"
            f"{sure(limit.citation, r.single.citation if rate_source else None)}。{_ESTIMATE}")
    if r.verdict == "eligible":
        buttons = _buttons(link, CALC_PATENT, "fee_reduction.online_filing")
    elif r.verdict == "not_eligible":
        buttons = _buttons(link, "fee_reduction.open_licence", CALC_PATENT)
    else:
        buttons = _buttons(link, "fee_reduction.eligibility")
    return Reply(text, buttons)


def joint_eligibility(r: JointEligibility, link: Link) -> Reply:
    """Each co-applicant with its own verdict, then the application's."""
    lines, proofs, citations = [], [], []
    for p in r.parties:
        kind = p.kind
        if p.verdict == "by_kind":
            lines.append(f"{kind.name}{'（' + p.word + '）' if p.word else ''}按单位性质可以请求，不看收入")
            citations.append(_dated(kind.citation, p.single))
        elif p.verdict in ("eligible", "not_eligible"):
            said = f"{_label(p)}{_described(p.amount)}"
            lines.append(f"{kind.name}（{said}）" + (f"低于{yuan(p.limit_value)}，符合"
                         if p.verdict == "eligible" else f"不低于{yuan(p.limit_value)}，不符合"))
            citations.append(p.limit.citation)
        elif p.verdict == "not_covered":
            lines.append(f"{kind.name}按哪项标准判断，现有资料没有明确说明")
            citations.append(kind.citation)
        elif p.limit is not None and p.amount is not None:
            lines.append(f"{kind.name}（{_described(p.amount)}）要看是否低于标准")
            citations.append(p.limit.citation)
        else:
            lines.append(f"{kind.name}今天没有查到在施行的标准")
        if kind.proof and f"{kind.name}：{kind.proof}" not in proofs:
            proofs.append(f"{kind.name}：{kind.proof}")
    head = "共同申请的，每个申请人都要分别符合条件。按您说的：" + "；".join(lines) + "。"
    joint = r.joint_rule
    if r.verdict == "not_eligible":
        tail = ("有一方不符合，这件共同申请不能请求费减，费用按标准全额缴纳"
                "（要求“低于”，正好等于标准也不符合）。")
        buttons = _buttons(link, "fee_reduction.open_licence", CALC_PATENT)
    elif r.verdict == "eligible":
        rate = f"减缴{_plain(joint.value)}%" if joint and joint.value is not None else "可以请求费减"
        tail = f"都符合，共同申请{rate}。证明材料各交各的：" + "；".join(proofs) + "。"
        if joint:
            citations.append(joint.citation)
        buttons = _buttons(link, CALC_PATENT, "fee_reduction.online_filing")
    else:
        tail = "单凭这些还判断不了，告诉我每个申请人的具体数字，我再帮您算。"
        buttons = _buttons(link, "fee_reduction.eligibility")
    return Reply(f"{head}{tail}\n来源：{_source_list(citations)}；{sure(*citations)}。{_ESTIMATE}",
                 buttons)


def _dated(c: Citation, rule) -> Citation:
    """The kind's source with the in-force date of a rule from the same document (the kinds
    have no dates of their own: they are the 2016 rules' categories)."""
    if rule is not None and rule.citation.source == c.source and rule.citation.in_force_from:
        return rule.citation
    return c


def _label(r: Eligibility) -> str:
    a = r.amount
    if r.kind.test == "taxable_income":
        return {"profit": "利润", "revenue": "营业额", "income": "收入"}.get(
            a.basis or "", "上年度应纳税所得额")
    return {"month": "上年度月均收入", "year": "上年度收入"}.get(r.per or "", "收入")


def _rates(r: Eligibility) -> str:
    single, joint = r.single, r.joint_rule
    if single is None or joint is None:
        return "减缴比例今天没有查到在施行的规定。"
    s, j = f"{_plain(single.value)}%", f"{_plain(joint.value)}%"
    if r.joint is True:
        return f"您是共同申请，减缴{j}，每个共同申请人都要分别符合条件。"
    if r.joint is False:
        return f"单独申请减缴{s}。"
    return f"单独申请减缴{s}；与他人共同申请减缴{j}，每个申请人都要分别符合条件。"


def _source_list(citations: list[Citation]) -> str:
    """Each document once, with its in-force date when any of its citations has one."""
    by_name: dict[str, str] = {}
    for c in citations:
        name = c.number or c.source
        if name not in by_name or c.in_force_from:
            by_name[name] = cite(c, short=True, dated=False)
    return "、".join(by_name.values())


def _rates_said(schedule: FeeSchedule, joint: bool | None) -> tuple[str, list[Citation]]:
    """The reduction that applies to whoever qualifies (both, when alone or jointly is not
    said), and its citation: a citizen who asked "能减几成" has it while the form asks on."""
    single, joint_rule = schedule.rule("reduction_single"), schedule.rule("reduction_joint")
    if not (single and joint_rule and single.value is not None
            and joint_rule.value is not None):
        return "", []
    s, j = _plain(single.value), _plain(joint_rule.value)
    said = {True: f"共同申请的，符合条件减缴{j}%，每个申请人都要分别符合。",
            False: f"单独申请的，符合条件减缴{s}%。",
            None: f"符合条件的，单独申请减缴{s}%，共同申请减缴{j}%。"}[joint]
    return said, [single.citation]


def applicant_question(schedule: FeeSchedule, joint: bool | None = None) -> str:
    """The eligibility form's first question, after the standards by kind of applicant and
    the rates: a citizen who asked "能不能费减" has the rule before answering anything."""
    rules = [r for r in (schedule.rule("income_limit"), schedule.rule("taxable_income_limit")) if r]
    by_kind = [k for k in schedule.kinds if k.test == "by_kind"]
    said = [r.name for r in rules]
    if by_kind:
        said.append("、".join(k.name for k in by_kind) + "可以请求，不看收入")
    rates, rate_citations = _rates_said(schedule, joint)
    sources = _source_list([r.citation for r in rules] + [k.citation for k in by_kind]
                           + rate_citations)
    standard = (f"专利费减看申请人类别：{'；'.join(said)}。{rates}\n来源：{sources}。\n"
                if said else "")
    return standard + "帮您判断：申请人是哪一类？"


def income_question(schedule: FeeSchedule, enterprise: bool, joint: bool | None = None) -> str:
    """The eligibility form's income question, after the standard it is measured against and
    the rates: a citizen who asked "看什么指标" has the answer before giving a number."""
    rule = schedule.rule("taxable_income_limit" if enterprise else "income_limit")
    rates, rate_citations = _rates_said(schedule, joint)
    sources = _source_list(([rule.citation] if rule else []) + rate_citations)
    standard = (f"标准：{rule.name}，正好等于也不符合。{rates}\n"
                f"来源：{sources}。\n" if rule else "")
    if enterprise:
        return standard + "企业上年度的应纳税所得额是多少？（看上年度企业所得税年度纳税申报表）例如“80万”。"
    return standard + "您上年度的收入大约多少？说月均收入或全年收入都可以，例如“月收入4000”“年收入5万”。"


# --- patent fees ------------------------------------------------------------------------------
def patent_type_question(schedule: FeeSchedule, joint: bool | None = None) -> str:
    """The patent calculator's first question, after the reduction rates: a citizen who asked
    "官费能少交多少" has the percentages while the form asks which patent."""
    rates, citations = _rates_said(schedule, joint)
    head = f"专利费减{rates}\n来源：{_source_list(citations)}。\n" if rates else ""
    return head + "帮您算专利官费。是哪一种专利？"


def patent(r: PatentFees, link: Link) -> Reply:
    q = r.query
    tail = f"以上为按公布标准的估算，实际以{PATENT_SYSTEM}的缴费通知为准。"
    basis = (f"\n来源：{cite(r.schedule_fee.citation)}；{sure(r.schedule_fee.citation)}。"
             if r.schedule_fee else "")
    if r.problem == "year_beyond":
        top = f"只列到第{r.max_year}年" if r.max_year else "没有列出"
        return Reply(f"收费标准中{TYPE_NAMES.get(q.patent_type, '该类专利')}的年费{top}，"
                     f"没有第{q.year}年的标准，请核对年份；以{PATENT_SYSTEM}的缴费通知为准。{basis}",
                     _buttons(link, "fee_reduction.annual_fee"))
    if r.problem == "hague_only":
        rates = (f"（单独{_plain(r.single.value)}%、共同{_plain(r.joint.value)}%）"
                 if r.single and r.joint else "")
        return Reply(f"{r.hague.name}，减缴条件和比例与国内申请相同{rates}。"
                     f"指定费的金额不在现有资料中，以国家知识产权局的公告和专利业务办理系统为准。\n"
                     f"来源：{cite(r.hague.citation)}；{sure(r.hague.citation)}。",
                     _buttons(link, CALC_ELIGIBILITY, "fee_reduction.eligibility"))
    if r.problem == "no_such_fee":
        return Reply(f"现有收费标准中没有{TYPE_NAMES.get(q.patent_type, '')}的这项费用"
                     f"（例如实质审查费只列了发明专利）。请以{PATENT_SYSTEM}的缴费通知为准。{basis}",
                     _buttons(link, "fee_reduction.standard_fees", CALC_PATENT))
    if q.item == "annual_total":
        return _annual_total(r, link)
    lines, fees = r.lines, [line.fee for line in r.lines]
    first = fees[0]
    type_name = TYPE_NAMES[q.patent_type or "invention"]
    name = first.name if len(fees) == 1 else f"{type_name}申请阶段官费" \
        if q.item == "total" else f"{type_name}官费合计"
    if q.item == "annual":
        name = f"{first.name}（第{q.year}年）"
    parts = []
    if len(fees) == 1 and first.amount is None:
        parts.append(f"{first.name}现有资料没有金额" +
                     ("，不在减缴范围，按标准全额缴纳。" if not first.reducible else "。"))
    elif len(fees) == 1:
        parts.append(f"{name}：{fee_yuan(first.amount)}。")
    elif all(f.amount is not None for f in fees):
        parts.append(f"{name}：" + "＋".join(f"{_short_name(f.name, q)}{_plain(f.amount)}"
                                             for f in fees) + f"＝{fee_yuan(r.total('full'))}。")
    else:  # "申请费和申请附加费": the sources name 申请附加费 but give no amount, so no sum
        known = [f for f in fees if f.amount is not None]
        unknown = "、".join(_short_name(f.name, q) for f in fees if f.amount is None)
        parts.append("".join(f"{_short_name(f.name, q)}{fee_yuan(f.amount)}，" for f in known)
                     + f"{unknown}现有资料没有金额，合计以缴费通知为准。")
    reducible = [line for line in lines if line.fee.reducible and line.fee.amount is not None]
    if q.pct and q.item == "exam":
        parts = [f"PCT国际申请进入中国国家阶段的实质审查费（标准{fee_yuan(first.amount)}）："]
        reducible = []  # its own reductions below, not 费减's
    if reducible and r.single and r.joint and r.total("single") is None:
        s, j = _plain(r.single.value), _plain(r.joint.value)
        parts.append("符合费减条件的：" + "；".join(
            f"{_short_name(line.fee.name, q)}单独申请减缴{s}%后交{fee_yuan(line.single)}、"
            f"共同申请减缴{j}%后交{fee_yuan(line.joint)}" for line in reducible) + "。")
    elif reducible and r.single and r.joint:
        s, j = _plain(r.single.value), _plain(r.joint.value)
        # alone or jointly, when said (or implied by the rate said): only the line that applies
        shown = {None: ("single", "joint"), False: ("single",), True: ("joint",)}[
            r.applicants_joint]
        if len(lines) == 1:
            said = {"single": f"单独申请减缴{s}%后交{fee_yuan(lines[0].single)}",
                    "joint": f"共同申请减缴{j}%后交{fee_yuan(lines[0].joint)}"}
            parts.append("符合费减条件的：" + "，".join(said[k] for k in shown) + "。")
        else:
            fixed = "、".join(_short_name(line.fee.name, q) for line in lines
                             if not line.fee.reducible)
            said = {"single": f"单独申请{fee_yuan(r.total('single'))}",
                    "joint": f"共同申请{fee_yuan(r.total('joint'))}"}
            parts.append("费减后：" + "，".join(said[k] for k in shown)
                         + (f"（{fixed}不减）" if fixed else "") + "。")
        if r.odd_rate is not None:
            parts.append(f"您说的{r.odd_rate}%不是专利费减的比例：费减只有单独申请减缴{s}%、"
                         f"共同申请减缴{j}%两档。")
    elif len(lines) == 1 and first.amount is not None and not first.reducible:
        parts.append("这项费用不在减缴范围，按标准全额缴纳。")
    if r.annual_years and r.annual_years.value:
        parts.append(f"年费只在授予专利权当年起{_plain(r.annual_years.value)}年内可减缴。")
    shown_open_licence = bool(q.open_licence and r.open_licence and first.amount is not None)
    if shown_open_licence:
        paid = first.amount * (100 - r.open_licence.value) / 100
        parts.append(f"开放许可期间年费减缴{_plain(r.open_licence.value)}%（交{fee_yuan(paid)}），"
                     "不与费减叠加，按最优惠的一项。")
    if q.item == "total":
        parts.append("授权后还要按年缴年费。")
    parts += _pct_lines(r)
    if r.hague:
        parts.append(f"{r.hague.name}（{cite(r.hague.citation, short=True)}）。")
    sources = [cite(first.citation)]
    used = [f.citation for f in fees]
    if reducible and r.single:
        sources.append(f"减缴比例：{cite(r.single.citation, short=True)}")
        used.append(r.single.citation)
    if r.annual_years:
        sources.append(f"年限：{cite(r.annual_years.citation, short=True)}")
        used.append(r.annual_years.citation)
    if shown_open_licence:
        sources.append(f"开放许可：{cite(r.open_licence.citation, short=True)}")
        used.append(r.open_licence.citation)
    used += [rule.citation for rule, _ in r.pct]
    sources.append(sure(*used))
    text = "".join(parts) + "\n来源：" + "；".join(sources) + "。" + tail
    return Reply(text, _buttons(link, CALC_ELIGIBILITY, "fee_reduction.non_reducible",
                                "fee_reduction.annual_fee" if q.item == "annual"
                                else "fee_reduction.timing"))


def _annual_total(r: PatentFees, link: Link) -> Reply:
    q, first = r.query, r.lines[0].fee
    groups = "＋".join(f"{n}×{_plain(amount)}" if n > 1 else _plain(amount)
                      for _, amount, n in r.by_amount())
    years = r.annual_years.value if r.annual_years and r.annual_years.value else None
    reduced = (f"年费只在授予专利权当年起{_plain(years)}年内可减缴（单独申请减{_plain(r.single.value)}%，"
               f"共同申请减{_plain(r.joint.value)}%），减缴后合计要看授权在哪一年，这里不替您假设。"
               if years and r.single and r.joint else "")
    used = [first.citation] + [x.citation for x in (r.annual_years,) if x]
    text = (f"{TYPE_NAMES[q.patent_type or 'invention']}第1至{q.year}年年费原价合计：{groups}"
            f"＝{fee_yuan(r.total('full'))}。{reduced}\n"
            f"来源：{cite(first.citation)}"
            + (f"；年限：{cite(r.annual_years.citation, short=True)}" if r.annual_years else "")
            + f"；{sure(*used)}。以上为按公布标准的估算，实际以{PATENT_SYSTEM}的缴费通知为准。")
    return Reply(text, _buttons(link, CALC_ELIGIBILITY, "fee_reduction.annual_fee"))


def _short_name(name: str, q) -> str:
    """"发明专利申请公布印刷费" → "申请公布印刷费" inside a sum that names the type once."""
    return name.replace(TYPE_NAMES.get(q.patent_type or "", "-"), "")


def _pct_lines(r: PatentFees) -> list[str]:
    out = []
    for rule, paid in r.pct:
        if rule.rule == "pct_application_waived":
            if r.query.receiving_cnipa:
                out.append("国家知识产权局是受理局的，免缴申请费和申请附加费。")
            else:
                out.append("PCT申请：国家知识产权局为受理局的，免缴申请费和申请附加费。")
            continue
        said = rule.name.replace("PCT进入国家阶段：", "")
        out.append(f"{said}" + (f"（交{fee_yuan(paid)}）" if paid else "") + "；")
    if out:
        out[-1] = out[-1].rstrip("；。") + "。"
    if r.pct:
        out.append("这些减免与专利费减能否叠加，现有资料没有说明，以缴费通知为准。")
    return out


# --- trademark fees ---------------------------------------------------------------------------
def trademark(r: TrademarkFees, link: Link) -> Reply:
    q = r.query
    if r.problem == "no_fee":
        return Reply(f"今天没有查到这项商标业务在施行的收费标准，请以{TRADEMARK_SYSTEM}为准。",
                     _buttons(link, "trademark.fee_other"))
    parts = []
    first_lines = r.channels[0][1]
    base = first_lines[0].fee
    if r.goods_assumed:
        parts.append(f"商标注册官费估算（{q.classes}个类别，按每类不超过{base.includes}个商品或服务计）：")
    elif q.service == "registration":
        goods = (f"各类分别{'、'.join(map(str, q.goods))}个" if len(q.goods) > 1
                 else f"每类{q.goods[0]}个")
        parts.append(f"商标注册官费估算（{q.classes}个类别，{goods}商品或服务）：")
    else:
        head = "、".join(line.fee.name for line in first_lines)
        parts.append(f"{head}（{'每个类别' if r.per_class else f'{q.classes}个类别'}）：")
    for channel, lines, total in r.channels:
        if len(lines) == 1 and lines[0].count == 1:
            amount = "0元（免收）" if total == 0 else fee_yuan(total)
        else:
            amount = "＋".join((f"{line.count}×" if line.count > 1 else "") +
                              _plain(line.fee.amount) for line in lines) + f"＝{fee_yuan(total)}"
        parts.append(f"{CHANNEL_NAMES[channel]}{amount}；")
    parts[-1] = parts[-1].rstrip("；") + "。"
    extra = "、".join(f"{CHANNEL_NAMES[c][:2]}{fee_yuan(f.amount)}" for c, f in r.extra_good)
    if r.goods_assumed and r.extra_good:
        parts.append(f"每类超过{base.includes}个的，每多1个加收{extra}。")
    elif q.service == "registration" and r.extra_good:
        parts.append(f"每个类别含{base.includes}个商品或服务，超出的每多1个加收{extra}。")
    elif q.service == "registration":
        parts.append(f"每个类别含{base.includes}个商品或服务，超出的每个另收费。")
    if q.service == "collective":
        parts.append("超出的商品或服务项目是否另收费，现有资料没有说明。")
    if q.channel is None:
        parts.append("没说纸质还是网上，两种都列出。")
    citations = [line.fee.citation for _, lines, _ in r.channels for line in lines] + [
        f.citation for _, f in r.extra_good]
    text = ("".join(parts) + f"\n来源：{cite(base.citation)}；{sure(*citations)}。"
            f"以上为估算，不含代理费，实际以{TRADEMARK_SYSTEM}的缴费通知为准。")
    return Reply(text, _buttons(link, "trademark.online", CALC_TRADEMARK))


def render(result, link: Link) -> Reply:
    """The reply for any calculator result."""
    if isinstance(result, Eligibility):
        return eligibility(result, link)
    if isinstance(result, JointEligibility):
        return joint_eligibility(result, link)
    if isinstance(result, PatentFees):
        return patent(result, link)
    if isinstance(result, TrademarkFees):
        return trademark(result, link)
    raise TypeError(f"not a calculator result: {type(result).__name__}")

