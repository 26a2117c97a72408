"""Questions typed in pinyin read as the words they spell.

Without an input method at hand, or in a hurry, citizens type pinyin: "zhuanli feijian tiaojian",
"youxian shencha yao jiao qian ma", or the initials of a term ("sb" for 商标, "zl" for 专利). The
knowledge base is Chinese, so such a question found nothing. Here a run of Latin letters that
spells a word of the knowledge base's vocabulary (syllables without tones, with or without
spaces between them) is replaced by that word; initials are read only for the gazetteer's terms,
which are few enough for two or three letters to name one.

What stays as it is: English (knowledge/english.py has read it before this runs), a spelling
two words share (shiye: 事业, 失业), a single syllable (qian: 钱, 前, 千 …), Latin words the
vocabulary itself holds (pct, pph). pypinyin gives the spellings once per knowledge version.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from pypinyin import Style, lazy_pinyin, pinyin

_LATIN_RUN = re.compile(r"[a-z]+(?:[ '’]+[a-z]+)*")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
MAX_INITIALS = 5


def spell(word: str) -> str:
    """The toneless pinyin of a Chinese word, syllables joined: 专利 → zhuanli (ü as v)."""
    return "".join(lazy_pinyin(word))


MAX_SPELLINGS = 8


def spellings(word: str) -> list[str]:
    """Every toneless spelling of a word whose characters have several readings (多长: duozhang
    and duochang; 异议期: yiyiqi), the usual one first; at most MAX_SPELLINGS."""
    out = [""]
    for readings in pinyin(word, style=Style.NORMAL, heteronym=True):
        out = [o + r for o in out for r in dict.fromkeys(readings)][:MAX_SPELLINGS]
    usual = spell(word)
    return [usual] + [o for o in dict.fromkeys(out) if o != usual]


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless syllable of the common CJK block (about 400): a, ai, an … zuo."""
    return frozenset(s for s in lazy_pinyin([chr(c) for c in range(0x4E00, 0x9FA6)])
                     if s.isascii() and s.isalpha())


def is_pinyin(word: str) -> bool:
    """Whether a Latin word is wholly toneless pinyin syllables (yao, jiaoqian, duochang).
    Such a word that no vocabulary word spells is mostly a function word typed in pinyin."""
    word = word.lower()
    if not word.isascii() or not word.isalpha():
        return False
    known = syllables()
    reach = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reach[end] = any(reach[start] and word[start:end] in known
                         for start in range(max(0, end - 6), end))
    return reach[-1]


class PinyinReader:
    def __init__(self, vocabulary: Iterable[str], terms: Iterable[str],
                 keep: Iterable[str] = (), synonyms: dict[str, str] | None = None):
        """vocabulary: the words a spelling may stand for; terms: the gazetteer's, which may
        also be written as initials; keep: Latin words that are words of their own; synonyms:
        variant → term (two words one spelling may be, both variants of one term, are that
        term: jiaoqian is 交钱 or 缴钱, both 缴费)."""
        self.fold = synonyms or {}
        spelt = {w: spellings(w) for w in vocabulary if _CJK_WORD.fullmatch(w)}
        usual = self._unique((keys[0], w) for w, keys in spelt.items())
        # Other readings (多长 as duochang) only where no word is usually spelled so.
        other = self._unique((key, w) for w, keys in spelt.items() for key in keys[1:]
                             if key not in usual)
        self.words = {**other, **usual}
        self.initials = self._unique(
            ("".join(lazy_pinyin(t, style=Style.FIRST_LETTER)), t)
            for t in terms if _CJK_WORD.fullmatch(t) and len(t) <= MAX_INITIALS)
        self.keep = {k.lower() for k in keep}
        self.longest = max((len(k) for k in self.words), default=0)

    def _unique(self, pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
        table: dict[str, str] = {}
        shared: set[str] = set()
        for key, word in pairs:
            old = table.setdefault(key, word)
            if old != word:
                if self.fold.get(old, old) == self.fold.get(word, word):
                    table[key] = self.fold.get(word, word)
                else:
                    shared.add(key)
        for key in shared:
            del table[key]
        return table

    def read(self, text: str) -> str:
        """`text` (normalised: lower case) with what its pinyin spells in Chinese."""
        if not self.words or not re.search(r"[a-z]", text):
            return text
        return _LATIN_RUN.sub(lambda m: self._run(re.split(r"[ '’]+", m.group(0))), text)

    def _run(self, parts: list[str]) -> str:
        """The reading of a run that leaves the fewest parts unread, then reads the most
        letters ("yao jiao qian": yao 交钱, not 要交 qian)."""
        n = len(parts)
        # best[i]: (unread parts, -letters read, words) for parts[i:]
        best: list[tuple[int, int, list[str]]] = [(0, 0, [])] * (n + 1)
        for i in range(n - 1, -1, -1):
            one = self._one(parts[i])
            unread = one == parts[i]
            u, r, w = best[i + 1]
            options = [(u + unread, r - (0 if unread else len(parts[i])), [one] + w)]
            for j in range(i + 2, n + 1):
                key = "".join(parts[i:j])
                if len(key) > self.longest:
                    break
                if key in self.words:
                    u, r, w = best[j]
                    options.append((u, r - len(key), [self.words[key]] + w))
            best[i] = min(options, key=lambda o: (o[0], o[1], len(o[2])))
        return " ".join(best[0][2])

    def _one(self, part: str) -> str:
        if part in self.keep:
            return part
        if part in self.words:
            return self.words[part]
        if part in self.initials:
            return self.initials[part]
        return self._segmented(part) or part

    def _segmented(self, part: str) -> str | None:
        """A part that is several words run together (zhuanlifeijian → 专利费减), else None."""
        ends: dict[int, list[str]] = {0: []}
        for start in range(len(part)):
            if start not in ends:
                continue
            for end in range(min(len(part), start + self.longest), start + 1, -1):
                word = self.words.get(part[start:end])
                if word and end not in ends:
                    ends[end] = ends[start] + [word]
        return "".join(ends[len(part)]) if len(part) in ends and ends[len(part)] else None
