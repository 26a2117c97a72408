"""What citizens type into the lead form, checked and normalised.

Every check raises `Invalid` with the sentence the bot says back, so that a wrong answer is
re-asked with what to type instead. Free text is stored as typed, minus markup and control
characters: staff read it in a browser and a spreadsheet.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from knowledge.text import parse_phone

KIND_LABELS = {"patent": "专利侵权", "trademark": "商标侵权", "gi": "地理标志侵权",
               "agency": "代理机构违规", "other": "其他"}
# Checked in this order: "地理标志商标" is a GI, "专利代理" an agency, "冒牌" a trademark.
_KIND_WORDS = [
    ("gi", ("地理标志", "地标")),
    ("agency", ("代理",)),
    ("patent", ("专利", "发明", "实用新型", "外观")),
    ("trademark", ("商标", "品牌", "牌子", "冒牌", "logo", "标识")),
    ("other", ("其他", "其它", "别的", "都不是", "不确定", "不知道", "不清楚")),
]


class Invalid(ValueError):
    """The message is what the citizen is told."""


@dataclass(frozen=True)
class TextField:
    name: str
    label: str  # in the read-back and on the buttons that pick a field to change
    min_len: int
    max_len: int


TEXT_FIELDS = {f.name: f for f in (
    TextField("what", "经过", 5, 500),
    TextField("place", "地点", 2, 200),
    TextField("who", "对象", 1, 100),
    TextField("evidence", "证据", 1, 300),
    TextField("name", "联系人", 1, 30),
)}
LABELS = {"kind": "类型", **{n: f.label for n, f in TEXT_FIELDS.items()}, "phone": "电话"}
# Words a citizen uses for a field when asking to change it.
_FIELD_WORDS = [
    ("phone", ("电话", "手机", "号码", "联系方式")),
    ("name", ("联系人", "姓名", "名字", "称呼")),
    ("kind", ("类型", "类别", "种类")),
    ("what", ("经过", "情况", "描述", "内容", "事情")),
    ("place", ("地点", "地址", "位置", "店铺", "网址", "链接", "哪里")),
    ("who", ("对象", "被举报", "对方", "商家", "公司", "是谁")),
    ("evidence", ("证据", "材料", "照片", "凭证")),
]
CANCEL_WORDS = ("算了", "取消", "退出", "不登记", "不举报", "不投诉", "不弄了", "不填了", "不查了")
UNKNOWN_WHO = ("不知道", "不清楚", "不详", "未知", "没有", "无", "跳过", "不确定", "不知道是谁")

_TAGS = re.compile(r"<[^<>]{0,200}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
_BLANKS = re.compile(r"[ \t\u3000]+")
_LINES = re.compile(r"\n{2,}")
# Leads are GZ-…, call-back requests HD-… (bot/leads/callbacks.py).
_TICKET = re.compile(r"(GZ|HD)[\s_\-－—]*(\d{8})[\s_\-－—]*([0-9A-Z]{5})(?![0-9A-Z])")
_MISREAD = str.maketrans("OILU", "011V")  # letters tickets never use, read as what was meant
_FOUR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_QUESTION = re.compile(r"[?？]|吗|怎|咋|如何|什么|哪|多少|多久|是否|能不能|可不可以|有没有|有冇|要不要|"
                       r"[么嘛][?？!！。.~～]*$")  # 么/嘛 last: "冇办法了么"


def clean(text: str | None) -> str:
    """Markup, control characters and runs of blanks removed; the words kept as typed."""
    text = _TAGS.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = (_BLANKS.sub(" ", line).strip() for line in text.split("\n"))
    return _LINES.sub("\n", "\n".join(lines)).strip()


def free_text(raw: str | None, field: TextField) -> str:
    text = clean(raw)
    if text.startswith("/"):  # a button of another question, not words
        raise Invalid(f"请直接用文字填写{field.label}。")
    if len(text) < field.min_len:
        raise Invalid(f"{field.label}好像没有填上，请再具体说一下。" if not text else
                      f"{field.label}太简短了，请再具体说一下（至少{field.min_len}个字）。")
    if len(text) > field.max_len:
        raise Invalid(f"{field.label}请控制在{field.max_len}字以内，"
                      f"现在是{len(text)}字。请精简后再发一次。")
    return text


def name(raw: str | None) -> str:
    text = free_text(raw, TEXT_FIELDS["name"])
    if sum(ch.isdigit() for ch in text) > 2:
        raise Invalid("联系人这里请只填姓名或称呼（如“王先生”），电话下一步再填。")
    return text


def who(raw: str | None) -> str:
    """'' when the citizen does not know: the question is answered, nothing is stored."""
    text = clean(raw)
    if text.rstrip("。.!！") in UNKNOWN_WHO:
        return ""
    return free_text(text, TEXT_FIELDS["who"])


def phone(raw: str | None) -> str:
    """A mainland mobile (13912345678) or a landline with its area code (0797-8123456)."""
    number = parse_phone(raw)
    if number is None:
        raise Invalid("这个号码好像不对。请发11位手机号（如13912345678），"
                      "或带区号的固定电话（如0797-8123456）。")
    return number


def kind_of(text: str | None) -> str | None:
    text = (text or "").lower()
    return next((kind for kind, words in _KIND_WORDS if any(w in text for w in words)), None)


def field_named(text: str | None) -> str | None:
    """The field a citizen names when asking to change one, e.g. "电话写错了" → phone."""
    text = text or ""
    return next((f for f, words in _FIELD_WORDS if any(w in text for w in words)), None)


def wants_change(text: str | None) -> bool:
    """"有问题", "电话错了", "要改": not "没错" or "没问题", which confirm."""
    text = re.sub("没错|不错|没问题|没有问题", "", text or "")
    return any(w in text for w in ("改", "错", "不对", "有误", "有问题", "更正", "重填", "重新填"))


def negated(text: str | None) -> bool:
    """"没有", "不想": words a consent must not contain ("没问题" is a yes)."""
    text = re.sub("没问题|没有问题|没错", "", text or "")
    return any(w in text for w in ("不", "没", "别", "否", "拒"))


def cancels(text: str | None) -> bool:
    """A short message that calls the form off in words NLU may file elsewhere ("退出登记")."""
    text = clean(text)
    return len(text) <= 8 and any(w in text for w in CANCEL_WORDS)


def is_question(text: str | None) -> bool:
    return bool(_QUESTION.search(text or ""))


def ticket_in(text: str | None) -> str | None:
    """The ticket a citizen typed, however spaced or cased: "gz 20261126 7kq2m" counts."""
    found = _TICKET.search(unicodedata.normalize("NFKC", text or "").upper())
    if not found:
        return None
    return f"{found.group(1)}-{found.group(2)}-{found.group(3).translate(_MISREAD)}"


def last_four_in(text: str | None) -> str | None:
    """Four digits standing alone, outside any ticket number."""
    rest = _TICKET.sub(" ", unicodedata.normalize("NFKC", text or "").upper())
    found = _FOUR.search(rest)
    return found.group() if found else None
