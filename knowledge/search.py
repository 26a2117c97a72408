"""Retrieval over the knowledge base: which answer fits the question best, and how sure.

A question is matched to each answer through three BM25 fields:
  phrasing — the answer's title and each question phrasing on its own (its best one counts);
  all      — all its phrasings together, which rewards an answer several phrasings agree on;
  body     — its short answer text, which holds words no phrasing uses (印刷费, 纳税申报表).
Terms are words (jieba with the gazetteer as user dictionary, synonyms folded) and, with less
weight, character bigrams, which survive odd cuts and typos the typo table does not know.
Before that, typos from pinyin input are repaired (商标住册 → 商标注册, knowledge/typos.py).

Coverage says how much of the question an answer accounts for: the share of the question's
word weight the answer contains, a word weighing by how specific it is in everyday Chinese
(jieba's dictionary frequencies). "现在/大概/以后" weigh almost nothing, so chatty questions still
reach a right answer, and an unmatched "社保/公积金/天气" weighs a lot, so an off-topic question
does not. Coverage is comparable between questions (a BM25 score is not), so the service uses it
to decide whether to answer; the ranking is the BM25 sum scaled by coverage.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache

import jieba
from sqlalchemy import select
from spacy.language import Language

from knowledge import english, ours
from knowledge import nlp as kb_nlp
from knowledge.pinyin import PinyinReader, is_pinyin
from knowledge.typos import TypoTable
from knowledge.models import Answer, Division, KbMeta, Term
from knowledge.text import normalise, to_mandarin

K1, B = 1.2, 0.75
BIGRAM_WEIGHT = 0.4  # a bigram is weaker evidence than a whole word
ALL_WEIGHT = 1.0  # the answer's phrasings together, on top of its best phrasing
BODY_WEIGHT = 0.3  # the answer text: more words, more noise, so less weight
BODY_CREDIT = 0.8  # coverage credit for a word found only in the answer text
FUZZY_CREDIT = 0.7  # at most this for a word found only through its bigrams (odd cut, typo)

# Specificity of a word = log(1 / its frequency in jieba's dictionary) - SPEC_FLOOR, clamped.
# Everyday words (怎么 0.7, 现在 0.5) count little, rare ones (质押 6, 社保 6) much.
SPEC_FLOOR = 7.0
SPEC_MIN, SPEC_MAX = 0.3, 9.0  # SPEC_MAX also for the gazetteer's canonical terms
SPEC_UNKNOWN = 1.0  # a Chinese word jieba does not know is mostly a typo or odd cut (类里, 算钱)
SPEC_LATIN = 4.0  # numbers and Latin words are specific: 第76号令, 3500元, PCT, python
# Pinyin the reader left unread ("yao jiao qian ma": yao, ma) is mostly everyday words typed
# without an input method: it says as little as an unknown Chinese word.
SPEC_PINYIN = SPEC_UNKNOWN
DISTINCT_SPEC = 3.0  # a matched word this specific counts towards Hit.matched
# The gazetteer's words for what KIND of answer is wanted (how much, how long, what proof,
# how to apply, what is it). They pick the right answer within a subject, but say nothing
# about the subject: "驾照年审要多久" shares only 多久 with a trademark answer. So in coverage
# they weigh less than a subject word: 4 (tried 1.5–9) was best on the development questions,
# tests/retrieval/kinds_dev.yml. A subject word and a kind word together ("费减备案" + "多久")
# count as the two specific words the accept rule asks for.
QUESTION_KINDS = {"多少钱", "多久", "什么时候", "材料", "条件", "流程", "是什么", "区别", "地址",
                  "电话", "办公时间"}
SPEC_KIND = 4.0

# Words that carry no meaning for matching. Question words (多少/哪里/怎么/什么时候) are kept:
# they tell "how much" from "where" from "how". The last lines: sentence-final particles of 赣南
# and south-western speech (要几多材料噻), rare in jieba's dictionary and so weighed as specific;
# the forms of address a message opens with (老表, 哥们儿, 师傅), the same; and the family words
# that say whose question it is (屋里崽 "my kid", 婆娘 "my wife"): the applicant's kind is
# read from what follows (读书 → 学生, 冇得收入 → 无收入).
STOPWORDS = set("""
的 了 吗 呢 啊 吧 呀 哦 嘛 么 啦 哈 嗯 呗 哇 噢 喔 请问 你好 您好 谢谢 麻烦 麻烦问下
我 我们 咱 咱们 你 你们 您 他 她 它 他们 自己 人家 这 那 这个 那个 这些 那些 这种 那种 这样 那样
一下 一个 个 想 想要 要 得 是 是不是 和 与 及 或 或者 还是 就 都 也 还 又 再 在 有 没 没有 有没有
能 能不能 可以 可不可以 可否 会 会不会 请 帮 帮我 问 问下 问一下 知道 告诉 到底 究竟 具体 一般
啥 咋 咋办 咋整 呐 则 给 让 把 被 对 从 向 跟 比 了解 看看 说说 讲讲 介绍 下 里 上 中
噻 咯 嘞 咧 哩 喽 咩 唦 嗦 哟 撒 算不算 咋个
老表 老乡 兄弟 哥们 哥们儿 大哥 大姐 师傅 美女 帅哥 亲
屋里 屋下 屋头 屋企 崽 伢子 婆娘 堂客 老婆 老公
""".split())

_PUNCT = re.compile(r"^[\W_]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]+")

# Question kinds that words alone do not show (the others are gazetteer synonyms: 怎么申请 →
# 流程, 几个月 → 多久, 啥意思 → 是什么). "第5年", "第4—6年" ask for one year's amount and read as
# the gazetteer's 第几年, in questions and answers alike. "怎么办" followed by what is to be done
# ("怎么办专利费减") asks for the procedure; at the end ("被驳回了怎么办") it asks what to do.
ORDINAL_YEAR = re.compile(r"第[0-9一二三四五六七八九十两]+(?:\s*[至到—\-~－]\s*[0-9一二三四五六七八九十]+)?年")
ANY_YEAR = "第几年"
HOW_TO_DO, PROCEDURE = "怎么办", "流程"
# "需要什么" alone asks what to bring (材料); followed by a word it asks for that word ("需要什么条件",
# "需要什么理由"): the gazetteer's "what is needed" phrases then leave the kind to the word after.
WHAT_IS_NEEDED = ("需要什么", "要带什么", "提交什么")
# "赣州专利这几年多了多少", "前两年申请的": 几年 after 这/前/近 is a stretch of time, not "how long".
SOME_YEARS = ("几年", "两年", "几个月")
THESE = ("这", "前", "近", "最近", "这么", "头")
# The gazetteer's terms for what is not ours: services of other offices (营业执照, 社保, 著作权登记 …)
# and places outside Ganzhou (深圳, 上海 …). A question naming one is about them, whatever topic
# words it shares with our answers.
OTHER_OFFICES = "领域外事项"
ELSEWHERE = "其他地区"
# A question that also names Ganzhou or one of its counties is about Ganzhou, whatever other place
# it names ("湖南产的茶油能贴赣南茶油的标志吗"); the divisions of service_points.yml are added.
HOME = ("赣州", "赣南")
# "除了X(以外)还有…": X is what the citizen already knows of; its words leave the question.
# "我们是寻乌的脐橙协会，想申请证明商标，官费比普通商标贵多少": who is asking opens the message and
# is context, the question follows. The opening clause's own words weigh CONTEXT_WEIGHT of their
# specificity (they still count: "我是个体户，能费减吗" is about 个体户). 0.5 and 0.3 each
# answered 3 more of the answers development split (library only, 576 → 579/785) than 1.0.
_INTRO = re.compile(r"^(?:你好|您好|请问)?[，,\s]*(?:我们|我)(?:是|在)[^，,。！？!?；;]{1,24}[，,。；;]")
CONTEXT_WEIGHT = 0.5
# "办专利要跑去南昌吗": a place outside named as where one might have to travel is not what the
# question is about (whether it can be done here or online is); it leaves the question.
_TRAVEL_TO = re.compile(r"(?:要|得|必须|非得|需要|用)(?:专门|亲自|特意)?(?:跑去|跑到|赶去|赶到|跑|去|到)"
                        r"(?P<place>[\u4e00-\u9fff]{2,3}?)(?:市|省)?(?:去|办|跑|吗|么|不|呢|[，,。？?！!]|$)")
_BESIDES = re.compile(r"除了?(?P<x>[^，,。？?！!；;]{1,12}?)(?:以外|之外|外|还|也|[，,])")


# "专利证书上不是我的名字，能拿去质押吗" asks about a patent; the answer on trademark pledges shares
# 质押 with it and nothing of the patent, and ranked first. An answer whose phrasings name only
# the other kind of right (patents, trademarks) ranks at this share of its score (0.6, 0.8 and
# 1.0 scored the same on the answers development split, library only: 517/676).
OTHER_IP_KIND = 0.6
_PATENT_WORD = re.compile(r"专利|发明|实用新型|外观设计")


KIND_WORD = {"patent": "专利", "trademark": "商标"}


def _ip_kind(words) -> str | None:
    """"patent" or "trademark" when the words name only one of them."""
    patent = any(_PATENT_WORD.search(w) for w in words)
    trademark = any("商标" in w for w in words)
    return None if patent == trademark else "patent" if patent else "trademark"


# "赣南脐橙在区域品牌榜排第几" names one of the city's products; the answer phrased "赣南茶油在区域
# 品牌榜排第几" shares every other word and ranked first. An answer whose phrasings name only
# other products than those the question names ranks at OTHER_IP_KIND of its score, as for the
# kind of right.
PRODUCTS = ("赣南脐橙", "赣南茶油", "南康家具")


def _products(words) -> frozenset[str]:
    return frozenset(w for w in words if w in PRODUCTS)


# "专利年费也能少交吗" shares 年费 and 少交 with "开放许可的专利年费能少交吗", and the answer on the
# open-licence reduction ranked first. An answer every phrasing of which names a rare term of
# the field (in the phrasings of at most QUALIFIER_ANSWERS answers: 开放许可, 保险; 2, 3, 4 and 6
# scored the same on the answers development split, library only: 706 → 708/939) is about
# that special case; a question naming none of its special cases ranks it at OTHER_IP_KIND.
QUALIFIER_ANSWERS = 3


@dataclass
class Hit:
    answer_id: str
    topic: str
    score: float  # ranking score: BM25 of the three fields, scaled by coverage
    coverage: float  # 0..1, share of the question's word weight the answer contains
    matched: int = 0  # the question's specific words (DISTINCT_SPEC) the answer contains


@dataclass
class _Query:
    words: list[str]  # folded, unique
    bigrams: list[str]  # "~xy", unique
    context: frozenset[str] = frozenset()  # words only of the opening self-introduction
    read: str = ""  # the question as read: typos mended, pinyin and English made Chinese


class _Field:
    """One BM25 field over a list of documents (term counters)."""

    def __init__(self, docs: list[Counter]):
        self.docs = docs
        self.lengths = [sum(c.values()) for c in docs]
        self.avg = (sum(self.lengths) / len(docs)) if docs else 1.0
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, terms in enumerate(docs):
            for term in terms:
                self.postings[term].append(i)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
                    for t, p in self.postings.items()}

    def scores(self, terms: list[tuple[str, float]], allowed=None) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for term, weight in terms:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i in self.postings[term]:
                if allowed is not None and i not in allowed:
                    continue
                tf = self.docs[i][term]
                norm = tf + K1 * (1 - B + B * self.lengths[i] / self.avg)
                out[i] += weight * idf * tf * (K1 + 1) / norm
        return out


class SearchIndex:
    def __init__(self, nlp: Language, synonyms: dict[str, str],
                 docs: list[tuple[str, str, str]], bodies: dict[str, str] | None = None,
                 glossary: english.Glossary | None = None, home: tuple[str, ...] = HOME,
                 field: ours.Field | None = None):
        """docs: (answer_id, topic, text), one per phrasing; bodies: answer_id → answer text;
        glossary: English words and phrases → Chinese (questions only; answers are Chinese);
        home: names of Ganzhou and its divisions; field: the words of our field (none given:
        every question is taken as ours)."""
        self.field = field
        self.nlp = nlp
        self.home = tuple(dict.fromkeys(normalise(h) for h in home if h))
        self.glossary = glossary or english.Glossary([])
        self.synonyms = synonyms
        self.domain = set(synonyms.values())  # canonical gazetteer terms
        self.terms_set = set(synonyms) | self.domain
        # One turn analyses its question up to three times (search across topics, the other
        # offices' check, search in NLU's topic): jieba and the typo table run once. Per index,
        # so a new knowledge version starts with an empty cache.
        self._query = lru_cache(maxsize=64)(self._analysed)
        jieba.dt.check_initialized()
        self.answers: list[str] = list(dict.fromkeys(a for a, _, _ in docs))
        self.topic_of = {a: t for a, t, _ in docs}
        self.slot = {a: i for i, a in enumerate(self.answers)}
        self.phrase_answer = [self.slot[a] for a, _, _ in docs]
        phrasings = [self._counter(text) for _, _, text in docs]
        merged = [Counter() for _ in self.answers]
        for i, terms in zip(self.phrase_answer, phrasings):
            merged[i].update(terms)
        body = [self._counter((bodies or {}).get(a, "")) for a in self.answers]
        self.phrasing, self.all, self.body = _Field(phrasings), _Field(merged), _Field(body)
        self.ip_kind = [_ip_kind(doc) for doc in self.all.docs]  # per answer, once
        self.products = [_products(doc) for doc in self.all.docs]
        self.qualifiers = self._qualifiers(phrasings)
        self._index_typos()
        self.pinyin = PinyinReader(
            self.vocab, terms=self.domain,
            keep=[w for w in [*self.all.idf, *self.synonyms] if w.isascii() and w.isalpha()],
            synonyms=self.synonyms)
        self.by_topic: dict[str, set[int]] = defaultdict(set)
        for i, a in enumerate(self.answers):
            self.by_topic[self.topic_of[a]].add(i)

    def _qualifiers(self, phrasings: list[Counter]) -> list[frozenset[str]]:
        """Per answer, the rare field terms every one of its phrasings names."""
        df = Counter(w for doc in self.all.docs for w in doc if w in self.domain)
        shared: list[set[str] | None] = [None] * len(self.answers)
        for i, doc in zip(self.phrase_answer, phrasings):
            words = {w for w in doc if df[w] and df[w] <= QUALIFIER_ANSWERS}
            shared[i] = words if shared[i] is None else shared[i] & words
        return [frozenset(w or ()) for w in shared]

    # --- typos -------------------------------------------------------------------------
    def _index_typos(self) -> None:
        self.vocab = {w for w in [*self.all.idf, *self.body.idf, *self.synonyms,
                                  *self.synonyms.values()]
                      if len(w) >= 2 and _CJK.fullmatch(w)}
        self.typos = TypoTable(self.vocab, by_sound=self.terms_set)

    def fix_typos(self, text: str) -> str:
        return self.typos.fix(text)

    # --- analysis ------------------------------------------------------------------------
    def analyse(self, text: str) -> _Query:
        """Words without stopwords, synonyms folded; bigrams within the runs of kept words,
        so "我月" (stopword + word) is not a bigram but "申请费|减" still gives "费减"."""
        words, runs, run = [], [], ""
        if ANY_YEAR in self.domain:
            text = ORDINAL_YEAR.sub(ANY_YEAR, normalise(text))
        tokens = self._tokens(text)
        for i, tok in enumerate(tokens):
            if tok in STOPWORDS or tok in english.STOPWORDS or _PUNCT.match(tok):
                runs.append(run)
                run = ""
                continue
            if tok == HOW_TO_DO and PROCEDURE in self.domain and self._has_object(tokens[i + 1:]):
                tok = PROCEDURE
            if tok in WHAT_IS_NEEDED and self._followed_by_word(tokens[i + 1:]):
                run += tok
                continue
            if tok in SOME_YEARS and i and tokens[i - 1] in THESE:
                runs.append(run)  # "这几年多了多少": these years, not how many
                run = ""
                continue
            words.append(self.synonyms.get(tok, tok))
            run += tok
        runs.append(run)
        bigrams = []
        for segment in runs:
            for cjk in _CJK.findall(segment):
                bigrams += [f"~{cjk[i:i + 2]}" for i in range(len(cjk) - 1)]
        return _Query(list(dict.fromkeys(words)), list(dict.fromkeys(bigrams)))

    @staticmethod
    def _followed_by_word(rest: list[str]) -> bool:
        """Whether the next token is a word (not a particle, punctuation or the end)."""
        return bool(rest) and rest[0] not in STOPWORDS and not _PUNCT.match(rest[0])

    def _has_object(self, rest: list[str]) -> bool:
        """Whether the next word names something to be done (专利, 费减), not a particle."""
        nxt = next((t for t in rest if t not in STOPWORDS and not _PUNCT.match(t)), None)
        return nxt is not None and rest.index(nxt) == 0 and \
            self.specificity(self.synonyms.get(nxt, nxt)) >= DISTINCT_SPEC

    def _tokens(self, text: str) -> list[str]:
        """jieba's tokens, with two repairs: a number stays whole (the user word 12345 must not
        turn 1234567 into 12345 + 67), and a lone character that makes a gazetteer term with
        the edge of its neighbour takes that character back (申请费|减 → 申请|费减)."""
        out: list[str] = []
        glued = False
        for tok in self.nlp.tokenizer(normalise(text)):
            if tok.is_space:
                glued = False
                continue
            t = tok.text
            if glued and t.isdigit() and out[-1].isdigit():
                out[-1] += t
            elif (glued and len(t) == 1 and _CJK.match(t) and len(out[-1]) >= 2
                  and out[-1][-1] + t in self.terms_set):
                out[-1:] = [out[-1][:-1], out[-1][-1] + t]
            elif (glued and len(out[-1]) == 1 and _CJK.match(out[-1]) and len(t) >= 2
                  and out[-1] + t[0] in self.terms_set):
                out[-1:] = [out[-1] + t[0], t[1:]]
            else:
                out.append(t)
            glued = not tok.whitespace_
        return out

    def _counter(self, text: str) -> Counter:
        q = self.analyse(text)  # unique terms are enough: phrasings are short
        return Counter(q.words + q.bigrams)

    # --- search --------------------------------------------------------------------------
    def kind_of_right(self, question: str) -> str | None:
        """"patent" or "trademark" when the question names only one of them."""
        return _ip_kind(self._query(question).words)

    def names_outside(self, question: str) -> bool:
        """Whether the question names another office's service or another place."""
        return OTHER_OFFICES in self._query(question).words or self.names_elsewhere(question)

    def is_ours(self, question: str) -> bool:
        """Whether the question holds a word of our field (knowledge/ours.py)."""
        q = self._query(question)
        return not self.field or self.field.covers(q.words, q.read)

    def names_elsewhere(self, question: str) -> bool:
        """Whether the question names a place outside Ganzhou and no place of Ganzhou."""
        words = self._query(question).words
        if ELSEWHERE not in words and not any(  # jieba keeps 南昌市, 广东省 whole
                len(w) > 2 and w[-1] in "市省" and self.synonyms.get(w[:-1]) == ELSEWHERE
                for w in words):
            return False
        text = normalise(question)
        return not any(h in text for h in self.home)

    def mentions(self, answer_id: str, term: str) -> bool:
        """Whether an answer's phrasings or text hold the (folded) term."""
        a = self.slot[answer_id]
        return term in self.all.docs[a] or term in self.body.docs[a]

    def _analysed(self, question: str) -> _Query:
        text = self.fix_typos(self.pinyin.read(
            self.glossary.translate(to_mandarin(normalise(question)))))
        q = self.analyse(text)
        besides = _BESIDES.search(text)
        if besides:  # "除了赣南脐橙还有哪些": the answer wanted is not the one about 赣南脐橙
            named = besides.group("x")
            drop = set(self.analyse(named).words)
            words = [w for w in q.words if w not in drop]
            if words:
                q = _Query(words, [b for b in q.bigrams if b[1:] not in named])
        if ELSEWHERE in q.words and any(
                self.synonyms.get(m.group("place")) == ELSEWHERE for m in _TRAVEL_TO.finditer(text)):
            q = _Query([w for w in q.words if w != ELSEWHERE], q.bigrams)
        intro = _INTRO.match(text)
        if intro:
            rest = set(self.analyse(text[intro.end():]).words)
            if len(rest) >= 2:
                q = _Query(q.words, q.bigrams,  # a place outside is never mere context
                           frozenset(self.analyse(intro.group()).words) - rest - {ELSEWHERE})
        return replace(q, read=text)

    def search(self, question: str, topic: str | None = None, k: int = 3) -> list[Hit]:
        q = self._query(question)
        if not q.bigrams and all(len(w) < 2 and not _CJK.match(w) for w in q.words):
            return []  # nothing but digits and letters one by one: "' OR 1=1 --", "x"
        allowed = self.by_topic.get(topic, set()) if topic else None
        # Each question word with its weight and bigrams, worked out once for all candidates.
        words = [(w, self.specificity(w) * (CONTEXT_WEIGHT if w in q.context else 1.0),
                  [f"~{w[i:i + 2]}" for i in range(len(w) - 1)]) for w in q.words]
        # An everyday word (什么, 怎么) counts half in the ranking, a specific one fully.
        terms = ([(w, min(1.0, 0.5 + spec / 2)) for w, spec, _ in words]
                 + [(b, BIGRAM_WEIGHT) for b in q.bigrams])
        score: dict[int, float] = defaultdict(float)
        for p, s in self.phrasing.scores(terms).items():
            a = self.phrase_answer[p]
            if (allowed is None or a in allowed) and s > score[a]:
                score[a] = s
        for field, weight in ((self.all, ALL_WEIGHT), (self.body, BODY_WEIGHT)):
            for a, s in field.scores(terms, allowed).items():
                score[a] += weight * s
        kind = _ip_kind(q.words)
        named = _products(q.words)
        asked = set(q.words)
        hits = []
        for a, s in score.items():
            if s <= 0:
                continue
            if kind and self.ip_kind[a] not in (None, kind):
                s *= OTHER_IP_KIND
            if named and self.products[a] and not named & self.products[a]:
                s *= OTHER_IP_KIND
            if self.qualifiers[a] and not self.qualifiers[a] & asked:
                s *= OTHER_IP_KIND
            coverage, matched = self._coverage(words, a)
            # Scaling by coverage prefers the answer that accounts for the whole question
            # over one that matches a single word of it very well.
            hits.append(Hit(self.answers[a], self.topic_of[self.answers[a]], s * coverage,
                            coverage, matched))
        return sorted(hits, key=lambda h: (-h.score, h.answer_id))[:k]

    def specificity(self, word: str) -> float:
        """How much a word says, from its frequency in everyday Chinese (see SPEC_FLOOR)."""
        if word in QUESTION_KINDS:
            return SPEC_KIND
        if word in self.domain:
            return SPEC_MAX
        freq = jieba.dt.FREQ.get(word, 0)
        if not freq:
            if _CJK.search(word):
                return SPEC_UNKNOWN
            if len(word) < 2:
                return SPEC_MIN  # "1", "x" say little
            return SPEC_PINYIN if is_pinyin(word) else SPEC_LATIN
        return min(SPEC_MAX, max(SPEC_MIN, math.log(jieba.dt.total / (freq + 1)) - SPEC_FLOOR))

    def _coverage(self, words: list[tuple[str, float, list[str]]], a: int) -> tuple[float, int]:
        phrased, body = self.all.docs[a], self.body.docs[a]
        total = got = 0.0
        matched = 0
        for word, weight, grams in words:
            total += weight
            if word in phrased:
                credit = 1.0
            elif word in body:
                credit = BODY_CREDIT
            else:
                shared = sum(1 for g in grams if g in phrased or g in body)
                credit = FUZZY_CREDIT * shared / len(grams) if grams else 0.0
            got += weight * credit
            if credit >= 0.5 and weight >= DISTINCT_SPEC:
                matched += 1
        return (got / total if total else 0.0), matched


