"""Turns a question into a short, sourced reply from the knowledge base.

One service lives in each process that answers (action server, portal). It keeps the search
index and the answers in memory and rebuilds both when a build loaded new data (version check
at most every few seconds) or when the day changed (a rule may have come into force at
midnight). Topic behaviour (overview, suggestions, county answers, extra buttons) comes from
topics.yml, never from code.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable

from sqlalchemy import select

from knowledge.fees import calculate, replies
from knowledge.fees.facts import Amount, Party, PatentQuery, TrademarkQuery
from knowledge.fees.schedule import FeeSchedule, from_rows
from knowledge import unanswered, unsaid
from knowledge.answer_rules import MAX_SHORT
from knowledge.models import Answer, ApplicantKind, Fee, FeeRule, ServicePoint
from knowledge.records import Choice, Found, Reply, Topic
from knowledge.search import ELSEWHERE, KIND_WORD, Hit, SearchIndex, build_index, kb_version
from knowledge.storage import Database
from knowledge.text import normalise

INTENT_SURE = 0.6  # NLU confidence above which the predicted topic is trusted
IN_TOPIC_MIN = 0.25  # coverage needed to prefer a specific answer over the topic overview
# When the topic is not known, answer only if the best hit covers most of the question, or a
# good part of it including at least two specific words: "结婚登记要带什么" matches 登记 and 材料
# and must not be answered; measured with bench/retrieval.py on the development questions.
ACCEPT = 0.65
ACCEPT_WITH_WORDS = 0.5
ACCEPT_WORDS = 2
# NLU calls a question out of scope when it has not seen its words ("被侵全了去哪里投素": typos
# the search repairs). Such a question is still answered when one answer covers nearly all of it
# with at least two specific words; everything else keeps the out-of-scope reply.
RESCUE = 0.9
RESCUE_WORDS = 2
# NLU unsure (below INTENT_SURE) but leaning to a topic (GUESS_MIN), and the search's best answer
# is in that topic: two weak signals agreeing answer at a lower coverage (AGREE) than either alone.
# Chosen on the answers development split, where no out-of-scope question met it.
GUESS_MIN = 0.3
# A question without a word of our field (knowledge/ours.py) is answered only by an answer that
# covers this much of it, whatever NLU's topic: of the development split's 161 out-of-scope
# questions and a probe of 223 more, none reached it (the best: 0.75, "医院乱收费在哪举报"); two of
# the four development questions of ours without such a word did ("举报需要写清楚什么", 0.86).
NOT_OURS_ACCEPT = 0.8
AGREE = 0.45
OTHER_TOPIC_MARGIN = 0.15  # how much more another topic's hit must cover to overrule NLU
# ... or, covering as much, how much more it must score: the score weighs what coverage does not
# (rare words, phrasings matched whole). "规划里讲冇讲帮企业搞专利数据库" is read as the plan's and
# its overview covers it; the answer on patent databases scores 2.4 times as much. 1.25 also let
# "办商标得窗口在那" (1.4) leave the service points; 1.5 kept it, on the answers dev split.
OTHER_TOPIC_SCORE = 1.5
SUGGEST_MIN = 0.3  # coverage a hit needs to be offered as a suggestion
CHECK_EVERY_S = 2.0
MAX_QUERY = 500  # longer text is searched by its start
# A message this long is mostly a story, and its question comes last ("我是信丰的个体户，在展会上
# ……请问能不能请求行政裁决，要准备哪些材料"): the story's many words leave every answer covering
# little of it. When the whole finds no answer, its last sentence is asked on its own.
LONG_QUESTION = 60
# A story shares many words with its answer but covers less of itself than a short question:
# when neither the whole nor its last sentence passes, the whole's best hit answers if it
# matches LONG_WORDS specific words and covers LONG_COVERAGE.
LONG_WORDS = 4
LONG_COVERAGE = 0.4
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
HOTLINES = "可拨打12345政务服务热线咨询，或登录全国12315平台投诉举报。"
CONFIDENCE_WORD = {"H": "高", "M": "中", "L": "低"}


def confident(hit: Hit) -> bool:
    """Whether the best hit of a cross-topic search is good enough to answer with."""
    return hit.coverage >= ACCEPT or (hit.coverage >= ACCEPT_WITH_WORDS
                                      and hit.matched >= ACCEPT_WORDS)


def decide(index: SearchIndex, question: str, topic: str | None,
           guess: str | None = None, ours: bool | None = None) -> tuple[Choice, list[Hit]]:
    """Which answer a question gets; `topic` is the one NLU is sure of, or None; `guess` the
    one it leans to when it is not sure.

    In the topic, the best hit unless it covers too little (then the topic's overview). A
    neighbouring topic's hit wins when it is confident and covers clearly more of the question:
    NLU reads "证明商标官费多少" as a GI question, the answer is in the trademark fees.
    Without a topic, the best hit only when confident, or when it is in the guessed topic and
    covers AGREE of the question. `ours`: whether the question is of our field (None: its own
    words say; the last sentence of a long message is judged by the whole message).
    """
    hits = index.search(question, k=5)
    candidates = tuple((h.answer_id, h.coverage) for h in hits)
    if index.names_outside(question):
        # "注册营业执照要哪些材料", "股权出质登记在哪办": NLU hears 注册/材料/登记 and may be sure
        # of a topic, and two kind words (材料, 地址) pass the accept rule, but the question is
        # about another office's service. Answer only an answer that covers most of it — and,
        # for another place ("南昌的知识产权局在哪"), one that speaks of such a place too: our
        # bureau's address covers the question's words but not its city.
        best = hits[0] if hits and hits[0].coverage >= ACCEPT else None
        if best and index.names_elsewhere(question) and not index.mentions(best.answer_id, ELSEWHERE):
            best = None
        return Choice(best.answer_id if best else None, None, candidates), hits
    if not (index.is_ours(question) if ours is None else ours):
        # "楼下广场舞太吵了去哪里投诉", "体检中心在哪里": NLU knows only our topics and may be sure
        # of one, and 去哪/投诉 alone make a confident hit. A question without a word of our field
        # is answered only by an answer that covers most of it ("举报需要写清楚什么").
        best = hits[0] if hits and hits[0].coverage >= NOT_OURS_ACCEPT and hits[0].matched else None
        return Choice(best.answer_id if best else None, None, candidates,
                      best.coverage if best else None), hits
    if topic is None:
        if hits and (confident(hits[0]) or (
                guess and hits[0].topic == guess and hits[0].coverage >= AGREE)):
            return Choice(hits[0].answer_id, None, candidates, hits[0].coverage), hits
        return Choice(None, None, candidates, hits[0].coverage if hits else None), hits
    inside = index.search(question, topic=topic, k=1)
    best_in = inside[0].coverage if inside else 0.0
    if hits and hits[0].topic != topic and confident(hits[0]) and (
            hits[0].coverage >= best_in + OTHER_TOPIC_MARGIN or (
                inside and hits[0].coverage >= best_in
                and hits[0].score >= OTHER_TOPIC_SCORE * inside[0].score)):
        return Choice(hits[0].answer_id, None, candidates, hits[0].coverage), hits
    if inside and best_in >= IN_TOPIC_MIN:
        return Choice(inside[0].answer_id, None, candidates, best_in), hits
    return Choice(None, topic, candidates, best_in), hits


# "……我作为消费者想举报，应该打什么电话或者在哪里举报": whatever the story, a question of where to
# report or complain that finds no answer gets the answer on reporting through 12315 and 12345.
_REPORTING = re.compile(r"举报|投诉|反映")
ASKS_WHERE = re.compile(r"在哪|去哪|哪里|向哪|找谁|哪个部门|哪家单位|什么电话|哪个电话|谁来管|谁管|归谁管")
WHERE_TO_REPORT = "rights_assistance.report_counterfeit"
# "我个脐橙牌子被人仿冒了……冇办法了么": one's right copied, and what can be done — whatever else
# the story holds, the answer on the ways (assistance, 12315, administrative ruling, court).
ASKS_WHAT_TO_DO = re.compile(r"怎么办|咋办|咋整|怎么处理|如何处理|有什么办法|有没有办法|冇办法|怎么维权|"
                             r"如何维权|有人帮|谁能帮|谁来帮|找谁帮|帮我出主意|出个主意|有冇地方帮")
_COPIED = re.compile(r"仿|冒|假货|山寨|抄袭|侵权|盗用|侵犯")
# the right is one this office protects, or the citizen's own product ("仿我屋下个产品"); a novel
# copied is the copyright office's
RIGHT_NAMES = r"专利|发明|实用新型|外观|商标|牌子|品牌|地理标志|地标"  # the lead form's too
_OUR_RIGHT = re.compile(RIGHT_NAMES + r"|我[^，,。？?！!]{0,4}产品")
WHAT_TO_DO = "rights_assistance.overview"


# "……窗口在哪里？要是去不了还有别的办法没有": a county's service points, and how not to go at all.
_NOT_GOING = re.compile(r"去不了|不用跑|不想跑|少跑|跑腿|别的办法|其他办法|其他途径|别的途径|网上|在线|线上")
ONLINE = "service_point.online"
_ASKS_PLACE = re.compile(r"有没有|有冇|有无|有吗|在哪|哪里|哪儿|地址|电话|怎么走|找哪|找谁|怎么联系")


def asks_where_to_report(question: str) -> bool:
    return bool(_REPORTING.search(question) and ASKS_WHERE.search(question))


def asks_what_to_do_when_copied(question: str) -> bool:
    return bool(_COPIED.search(question) and _OUR_RIGHT.search(question)
                and ASKS_WHAT_TO_DO.search(question))


def asking_part(question: str) -> str | None:
    """The last sentence of a long message (with the one before when it is only a few words:
    "……要准备哪些材料？谢谢"); None for a short message or a single sentence."""
    if len(question) < LONG_QUESTION:
        return None
    parts = [p.strip() for p in _SENTENCE_END.split(question) if p.strip()]
    if len(parts) < 2:
        return None
    last = parts[-1]
    if len(last) < 8 and len(parts) >= 3:
        last = parts[-2] + "，" + last
    return last


# A long message often asks two things at its end ("要不要省里出推荐意见，批准以后多久能收到第一次
# 审查意见"); one answer leaves the other unasked. The clauses of its question sentences that ask
# something (_ASKS) are searched one by one: an answer to another clause, in the first
# answer's topic and among the whole message's best hits, is given too — in the same reply when
# both fit the length of one answer (MAX_SHORT), else as the first button.
_CLAUSE = re.compile(r"[，,、：:]")
_ASKS = re.compile(r"吗|么|呢|多少|几|哪|什么|啥|怎么|怎样|如何|能否|可不可以|有没有|还是|多久|来得及|"
                   r"([\u4e00-\u9fff])不\1")  # 要不要, 收不收


# A person and an organisation asked about together, each its own rule (费减: income against
# taxable income, pay slip against tax return).
_PERSON_WORDS, _ORGANISATION_WORDS = ("个人", "自然人"), ("公司", "企业", "单位")
_PERSON, _ORGANISATION = (re.compile("|".join(w)) for w in (_PERSON_WORDS, _ORGANISATION_WORDS))
_EACH = re.compile(r"各|分别|各自|都|两种|哪些区别|有什么不同")


def one_applicant_each(question: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """For a question about a person and an organisation together ("个人和公司…各是多少"), the
    question once about each (the other kind's words taken out), with the words an answer about
    that kind names and the words it does not. [] for any other question."""
    organisation = _ORGANISATION.findall(question)
    if not (_PERSON.search(question) and organisation and _EACH.search(question)):
        return []
    # a firm's answer for 公司/企业 (not a public institution's), any organisation's for 单位
    said = ("企业", "公司") if {"公司", "企业"} & set(organisation) else ("单位",)
    return [(_ORGANISATION.sub("", question), _PERSON_WORDS, _ORGANISATION_WORDS),
            (_PERSON.sub("", question), said, _PERSON_WORDS)]


def _about_kind(title: str, kind: tuple[str, ...], not_kind: tuple[str, ...]) -> bool:
    return any(w in title for w in kind) and not any(w in title for w in not_kind)


def question_clauses(question: str) -> list[str]:
    """The clauses of a long message's question sentences (those ending in a question mark, else
    the last sentence; the last two at most) that ask something."""
    if len(question) < LONG_QUESTION:
        return []
    sentences = [p.strip() for p in re.split(r"(?<=[。！？!?；;\n])", question) if p.strip()]
    asked = [p for p in sentences if p[-1] in "？?"] or sentences[-1:]
    out = []
    for sentence in asked[-2:]:
        out += [c.strip() for c in _CLAUSE.split(sentence.rstrip("。！？!?；;"))
                if len(c.strip()) >= 4 and _ASKS.search(c)]
    return out


def cited(src) -> str:
    """A source as answers name it. The loader stores a document's own title in 《》 and a
    description without: a description follows the number, so it never reads as a title."""
    if src.document.startswith("《"):
        return src.document + (f"（{src.number}）" if src.number else "")
    return f"{src.number}（{src.document}）" if src.number else src.document


def source_line(answer: Answer) -> str:
    src = answer.source
    parts = [cited(src)]
    if answer.article:
        parts.append(answer.article)
    line = "来源：" + "".join(parts)
    if src.date:
        line += f"，{src.note or ''}{src.date}"
    return line + f"；可信度{CONFIDENCE_WORD[answer.confidence]}"


@dataclass
class _Snapshot:
    """The knowledge as of one version and day, held in memory: answering touches no database."""
    key: tuple
    index: SearchIndex
    answers: dict[str, Answer]  # every answer, in force or not (old buttons name old ones)
    points: list[ServicePoint]
    fees: FeeSchedule  # the calculators' fees, rules and applicant kinds in force that day

    @property
    def day(self) -> dt.date:
        return self.key[1]


class KnowledgeService:
    """The knowledge library's front door (made by `knowledge.open`)."""

    def __init__(self, db: Database, topics: list[Topic],
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.db = db
        self.today = today
        self.topics = {t.id: t for t in topics}
        self._by_intent = {t.intent: t for t in topics}
        self._by_county = next((t for t in topics if t.by_county), None)  # answers by county
        self._lock = threading.Lock()
        self._snap: _Snapshot | None = None
        self._checked = 0.0

    # --- topics ------------------------------------------------------------------------
    def topic_of_intent(self, intent: str | None) -> Topic | None:
        return self._by_intent.get(intent or "")

    @property
    def topic_intents(self) -> frozenset[str]:
        return frozenset(self._by_intent)

    # --- knowledge lifecycle -----------------------------------------------------------
    def _snapshot(self) -> _Snapshot:
        now, day = time.monotonic(), self.today()
        snap = self._snap
        if snap is not None and now - self._checked < CHECK_EVERY_S and snap.day == day:
            return snap
        with self._lock:
            with self.db.session() as s:
                key = (kb_version(s), day)
                if self._snap is None or key != self._snap.key:
                    answers = {a.id: a for a in s.execute(select(Answer)).scalars()}
                    points = s.execute(select(ServicePoint)
                                       .order_by(ServicePoint.id)).scalars().all()
                    fees = from_rows(day, s.execute(select(Fee)).scalars(),
                                     s.execute(select(FeeRule)).scalars(),
                                     s.execute(select(ApplicantKind)).scalars(), cited)
                    self._snap = _Snapshot(key, build_index(s, day), answers, list(points),
                                           fees)
            self._checked = now
            return self._snap

    def warm_up(self) -> str | None:
        """Builds the index now rather than on the first question; the knowledge version."""
        return self._snapshot().key[0]

    # --- answering -----------------------------------------------------------------------
    def answer(self, question: str, intent: str | None = None, confidence: float = 0.0,
               answer_id: str | None = None, entities: list[dict] | None = None) -> Reply:
        """The reply to a question. `intent`/`confidence`: NLU's best real intent; `answer_id`:
        a button's answer; `entities`: NLU's (a county, a service type)."""
        snap = self._snapshot()
        if answer_id:
            chosen = self._in_force(snap, answer_id)
            if chosen:
                return self._render(snap, chosen)
        question = question[:MAX_QUERY]
        topic = self.topic_of_intent(intent)
        county = _entity(entities, "county")
        ours = snap.index.is_ours(question) if question else True  # a button names its topic
        service_type = _entity(entities, "service_type")
        if county and service_type and _ASKS_PLACE.search(question) and \
                not (topic and topic.by_county):
            # "安远县有冇维权援助工作站哦": a county and a kind of service point, asked where or
            # whether there is one, whatever topic NLU heard
            topic = self._by_county or topic
        # "龙南的客家围屋哪个最值得去" names a county but nothing of ours: not its service points
        if topic and topic.by_county and county and ours:
            reply = self._service_points(snap, topic, county, service_type)
            online = snap.answers.get(ONLINE)
            if online and _NOT_GOING.search(question):  # the online way before the sources
                head, mark, sources = reply.text.rpartition("\n来源：")
                reply.text = (f"{head}\n{online.short}{mark}{sources}" if mark
                              else f"{reply.text}\n{online.short}") + "\n" + source_line(online)
            return reply
        sure = topic.id if topic and confidence >= INTENT_SURE else None
        guess = topic.id if topic and not sure and confidence >= GUESS_MIN else None
        choice, hits = decide(snap.index, question, sure, guess, ours)
        asked = asking_part(question) if not choice.answer_id else None
        if asked:
            # "……商标申请……请问补正期限是多少天": the story names the kind of right, the
            # question asked does not, and alone it finds the patent rule. Asked with the
            # story's kind: 722 against 721 when only an answer of the other kind is asked again
            # (answers dev split, library level).
            kind = snap.index.kind_of_right(question)
            if kind and snap.index.kind_of_right(asked) is None:
                asked = f"{KIND_WORD[kind]} {asked}"
            last, _ = decide(snap.index, asked, sure, guess, ours)
            # the question asked, read in the story's light: an answer among the whole
            # message's best and in its best one's topic (流程/材料 asked last, 地理标志专用标志
            # said before: not the rights-assistance procedure)
            if last.answer_id and any(h.answer_id == last.answer_id and h.topic == hits[0].topic
                                      for h in hits):
                choice = last
            elif ours and hits and hits[0].matched >= LONG_WORDS and \
                    hits[0].coverage >= LONG_COVERAGE:
                choice = Choice(hits[0].answer_id, None, choice.candidates, hits[0].coverage)
        if choice.answer_id is None and choice.overview_of is None and \
                asks_where_to_report(question) and ours and not snap.index.names_outside(question):
            choice = Choice(WHERE_TO_REPORT, None, choice.candidates)
        elif choice.answer_id is None and choice.overview_of is None and ours and \
                asks_what_to_do_when_copied(question) and not snap.index.names_outside(question):
            choice = Choice(WHAT_TO_DO, None, choice.candidates)
        elif choice.answer_id is None and choice.overview_of is None and ours and county and \
                _ASKS_PLACE.search(question) and not snap.index.names_outside(question):
            # "龙南那边知识产权个事找哪个": nothing more specific found, a county asked where
            if self._by_county:
                return self._service_points(snap, self._by_county, county, service_type)
        if choice.answer_id:
            first = snap.answers[choice.answer_id]
            second = self._second_answer(snap, question, first, hits, sure, guess, ours)
            reply = self._render(snap, first, choice.coverage, second)
            said = "\n".join(line for line in reply.text.split("\n") if not line.startswith("来源："))
            silent = unsaid.note(unsaid.unsaid(question, said))
            if silent:  # after the answer, before its sources
                reply = replace(reply, text=reply.text.replace("\n", "\n" + silent + "\n", 1))
            return reply
        overview = self._overview(snap, choice.overview_of)
        if overview:
            reply = self._render(snap, overview, choice.coverage)
            reply.overview = True
            return reply
        return self._not_sure(snap, hits)

    def rescue(self, question: str, words: int = RESCUE_WORDS,
               coverage: float = RESCUE) -> Reply | None:
        """The answer to a question NLU gave an intent without an answer (out of scope, what
        the assistant can do), when the search is sure of one: it covers `coverage` of the
        question with `words` specific words or more. None keeps NLU's reading."""
        snap = self._snapshot()
        question = question[:MAX_QUERY]
        if snap.index.names_outside(question):
            return None
        if not snap.index.is_ours(question):
            coverage = max(coverage, NOT_OURS_ACCEPT)
        hits = snap.index.search(question, k=1)
        if hits and hits[0].coverage >= coverage and hits[0].matched >= words:
            return self._render(snap, snap.answers[hits[0].answer_id], hits[0].coverage)
        return None

    def is_ours(self, question: str) -> bool:
        """Whether a question holds a word of our field (knowledge/ours.py)."""
        return self._snapshot().index.is_ours(question[:MAX_QUERY])

    def names_outside(self, question: str) -> bool:
        """Whether a question names another office's service or a place outside Ganzhou."""
        return self._snapshot().index.names_outside(question[:MAX_QUERY])

    def reply_for(self, answer_id: str) -> Reply | None:
        """The reply the bot gives for an answer (or the rule that replaced it), if in force."""
        snap = self._snapshot()
        chosen = self._in_force(snap, answer_id)
        return self._render(snap, chosen) if chosen else None

    def choose(self, question: str, topic: str | None) -> Choice:
        """Which answer a question gets when NLU is sure of `topic` (or of none)."""
        return decide(self._snapshot().index, question[:MAX_QUERY], topic)[0]

    def search(self, query: str, k: int = 5, topic: str | None = None) -> list[Found]:
        """The best answers in force for a query, with their evidence (staff look-up)."""
        snap = self._snapshot()
        out = []
        for hit in snap.index.search(query[:MAX_QUERY], topic=topic, k=k):
            a = snap.answers[hit.answer_id]
            out.append(Found(a.id, a.topic, a.title, a.short, a.long, source_line(a),
                             a.confidence, a.in_force_from, a.in_force_until, a.last_verified,
                             round(hit.coverage, 2)))
        return out

    def log_unanswered(self, text: str, channel: str, intent: str | None,
                       score: float | None) -> None:
        """For staff to improve the knowledge; phone and ID numbers masked first."""
        with self.db.transaction() as s:
            unanswered.log(s, text, channel, intent, score)

    def record_question(self, text: str, channel: str, intent: str | None,
                        score: float | None, reply: Reply) -> str | None:
        """Counts a question the bot answered (the dashboard) and, when it was not answered
        or answered with low confidence (knowledge/unanswered.py: `doubt`), logs it for staff,
        masked; which kind of doubt, or None."""
        kind = unanswered.doubt(reply.answered, reply.overview, reply.coverage)
        with self.db.transaction() as s:
            unanswered.count(s, channel, unanswered.outcome(kind))
            if kind:
                unanswered.log(s, text, channel, intent, score, kind, reply.answer_id,
                               None if reply.coverage is None else round(reply.coverage, 3))
        return kind

    # --- what grouping needs (knowledge/unanswered.py) ------------------------------------
    def question_words(self, text: str) -> list[str]:
        """The words search matches a question on: typos repaired, synonyms folded, no stop
        words."""
        index = self._snapshot().index
        return index.analyse(index.fix_typos(normalise(text[:MAX_QUERY]))).words

    def word_weight(self, word: str) -> float:
        """How specific a word is (search's coverage weight)."""
        return self._snapshot().index.specificity(word)

    def best_match(self, text: str) -> tuple[str, float] | None:
        """The answer in force that fits a question best, and how much of it it covers."""
        hits = self._snapshot().index.search(text[:MAX_QUERY], k=1)
        return (hits[0].answer_id, round(hits[0].coverage, 3)) if hits else None

    def analyser(self) -> "unanswered.Analyser":
        return unanswered.Analyser(self.question_words, self.word_weight, self.best_match)

    # --- calculators -----------------------------------------------------------------------
    def fee_schedule(self) -> FeeSchedule:
        """The fees, thresholds, rates and applicant kinds in force today (knowledge/data/fees.yml)."""
        return self._snapshot().fees

    def check_fee_eligibility(self, kind: str | None, amount: Amount | None,
                              joint: bool | None = None, word: str = "") -> calculate.Eligibility:
        """Whether an applicant of `kind` (an applicant kind id) with `amount` qualifies for
        专利费减, at which percentage, with what proof."""
        return calculate.check_eligibility(self.fee_schedule(), kind, amount, joint, word)

    def check_joint_eligibility(self, parties: list[Party]) -> calculate.JointEligibility:
        """A joint application: each co-applicant checked on its own figure or kind."""
        return calculate.check_joint(self.fee_schedule(), parties)

    def patent_fees(self, query: PatentQuery) -> calculate.PatentFees:
        """An official patent fee, after the 85 % and 70 % reductions where they apply."""
        return calculate.patent_fees(self.fee_schedule(), query)

    def trademark_fees(self, query: TrademarkQuery) -> calculate.TrademarkFees:
        """A trademark filing's official fees, online and on paper (or the one asked)."""
        return calculate.trademark_fees(self.fee_schedule(), query)

    def calculator_reply(self, result) -> Reply:
        """A calculator's result as the bot says it, with its sources and next steps."""
        snap = self._snapshot()

        def link(answer_id: str) -> dict | None:
            answer = self._in_force(snap, answer_id)
            return self._button(answer) if answer else None
        return replies.render(result, link)

    # --- rendering -------------------------------------------------------------------------
    def _in_force(self, snap: _Snapshot, answer_id: str) -> Answer | None:
        answer = snap.answers.get(answer_id)
        # A button from an old conversation may point at a rule since superseded.
        while answer is not None and not answer.in_force(snap.day) and answer.superseded_by:
            answer = snap.answers.get(answer.superseded_by)
        return answer if answer is not None and answer.in_force(snap.day) else None

    def _overview(self, snap: _Snapshot, topic_id: str | None) -> Answer | None:
        topic = self.topics.get(topic_id or "")
        return self._in_force(snap, topic.overview) if topic else None

    def _button(self, answer: Answer) -> dict:
        topic = self.topics.get(answer.topic)
        intent = topic.intent if topic else f"ask_{answer.topic}"
        return {"title": answer.title, "payload": f'/{intent}{{"answer_id":"{answer.id}"}}'}

    def _second_answer(self, snap: _Snapshot, question: str, first: Answer, hits: list[Hit],
                       sure: str | None, guess: str | None, ours: bool) -> Answer | None:
        """The answer to another clause of a long message's question (see question_clauses)."""
        for clause, kind, not_kind in one_applicant_each(question):
            # "个人和公司申请费减，收入门槛各是多少": the first answer is one kind's, the second
            # is the other kind's (its title names that kind and not the other)
            if _about_kind(first.title, kind, not_kind):
                continue
            for h in snap.index.search(clause, first.topic, k=5):
                other = snap.answers[h.answer_id]
                if other.id != first.id and h.coverage >= AGREE and \
                        _about_kind(other.title, kind, not_kind):
                    return other
        best = {h.answer_id for h in hits}
        for clause in question_clauses(question):
            choice, _ = decide(snap.index, clause, sure, guess, ours)
            other = snap.answers.get(choice.answer_id) if choice.answer_id else None
            if other and other.id != first.id and other.topic == first.topic and other.id in best:
                return other
        return None

    def _render(self, snap: _Snapshot, answer: Answer, coverage: float | None = None,
                also: Answer | None = None) -> Reply:
        """One answer with its source and next steps; `also`, the answer to a second question
        of the same message, follows it when both fit one answer's length, else leads the
        buttons."""
        together = also is not None and len(answer.short) + len(also.short) <= MAX_SHORT
        parts = [answer] + ([also] if together else [])
        text = "\n".join(a.short + ("\n" + a.change_note if a.change_note else "") for a in parts)
        text += "".join("\n" + line for line in dict.fromkeys(source_line(a) for a in parts))
        nexts = [also.id] if also is not None and not together else []
        nexts += [i for a in parts for i in a.next_ids]
        shown = {a.id for a in parts}
        buttons = []
        for n in (self._in_force(snap, i) for i in dict.fromkeys(nexts)):
            if n and n.id not in shown:
                shown.add(n.id)
                buttons.append(self._button(n))
        topic = self.topics.get(answer.topic)
        buttons += [dict(b) for b in (topic.buttons if topic else ())]
        return Reply(text, buttons, answer.id, coverage=coverage)

    def _not_sure(self, snap: _Snapshot, hits: list[Hit]) -> Reply:
        suggestions = [snap.answers[h.answer_id] for h in hits if h.coverage >= SUGGEST_MIN][:3]
        if not suggestions:
            suggestions = [a for a in (self._overview(snap, t.id) for t in self.topics.values()
                                       if t.fallback) if a]
        text = ("抱歉，这个问题我没有把握回答。您是不是想问下面这些？"
                "也" + HOTLINES)
        return Reply(text, [self._button(a) for a in suggestions], None, answered=False)

    def _service_points(self, snap: _Snapshot, topic: Topic, division: str,
                        service_type: str | None) -> Reply:
        """What is known in the division, then where the asked type of point exists at all.
        Unknown addresses, phones and hours are said to be unknown, never filled in."""
        points = snap.points
        local = [p for p in points if p.division == division]
        # Asked for a type: where that type exists. Not asked: the points serving the whole city.
        of_type = [p for p in points if p.type == service_type or
                   (service_type is None and p.division is None)]
        lines = []
        if service_type and not any(p.division == division for p in of_type):
            lines.append(f"目前没有查到{division}的{service_type}。")
        shown = (local if service_type is None else [p for p in local if p.type == service_type])
        shown += [p for p in local if p not in shown][:1]
        shown += [p for p in of_type if p.division != division and p not in shown][:2]
        lines += [_describe_point(p) for p in shown[:4]]
        lines.append(HOTLINES)
        text = "\n".join(lines)
        sources = {p.source_id: p.source for p in shown}
        if sources:
            text += "\n来源：" + "、".join(cited(src) for src in sources.values())
        overview = self._overview(snap, topic.id)
        return Reply(text, [self._button(overview)] if overview else [], None)


def _entity(entities: list[dict] | None, kind: str) -> str | None:
    for e in entities or []:
        if e.get("entity") == kind and e.get("value"):
            return str(e["value"])
    return None


def _describe_point(p: ServicePoint) -> str:
    where = "（全市）" if p.division is None else f"（{p.division}）"
    known = [f"{label}：{value}" for label, value in
             (("地址", p.address), ("电话", p.phone), ("时间", p.hours)) if value]
    if known:
        flag = "" if p.verified else "（未经核实，请以官方公布为准）"
        return f"{p.name}{where}：" + "，".join(known) + flag
    return f"{p.name}{where}：地址、电话和办公时间暂无公开信息。"
