"""The answers evaluation sets (tests/eval/answers/{dev,test}.yml) and how a reply is checked
against an item: the facts it must contain, the strings it must not, and whether it answered
with a source at all. The file format is described in the header of test.yml."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import settings
from knowledge.text import to_simplified

SETS_DIR = settings.ROOT / "tests" / "eval" / "answers"
SPLITS = ("dev", "test")
# Not knowledge-base topics: what the assistant is, or input that must be declined.
META_TOPICS = ("assistant", "out_of_scope", "noise")
DECLINE_TOPICS = ("out_of_scope", "noise")
CALCS = ("fee_eligibility", "patent_fee", "trademark_fee")
SOURCE_MARK = "来源："


@dataclass(frozen=True)
class Item:
    q: str
    topic: str
    facts: tuple[tuple[str, ...], ...]  # every group must be met by one of its alternatives
    forbid: tuple[str, ...] = ()
    calc: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def declines(self) -> bool:
        return self.topic in DECLINE_TOPICS

    @property
    def needs_source(self) -> bool:
        return self.topic not in META_TOPICS


@dataclass
class Verdict:
    ok: bool
    declined: bool  # no source line in the reply
    missing: list[tuple[str, ...]] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    empty: bool = False


def path_of(split: str) -> Path:
    return SETS_DIR / f"{split}.yml"


def _expand(entry, aliases: dict[str, list[str]], where: str) -> list[str]:
    """A facts group / forbid list: strings, where "@NAME" stands for the alias's list."""
    values = [entry] if isinstance(entry, str) else list(entry)
    out: list[str] = []
    for v in values:
        v = str(v)
        if v.startswith("@"):
            if v[1:] not in aliases:
                raise ValueError(f"{where}: unknown alias {v}")
            out += [str(a) for a in aliases[v[1:]]]
        else:
            out.append(v)
    return out


def load(split: str = "test", path: Path | None = None) -> list[Item]:
    doc = yaml.safe_load((path or path_of(split)).read_text(encoding="utf-8"))
    aliases = doc.get("aliases") or {}
    items = []
    for row in doc["items"]:
        where = f"{split}: {row.get('q')!r}"
        facts = tuple(tuple(_expand(g, aliases, where)) for g in row.get("facts") or [])
        forbid = tuple(_expand(row.get("forbid") or [], aliases, where))
        items.append(Item(str(row.get("q") or ""), str(row["topic"]), facts, forbid,
                          row.get("calc"), tuple(row.get("tags") or [])))
    return items


_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "［": "[", "］": "]", "【": "[", "】": "]"})


def normalise(text: str) -> str:
    """For matching facts: simplified, NFKC (full-width → half-width), lower case, no spaces,
    no thousands separators, one kind of square bracket."""
    text = to_simplified(unicodedata.normalize("NFKC", text or "")).lower()
    text = _SPACE.sub("", text).translate(_BRACKETS)
    return _THOUSANDS.sub("", text)


def _pattern(alternative: str) -> re.Pattern:
    """A fact that begins or ends with a digit must not run on into another number:
    "135" is not found in "1350" nor in "0.135"."""
    alt = normalise(alternative)
    body = re.escape(alt)
    if alt[:1].isdigit():
        body = r"(?<!\d)(?<!\d\.)" + body
    if alt[-1:].isdigit():
        body += r"(?!\d)(?!\.\d)"
    return re.compile(body)


def contains(reply: str, alternative: str) -> bool:
    return _pattern(alternative).search(normalise(reply)) is not None


def has_source(reply: str) -> bool:
    return SOURCE_MARK in reply or "来源:" in unicodedata.normalize("NFKC", reply)


def check(item: Item, reply: str) -> Verdict:
    declined = not has_source(reply)
    if item.declines:
        empty = not reply.strip()
        return Verdict(declined and not empty, declined, empty=empty)
    missing = [g for g in item.facts if not any(contains(reply, alt) for alt in g)]
    norm = normalise(reply)
    forbidden = [f for f in item.forbid if normalise(f) in norm]
    ok = not missing and not forbidden and not (item.needs_source and declined)
    return Verdict(ok, declined, missing, forbidden, empty=not reply.strip())