_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,8}〔\d{4}〕\d+号|[\u4e00-\u9fff]{2,8}令第\d+号|公告第\d+号")


def cited_numbers(answer: Answer) -> list[str]:
    """The document numbers an answer rests on: its source's and those its long text cites."""
    found = _DOC_NUMBER.findall(answer.long or "")
    return list(dict.fromkeys(filter(None, [answer.source.number, *found])))


def build_index(session, day: dt.date) -> SearchIndex:
    """Index of the answers in force on `day`; superseded rules are not findable."""
    rows = session.execute(select(Term.kind, Term.canonical, Term.variant)).all()
    terms = [(k, c, v) for k, c, v in rows if k not in kb_nlp.NOT_WORDS]
    glossary = english.Glossary((v, normalise(c)) for k, c, v in rows if k == english.KIND)
    field = ours.Field((c, normalise(v).lower()) for k, c, v in rows if k == ours.KIND)
    divisions = session.execute(select(Division.name, Division.aliases)).all()
    kb_nlp.add_user_words(normalise(v) for _, _, v in terms)
    nlp = kb_nlp.build(kb_nlp.patterns_from(terms, divisions))
    synonyms = {normalise(v): normalise(c) for kind, c, v in terms}
    docs, bodies = [], {}
    for answer in session.execute(select(Answer)).scalars():
        if not answer.in_force(day):
            continue
        # The document numbers it rests on too: citizens ask by them ("财税〔2024〕23号讲的是什么").
        bodies[answer.id] = " ".join([answer.short, *cited_numbers(answer)])
        for text in [answer.title, *(q.text for q in answer.questions)]:
            docs.append((answer.id, answer.topic, text))
    home = HOME + tuple(n for name, aliases in divisions for n in [name, *(aliases or [])])
    return SearchIndex(nlp, synonyms, docs, bodies, glossary, home, field)


def kb_version(session) -> str | None:
    return session.execute(select(KbMeta.value).where(KbMeta.key == "version")).scalar()
