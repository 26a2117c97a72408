"""English questions read as Chinese ones.

Foreign-invested firms and visitors ask in English ("patent fee reduction", "trademark window").
The knowledge base is Chinese, so an English question found nothing. The gazetteer's `english`
section maps English words and phrases to the Chinese words the answers use; a question's
English is replaced by them (longest phrase first, whole words only) before it is cut into words,
and English function words are dropped, as Chinese stopwords are.

The section is kept out of the jieba dictionary, the entity ruler and the synonyms: its Chinese
side is ordinary words (专利, 企业), which must not become domain terms, and its English side has
spaces, which jieba's dictionary cannot hold.
"""
from __future__ import annotations

import re
from typing import Iterable

KIND = "english"

# Words that carry no topic: they are dropped like 的/吗 (content words are in the gazetteer).
STOPWORDS = set("""
a an the is are was were be been am do does did done i me my mine we us our you your it its they them
their he she his her this that these those there here to of for in on at by with from into about as
and or but if so than then can could should would will shall may might must have has had having
get got getting what which who whom whose why please pls hi hello thanks thank any some all also just
still yet very really there's what's it's i'm i've don't doesn't can't want need like know tell
let let's someone somebody anyone one ones first else own small big new
already before after knew known become became becomes during when while ever
""".split())


class Glossary:
    def __init__(self, pairs: Iterable[tuple[str, str]]):
        """pairs: (english, chinese); the English side is matched lower-case, as whole words."""
        table = {e.strip().lower(): zh for e, zh in pairs if e.strip() and e.strip() != zh}
        self.table = table
        alternatives = sorted(table, key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<![a-z0-9])(" + "|".join(re.escape(e) for e in alternatives) + r")(?![a-z0-9])"
        ) if alternatives else None

    def translate(self, text: str) -> str:
        """`text` (normalised: lower case) with its English words and phrases in Chinese."""
        if self.pattern is None or not re.search(r"[a-z]", text):
            return text
        text = _ORDER.sub(lambda m: f" 第{m.group(1)}号令 ", text)
        return self.pattern.sub(lambda m: f" {self.table[m.group(1)]} ", text)


# "Order No. 20", "CNIPA Decree No. 85": a numbered rule, as the answers cite it (第20号令, 令第85号)
_ORDER = re.compile(r"(?<![a-z])(?:order|decree)\s*(?:no\.?|number|#)?\s*(\d+)(?!\d)")
