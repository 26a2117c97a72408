"""Text shared by NLU, retrieval, forms and logs: normalisation, and the one phone/ID number
parser and masker (leads, logs and the unanswered-question log all mask the same way)."""
from __future__ import annotations

import re
import unicodedata

import zhconv

_SPACES = re.compile(r"\s+")
_SEP = r"[-\s]?"  # how people group digits: 139 1234 5678, 139-1234-5678, 0797-8123456
# A mainland mobile, with or without +86 / 0086 / 86 in front.
_MOBILE = re.compile(rf"(?<![\d+])(?:(?:\+|00)?86{_SEP})?(1[3-9]\d){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)")
# A landline with its area code: 010 and 02x have three digits, every other code four.
_LANDLINE = re.compile(rf"(?<!\d)(0(?:10|2\d|[3-9]\d\d)){_SEP}(\d{{3,4}}){_SEP}(\d{{4}})(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9Xx])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[0-9Xx](?![0-9Xx])")


def to_simplified(text: str) -> str:
    """Traditional → simplified, full-width → half-width, keeping the length when possible.

    Tokenizers report offsets into the text, so a conversion that changes the length
    (phrase mappings) falls back to a character-by-character one.
    """
    text = unicodedata.normalize("NFKC", text)
    converted = zhconv.convert(text, "zh-cn")
    if len(converted) != len(text):
        converted = "".join(zhconv.convert(ch, "zh-cn") for ch in text)
    if any(ch in _KEEP for ch in text):
        converted = "".join(o if o in _KEEP else c for o, c in zip(text, converted))
    return converted


# Simplified characters zhconv's phrase table still changes: 么 in 么半/么子 (幺半群, 幺子) turns
# into 幺, so "怎么半" (怎么办 mistyped) and the dialect word 么子 lost their 么.
_KEEP = frozenset("么")


# Dialect words citizens type, each with the Mandarin word of the same length (offsets into the
# text stay valid for the tokenizer): Cantonese, Wu (Shanghai) and the south-western / 赣南
# speech. Only words with no other everyday Mandarin reading: 系 (是 in Cantonese) is also
# 系统's, 只 (个 in Wu) also 只有's, and they stay.
DIALECT = {
    "嘅": "的", "咗": "了", "喺": "在", "唔": "不", "咩": "啥", "佢": "他", "睇": "看", "揾": "找",
    "嚟": "来", "啲": "些", "冇": "没", "侬": "你", "㗎": "的",
    "边度": "哪里", "乜嘢": "什么", "点样": "怎么", "点算": "咋办", "几多": "多少", "几钞票": "多少钱",
    "哪能": "怎么", "冇得": "没有", "莫得": "没有", "俾人": "被人", "得唔得": "行不行",
    "使唔使": "要不要", "阿拉": "我们",
}
_DIALECT = re.compile(  # 阿拉伯 is Arabic, not 我们
    "(?:" + "|".join(sorted(map(re.escape, DIALECT), key=len, reverse=True)) + r")(?!伯)")


_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_NARROW_GAP = re.compile(r"(?<=[\u4e00-\u9fff\d,.?!:;，。？！：；])\s+(?=[\u4e00-\u9fff\d,.?!:;，。？！：；])")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def join_spaced(text: str) -> str:
    """"请 问 实 用 新 型 的 年 费" typed a character at a time, joined up; a blank between
    phrases ("我是于都的个体户 专利费减怎么备案") is a pause and stays. Spaced out means: at
    least three characters, and half of them, followed by a blank and another character."""
    gaps = len(_CJK_GAP.findall(text))
    if gaps < 3 or gaps * 2 < len(_HAN.findall(text)):
        return text
    return _NARROW_GAP.sub("", text)


def to_mandarin(text: str) -> str:
    """Dialect words as Mandarin ones of the same length (DIALECT): 我嘅专利俾人抄咗 → 我的专利被人抄了."""
    return _DIALECT.sub(lambda m: DIALECT[m.group(0)], text)


def normalise(text: str) -> str:
    """For matching: simplified, lower-case, single spaces."""
    return _SPACES.sub(" ", join_spaced(to_simplified(text or ""))).strip().lower()


def parse_phone(raw: str | None) -> str | None:
    """The first phone number in `raw`, normalised: 13912345678 or 0797-8123456; else None."""
    text = unicodedata.normalize("NFKC", raw or "")
    mobile = _MOBILE.search(text)
    if mobile:
        return "".join(mobile.groups())
    landline = _LANDLINE.search(text)
    if landline:
        area, first, last = landline.groups()
        if len(first + last) in (7, 8):
            return f"{area}-{first}{last}"
    return None


def phones_in(raw: str | None) -> list[str]:
    """Every phone number in `raw`, normalised as `parse_phone` does (to find one citizen's
    messages however they wrote the number)."""
    text = unicodedata.normalize("NFKC", raw or "")
    found = ["".join(m.groups()) for m in _MOBILE.finditer(text)]
    for m in _LANDLINE.finditer(text):
        area, first, last = m.groups()
        if len(first + last) in (7, 8):
            found.append(f"{area}-{first}{last}")
    return found


def mask_phone(number: str) -> str:
    """139****5678 / 0797-****3456: enough to tell two numbers apart, not to call one."""
    if "-" in number:
        area, local = number.split("-", 1)
        return f"{area}-****{local[-4:]}"
    return f"{number[:3]}****{number[-4:]}" if len(number) == 11 else "****"


def mask_personal(text: str) -> str:
    """Every mobile, landline and ID-card number in `text` masked, before it is logged or listed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _ID_CARD.sub("[身份证号]", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)

    def landline(m: re.Match) -> str:
        area, first, last = m.groups()
        return f"{area}-****{last}" if len(first + last) in (7, 8) else m.group()
    return _LANDLINE.sub(landline, text)
