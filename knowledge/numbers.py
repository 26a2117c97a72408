"""Numbers as citizens type them, with their units: 80万, 八十万, 800000, 80,0000, 800,000,
5千, 5k, 80w, 6w8, 1.2万, 一百万, 一万二, 5万8, 两千五, 五万多, 80多万, 六十来万, 五六万, 三四千, 几十万, 十二件,
3个类别, 第5年, 百分之八十五, full-width digits (８０万) and traditional characters (八十萬).
"5万一年" and "3000一个月" are a sum and its period ("a year"), not 51000 and 3000-and-1.

`numbers(text)` finds them all; what a number means (an income, a count of classes, a year of a
patent's life) is for the reader of the sentence to decide (knowledge/fees/facts.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from knowledge.text import to_simplified

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
              "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
              "捌": 8, "九": 9, "玖": 9,
              "俩": 2, "仨": 3}  # 俩/仨 carry their own measure word: 俩类别 = 两个类别
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_SUFFIX = {"k": 1000, "w": 10_000,  # 5k, 80w: how people write in chat
           "thousand": 1000, "million": 1_000_000}  # 1.5 million: English beside the Chinese
_ALONE = "俩仨"  # whole numbers on their own: 俩一起 is two together, not 21
_SOME = "几"  # 几十万, 十几万, 几千: a few of a unit, a range (_some)
_CN = "".join([*(d for d in _CN_DIGITS if d not in _ALONE), *_SMALL, *_BIG, _SOME])
# Digits grouped by thousands (800,000) or, the Chinese way, by ten-thousands (80,0000).
_ARABIC = r"\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d{1,4}(?:,\d{4})+(?![\d,])|\d+(?:\.\d+)?"
_ATOM = rf"(?:{_ARABIC}|[{_CN}])"
# "六十来万", "十来个": 来 after a number is 多 (a little over), only before a unit: "一来…二来…" is not.
_ABOUT = r"来(?=[万千百亿块元个])"
# "三千出头", "五万出头": a little over, like 多 (三千出头 is 3000 to below 4000, not "3000 or more").
_OVER = "出头"
_NUMBER = re.compile(
    rf"(?P<ordinal>第\s*)?(?P<percent>百分之)?(?P<run>{_ATOM}+(?:(?:[多余]|{_OVER}|{_ABOUT}){_ATOM}*)?|[{_ALONE}])"
    rf"(?:(?P<suffix>[kKwW]|\s?(?i:million|thousand))(?P<tail>\d(?![\d.,]))?(?![A-Za-z]))?")  # 6w8: 68000, 5k8: 5800
# "5万一年", "五千一个月", "3000一个月": a trailing 一 before a period is the period's ("per
# year"), not a digit of the sum. After 十 or 零 it is a digit (十一个月, 一百零一年).
_PERIOD_AFTER_ONE = re.compile(r"一(?:年|个月|月|季度|天|周|个人)")
_DIGIT_BEFORE_ONE = set("十拾零〇")
# Words that hold numeral characters but no number ("一起申请", "千万别", "十四五规划").
_NOT_NUMBERS = re.compile(
    rf"(?<![0-9{_CN}])(?:"
    r"一起|一下|一般|一直|一样|一些|一定|一律|一并|一致|一旦|一同|一块|一点|一切|一方面|一经|"
    r"一来|二来|三来|统一|唯一|万一|千万|十分|十四五|十五五|十三五|百分百|万能|一万个|第一时间|"
    r"一站式|一窗|一网|一次性|一对一|三包|五金|十字)")
_UNITS = [  # checked in order right after a number; the first that fits wins
    ("元", re.compile(r"\s*(?:元|块钱|块|圆|rmb|RMB)")),
    ("类", re.compile(r"\s*(?:[个只]?(?:类别|大类|类)|(?i:classes|class)(?![a-z]))")),
    ("项", re.compile(r"\s*(?:个?(?:商品和服务|商品或服务|商品/服务|商品|服务项目|服务|小项|项目|项)|"
                     r"(?i:goods|items|products|services)(?![a-z]))")),
    ("件", re.compile(r"\s*件")),
    ("人", re.compile(r"\s*(?:个|位|名)?(?:人|个人|申请人|专利权人)")),  # 一个个人: one person
    ("家", re.compile(r"\s*家")),
    ("年", re.compile(r"\s*个?年(?!纪|级|龄)")),  # 第6个年度: the sixth year
    ("月", re.compile(r"\s*个?月")),
    ("%", re.compile(r"\s*%")),
    ("个", re.compile(r"\s*个")),
]
_CURRENCY_BEFORE = re.compile(r"(?:[¥￥]|人民币)\s*$")
# "员工三百来人", "两千余件": about so many of the unit, not a bare number (a sum, to a calculator).
_ABOUT = re.compile(r"\s*[来余]")


@dataclass(frozen=True)
class Number:
    """One number in a text. `value` is what it says; for "五万多" its lower end, with the
    upper end (exclusive) in `upper`."""
    value: Decimal
    unit: str | None  # 元 类 项 件 人 家 年 月 % 个, or None when none follows
    start: int  # span in the simplified text (knowledge.text.to_simplified)
    end: int
    upper: Decimal | None = None
    ordinal: bool = False  # 第N
    scaled: bool = False  # written with 万, 千, 亿, k or w: an amount of money more often than not
    text: str = ""

    @property
    def exact(self) -> bool:
        return self.upper is None

    @property
    def is_integer(self) -> bool:
        return self.value == self.value.to_integral_value()


def numbers(text: str | None) -> list[Number]:
    """Every number in `text`, in order."""
    text = to_simplified(text or "")
    masked = _NOT_NUMBERS.sub(lambda m: " " * len(m.group()), text)
    out = []
    pos = 0
    while (m := _NUMBER.search(masked, pos)) is not None:
        pos = m.end()
        run, run_end = m.group("run"), m.end("run")
        suffix, tail = m.group("suffix"), m.group("tail")
        if len(run) > 1 and _PERIOD_AFTER_ONE.match(masked, run_end - 1) \
                and run[-2] not in _DIGIT_BEFORE_ONE and not all(ch in _CN_DIGITS for ch in run):
            run, run_end, suffix, tail = run[:-1], run_end - 1, None, None
            pos = run_end  # the 一 starts the period: "一年" is read next
        parsed = _parse_run(run)
        if parsed is None:
            continue
        low, high = parsed
        number_end = run_end
        if suffix:
            scale = _SUFFIX[suffix.strip().lower()]
            low, high = low * scale, None if high is None else high * scale
            number_end += len(suffix)
            if tail and high is None and run.isdigit() and len(suffix) == 1:
                low += int(tail) * scale // 10
                number_end += 1
            else:
                pos = min(pos, number_end)
        end, unit = number_end, None
        if m.group("percent"):
            unit = "%"
        else:
            about = _ABOUT.match(masked, end)
            for name, pattern in _UNITS:
                found = pattern.match(masked, end) or (about and pattern.match(masked, about.end()))
                if found:
                    unit, end = name, found.end()
                    break
            if unit is None and _CURRENCY_BEFORE.search(masked[:m.start()]):
                unit = "元"
        scaled = bool(suffix) or any(ch in run for ch in "万亿千仟")
        out.append(Number(_plain(low), unit, m.start(), end,
                          None if high is None else _plain(high), bool(m.group("ordinal")),
                          scaled, text[m.start():end]))
    return out


def _tokens(run: str) -> list | None:
    """The run as numbers (Decimal, with the count of digits written), units and 多."""
    out: list = []
    for m in re.finditer(rf"{_ARABIC}|{_OVER}|[{_CN}{_ALONE}]|[多余来]", run):
        part = m.group()
        if part in _CN_DIGITS:
            out.append(("digit", Decimal(_CN_DIGITS[part]), 1))
        elif part in _SMALL:
            out.append(("small", _SMALL[part]))
        elif part in _BIG:
            out.append(("big", _BIG[part]))
        elif part in "多余来" or part == _OVER:
            out.append(("more",))
        else:
            try:
                digits = part.replace(",", "")
                out.append(("digit", Decimal(digits), len(digits.split(".")[0])))
            except InvalidOperation:
                return None
    return out


def _parse_run(run: str) -> tuple[Decimal, Decimal | None] | None:
    """(value, exclusive upper end or None) of a run like 八十万, 1.2万, 一万二, 80多万."""
    if _SOME in run:
        return _some(run)
    spread = _spread(run)
    if spread is not None:
        return spread
    tokens = _tokens(run)
    if not tokens or tokens[0][0] in ("big", "more") or (
            tokens[0][0] == "small" and tokens[0][1] != 10):
        return None  # "万元", "百分" alone: no number
    if all(t[0] == "digit" and t[2] == 1 for t in tokens) and len(tokens) > 1 \
            and all(isinstance(t[1], Decimal) for t in tokens) \
            and all(ch in _CN_DIGITS for ch in run):
        # 二〇二五, 一二: Chinese digits read one by one
        return Decimal("".join(str(int(t[1])) for t in tokens)), None
    low = _value([t for t in tokens if t[0] != "more"])
    if low is None:
        return None
    if not any(t[0] == "more" for t in tokens):
        return low, None
    return low, _value(tokens, more=True)


def _some(run: str) -> tuple[Decimal, Decimal] | None:
    """几十万, 十几万, 几千, 三十几: 几 is two to nine of its unit (after 十, one to nine), so
    "应纳税所得额几十万" is 200000 to below 1000000, not the 十万 left when 几 was skipped. 几
    alone ("第几年", "几个") is no number."""
    if run.count(_SOME) != 1 or not any(ch in _SMALL or ch in _BIG for ch in run) \
            or any(ch in run for ch in "多余来") or _OVER in run:
        return None
    at = run.index(_SOME)
    fewest = "一" if at and run[at - 1] in "十拾" else "二"
    readings = [_parse_run(run.replace(_SOME, d)) for d in (fewest, "八", "九")]
    if any(r is None or r[1] is not None for r in readings):
        return None
    low, eight, nine = (r[0] for r in readings)
    return low, nine + (nine - eight)


def _spread(run: str) -> tuple[Decimal, Decimal] | None:
    """五六万, 三四千, 两三百, 一万二三, 七八十万, 五六(个): two neighbouring digits give a range,
    from the smaller reading to the larger one plus the same step (五六万: 50000 to below 70000,
    so that a figure near the top is not taken for sure)."""
    if not any(ch in _SMALL or ch in _BIG for ch in run) and len(run) != 2:
        return None  # 二〇二五: digits read one by one
    for i in range(len(run) - 1):
        a, b = _CN_DIGITS.get(run[i]), _CN_DIGITS.get(run[i + 1])
        if a is None or b is None or a == 0 or b != a + 1:
            continue
        low, high = _parse_run(run[:i + 1] + run[i + 2:]), _parse_run(run[:i] + run[i + 1:])
        if low is None or high is None or low[1] is not None or high[1] is not None:
            return None
        return low[0], high[0] + (high[0] - low[0])
    return None


def _value(tokens: list, more: bool = False) -> Decimal | None:
    """The value of the tokens; with `more`, the exclusive upper end that 多 stands for."""
    total, section = Decimal(0), Decimal(0)
    current: Decimal | None = None
    width = 0  # digits written in `current`
    last_unit: int | None = None
    after_zero = False
    for t in tokens:
        kind = t[0]
        if kind == "digit":
            if current is not None:
                return None  # two numbers in a row ("三 四"): not one number
            current, width = t[1], t[2]
        elif kind == "small":
            section += (current if current is not None else Decimal(1)) * t[1]
            current, last_unit, after_zero = None, t[1], False
        elif kind == "big":
            section += current if current is not None else Decimal(0)
            if section == 0 and total == 0:
                return None
            total = (total + section) * t[1] if t[1] > 10_000 else total + section * t[1]
            section, current, last_unit, after_zero = Decimal(0), None, t[1], False
        elif kind == "more":
            if not more:
                continue
            if current is not None:  # 80多: the next ten; 5000多: the next thousand
                current += _step(current)
            elif last_unit is not None:  # 五万多, 一百多: one more of the last unit
                section += last_unit if last_unit < 10_000 else 0
                if last_unit >= 10_000:
                    total += last_unit
            else:
                return None
        if kind == "digit" and t[1] == 0 and width == 1:
            after_zero, current = True, None  # 一百零五: the 零 only marks a gap
    if current is not None:
        # 一万二, 三千五, 1万2: a single trailing digit counts in the unit below the last one
        if last_unit is not None and width == 1 and not after_zero and last_unit >= 100:
            current *= Decimal(last_unit) / 10
        section += current
    return total + section


def _plain(value: Decimal) -> Decimal:
    """12000.0 → 12000: amounts compare and print without trailing zeros."""
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def _step(value: Decimal) -> Decimal:
    """What 多 adds after a number: 80 → 10, 5 → 1, 5000 → 1000, 1.2 → 0.1."""
    if value != value.to_integral_value():
        return Decimal(1).scaleb(value.as_tuple().exponent)
    n, step = int(value), 1
    while n and n % 10 == 0:
        n //= 10
        step *= 10
    return Decimal(step)
