"""Whether an evaluation text is (nearly) a text the system was built from.

Training data is every example of an intent in data/nlu/*.yml and every question phrasing and
title of knowledge/data/answers/*.yml: the NLU learns from the first, retrieval matches against
the second, so a held-out text close to either measures memory, not understanding.

Two texts overlap when, after folding (traditional → simplified, NFKC, lower case, everything
but letters, digits and CJK characters removed):
  - they are equal (exact), or
  - their character-bigram sets have a Jaccard similarity ≥ JACCARD_MIN, or
  - difflib's SequenceMatcher ratio is ≥ RATIO_MIN (near).
So "專利費減的條件是什麼？" equals "专利费减的条件是什么", and "个人申请专利费减收入要低于多少呢"
is near "个人申请专利费减收入要低于多少". Texts of one or two folded characters only count when
equal: "好" and "好的" are different answers, not paraphrases.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.text import to_simplified

JACCARD_MIN = 0.8
RATIO_MIN = 0.9

_NOT_WORD = re.compile(r"[\W_]+")
_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")  # [text](entity) / [text]{...}


def fold(text: str) -> str:
    return _NOT_WORD.sub("", to_simplified(text or "").lower())


def bigrams(folded: str) -> frozenset[str]:
    if len(folded) < 2:
        return frozenset([folded]) if folded else frozenset()
    return frozenset(folded[i:i + 2] for i in range(len(folded) - 1))


def similarity(a: str, b: str) -> tuple[float, float]:
    """(bigram Jaccard, difflib ratio) of two folded texts."""
    ga, gb = bigrams(a), bigrams(b)
    jac = len(ga & gb) / len(ga | gb) if ga or gb else 1.0
    return jac, difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def near(a: str, b: str) -> str | None:
    """'exact', 'near' or None for two raw texts."""
    fa, fb = fold(a), fold(b)
    if fa == fb:
        return "exact"
    if min(len(fa), len(fb)) <= 2:
        return None
    jac, ratio = similarity(fa, fb)
    return "near" if jac >= JACCARD_MIN or ratio >= RATIO_MIN else None


@dataclass(frozen=True)
class Overlap:
    kind: str  # exact | near
    text: str  # the evaluation text
    other: str  # the training (or other split's) text it overlaps
    origin: str  # where the other text comes from


class Corpus:
    """Texts to compare against, indexed by bigram so that a look-up compares only texts that
    share enough bigrams to be near at all."""

    def __init__(self, texts: list[tuple[str, str]]):
        self.rows: list[tuple[str, str, str, frozenset[str]]] = []  # raw, origin, folded, grams
        self.exact: dict[str, int] = {}
        self.by_gram: dict[str, list[int]] = defaultdict(list)
        for raw, origin in texts:
            folded = fold(raw)
            if not folded:
                continue
            i = len(self.rows)
            grams = bigrams(folded)
            self.rows.append((raw, origin, folded, grams))
            self.exact.setdefault(folded, i)
            for g in grams:
                self.by_gram[g].append(i)

    def __len__(self) -> int:
        return len(self.rows)

    def match(self, text: str) -> Overlap | None:
        folded = fold(text)
        if not folded:
            return None
        if folded in self.exact:
            raw, origin, _, _ = self.rows[self.exact[folded]]
            return Overlap("exact", text, raw, origin)
        if len(folded) <= 2:
            return None
        grams = bigrams(folded)
        shared: dict[int, int] = defaultdict(int)
        for g in grams:
            for i in self.by_gram.get(g, ()):
                shared[i] += 1
        for i, n in sorted(shared.items(), key=lambda kv: -kv[1]):
            raw, origin, other, other_grams = self.rows[i]
            if len(other) <= 2:
                continue
            jac = n / (len(grams) + len(other_grams) - n)
            # ratio ≥ 0.9 needs most characters in common; bigram share bounds it loosely
            if jac < JACCARD_MIN and n < 0.5 * min(len(grams), len(other_grams)):
                continue
            if jac >= JACCARD_MIN:
                return Overlap("near", text, raw, origin)
            if difflib.SequenceMatcher(None, folded, other, autojunk=False).ratio() >= RATIO_MIN:
                return Overlap("near", text, raw, origin)
        return None


def nlu_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, text) of every intent example in a Rasa NLU YAML file, entity markup removed."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for block in doc.get("nlu") or []:
        if "intent" not in block:
            continue  # regex, lookup and synonym blocks are features, not examples
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append((block["intent"], _ENTITY.sub(r"\1", line[2:].strip())))
    return out


def kb_phrasings(answers_dir: Path) -> list[tuple[str, str]]:
    """(text, answer id) of every question phrasing and title of the knowledge data."""
    out = []
    for path in sorted(answers_dir.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for answer in doc.get("answers") or []:
            aid = answer.get("id", path.stem)
            if answer.get("title"):
                out.append((str(answer["title"]), aid))
            out += [(str(q), aid) for q in answer.get("questions") or []]
    return out


def training_corpus(root: Path) -> Corpus:
    texts = [(text, f"data/nlu/{p.name} ({intent})")
             for p in sorted((root / "data" / "nlu").glob("*.yml"))
             for intent, text in nlu_examples(p)]
    texts += [(text, f"knowledge answer {aid}")
              for text, aid in kb_phrasings(root / "knowledge" / "data" / "answers")]
    return Corpus(texts)
