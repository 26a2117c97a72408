"""Text normalisation shared by NLU, retrieval and logging."""
from __future__ import annotations

import re
import unicodedata

import zhconv

_SPACES = re.compile(r"\s+")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9Xx])\d{6}(?:19|20)\d{9}[0-9Xx](?![0-9Xx])")


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


def mask_personal(text: str) -> str:
    """Masks mobile, landline and ID numbers before text is logged or listed."""
    text = _ID_CARD.sub("[身份证号]", text)
    text = _PHONE.sub(r"\1****\2", text)
    return _LANDLINE.sub(r"\1-****\2", text)
