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
    return converted


def normalise(text: str) -> str:
    """For matching: simplified, lower-case, single spaces."""
    return _SPACES.sub(" ", to_simplified(text or "")).strip().lower()


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
