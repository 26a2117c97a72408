"""Whether a question is about this office's field at all.

NLU is trained on our topics only, so it reads "楼下广场舞太吵了去哪里投诉" as a complaint about
an infringement and "体检中心在哪里" as a question about the protection centre, sure of either; a
topic the classifier is sure of then lets a weak hit answer. The gazetteer's `ours` section lists
the words of our field (patents, trademarks, geographical indications, their fees, procedures,
offices and the plan's programmes); a question with none of them is not trusted to NLU's topic
(knowledge/service.py). It is a necessary sign, not a sufficient one: "电费能不能减免" holds 费减.

The section is kept out of the jieba dictionary, the entity ruler and the synonyms (its words are
matched after those have done their work: 减免 is already 费减, 商表 already 商标).
"""
from __future__ import annotations

from typing import Iterable

KIND = "ours"
ROOTS = "roots"  # count inside a longer word or anywhere in the text: 知识产权局, 商标权, 专利号
WORDS = "words"  # count only whole: 保护, not 环境保护局


class Field:
    def __init__(self, terms: Iterable[tuple[str, str]]):
        """terms: (ROOTS or WORDS, word), already normalised."""
        self.roots: set[str] = set()
        self.words: set[str] = set()
        for group, word in terms:
            (self.roots if group == ROOTS else self.words).add(word)

    def __bool__(self) -> bool:
        return bool(self.roots or self.words)

    def covers(self, words: Iterable[str], text: str = "") -> bool:
        """Whether a question is of our field: one of its (folded) words is, or its text holds
        a root (知识产权培训 is folded to 人才培训, and still names 知识产权)."""
        words = list(words)
        return (any(w in self.words or any(r in w for r in self.roots) for w in words)
                or any(r in text for r in self.roots))
