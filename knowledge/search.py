"""Retrieval over the knowledge base: which answer fits the question best, and how sure.

Each answer is indexed by its title and its question phrasings. A question is scored by BM25
against each phrasing (an answer takes its best one). Ranking uses BM25; whether to answer at
all uses coverage: the share of the question's IDF weight found in the best phrasing, which
(unlike a raw BM25 score) is comparable between questions.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from spacy.language import Language

from knowledge import nlp as kb_nlp
from knowledge.models import Answer, Division, KbMeta, Term
from knowledge.text import normalise

K1, B = 1.2, 0.75
# Words that carry no meaning for matching. Question words (多少/哪里/怎么/什么时候) are kept:
# they tell "how much" from "where" from "how".
STOPWORDS = set("的 了 吗 呢 啊 吧 呀 哦 嘛 么 请问 你好 您好 我 我们 你 您 他 她 它 这个 那个 一下 "
                "想 想要 要 是 和 与 及 或 就 都 也 还 在 有 个 能 可以 可不可以 会 请 帮 帮我 问 问下 "
                "问一下 知道 告诉 一个 这 那 吧 嗯 哈".split())
_PUNCT = re.compile(r"^[\W_]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


@dataclass
class Hit:
    answer_id: str
    topic: str
    score: float  # BM25 of the best phrasing
    coverage: float  # 0..1, share of the question's weight matched


class SearchIndex:
    def __init__(self, nlp: Language, synonyms: dict[str, str],
                 docs: list[tuple[str, str, str]]):
        """docs: (answer_id, topic, text) — one per phrasing."""
        self.nlp = nlp
        self.synonyms = synonyms
        self.doc_answer = [(a, t) for a, t, _ in docs]
        self.doc_terms = [Counter(self.terms(text)) for _, _, text in docs]
        self.doc_len = [sum(c.values()) for c in self.doc_terms]
        self.avg_len = (sum(self.doc_len) / len(self.doc_len)) if docs else 1.0
        df: Counter = Counter()
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, terms in enumerate(self.doc_terms):
            for term in terms:
                df[term] += 1
                self.postings[term].append(i)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.unseen_idf = math.log(1 + (n + 0.5) / 0.5)

    def terms(self, text: str) -> list[str]:
        """Words (synonyms folded) plus character bigrams, which survive typos and odd cuts."""
        words = []
        for tok in kb_nlp.tokens(self.nlp, text):
            if tok in STOPWORDS or _PUNCT.match(tok):
                continue
            words.append(self.synonyms.get(tok, tok))
        bigrams = []
        for run in _CJK.findall(normalise(text)):
            bigrams += [f"~{run[i:i + 2]}" for i in range(len(run) - 1)]
        return words + bigrams

    def search(self, question: str, topic: str | None = None, k: int = 3) -> list[Hit]:
        q_terms = list(dict.fromkeys(self.terms(question)))
        if not q_terms:
            return []
        scores: dict[int, float] = defaultdict(float)
        for term in q_terms:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i in self.postings[term]:
                if topic and self.doc_answer[i][1] != topic:
                    continue
                tf = self.doc_terms[i][term]
                norm = tf + K1 * (1 - B + B * self.doc_len[i] / self.avg_len)
                scores[i] += idf * tf * (K1 + 1) / norm
        total = sum(self.idf.get(t, self.unseen_idf) for t in q_terms)
        best: dict[str, Hit] = {}
        for i, score in scores.items():
            answer_id, answer_topic = self.doc_answer[i]
            if answer_id in best and best[answer_id].score >= score:
                continue
            matched = sum(self.idf[t] for t in q_terms if t in self.doc_terms[i])
            best[answer_id] = Hit(answer_id, answer_topic, score, matched / total)
        return sorted(best.values(), key=lambda h: (-h.score, h.answer_id))[:k]


def build_index(session, day: dt.date) -> SearchIndex:
    """Index of the answers in force on `day`; superseded rules are not findable."""
    terms = session.execute(select(Term.kind, Term.canonical, Term.variant)).all()
    divisions = session.execute(select(Division.name, Division.aliases)).all()
    kb_nlp.add_user_words(normalise(v) for _, _, v in terms)
    nlp = kb_nlp.build(kb_nlp.patterns_from(terms, divisions))
    synonyms = {normalise(v): normalise(c) for kind, c, v in terms}
    docs = []
    for answer in session.execute(select(Answer)).scalars():
        if not answer.in_force(day):
            continue
        for text in [answer.title, *(q.text for q in answer.questions)]:
            docs.append((answer.id, answer.topic, text))
    return SearchIndex(nlp, synonyms, docs)


def kb_version(session) -> str | None:
    return session.execute(select(KbMeta.value).where(KbMeta.key == "version")).scalar()
