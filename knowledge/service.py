"""Turns a question into a short, sourced reply from the knowledge base.

One instance lives in each action server process (and one in the portal, for staff). It keeps
the search index and the answers in memory and rebuilds both when `make kb` loaded new data
(version check at most every few seconds) or when the day changed (a rule may have come into
force at midnight).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select

from bot import settings
from knowledge import db
from knowledge.models import Answer, ServicePoint, UnansweredQuestion
from knowledge.search import Hit, SearchIndex, build_index, kb_version
from knowledge.text import mask_personal

INTENT_SURE = 0.6  # NLU confidence above which the predicted topic is trusted
IN_TOPIC_MIN = 0.25  # coverage needed to prefer a specific answer over the topic overview
# When the topic is not known, answer only if the best hit covers most of the question, or a
# good part of it including at least two specific words: "结婚登记要带什么" matches 登记 and 材料
# and must not be answered; measured with bench/retrieval.py on held-out questions.
ACCEPT = 0.65
ACCEPT_WITH_WORDS = 0.5
ACCEPT_WORDS = 2
OTHER_TOPIC_MARGIN = 0.15  # how much more another topic's hit must cover to overrule NLU
SUGGEST_MIN = 0.3  # coverage a hit needs to be offered as a suggestion
CHECK_EVERY_S = 2.0
HOTLINES = "可拨打12345政务服务热线咨询，或登录全国12315平台投诉举报。"
CONFIDENCE_WORD = {"H": "高", "M": "中", "L": "低"}


def confident(hit: Hit) -> bool:
    """Whether the best hit of a cross-topic search is good enough to answer with."""
    return hit.coverage >= ACCEPT or (hit.coverage >= ACCEPT_WITH_WORDS
                                      and hit.matched >= ACCEPT_WORDS)


@dataclass
class Choice:
    answer_id: str | None  # the answer to give
    overview_of: str | None  # else: this topic's overview
    hits: list[Hit]  # else: "not sure", suggesting these


def decide(index: SearchIndex, question: str, topic: str | None) -> Choice:
    """Which answer a question gets; `topic` is the one NLU is sure of, or None.

    In the topic, the best hit unless it covers too little (then the topic's overview). A
    neighbouring topic's hit wins when it is confident and covers clearly more of the question:
    NLU reads "证明商标官费多少" as a GI question, the answer is in the trademark fees.
    Without a topic, the best hit only when confident.
    """
    hits = index.search(question, k=5)
    if topic is None:
        return Choice(hits[0].answer_id if hits and confident(hits[0]) else None, None, hits)
    inside = index.search(question, topic=topic, k=1)
    best_in = inside[0].coverage if inside else 0.0
    if hits and hits[0].topic != topic and confident(hits[0]) \
            and hits[0].coverage >= best_in + OTHER_TOPIC_MARGIN:
        return Choice(hits[0].answer_id, None, hits)
    if inside and best_in >= IN_TOPIC_MIN:
        return Choice(inside[0].answer_id, None, hits)
    return Choice(None, topic, hits)


@dataclass
class Reply:
    text: str
    buttons: list[dict] = field(default_factory=list)
    answer_id: str | None = None
    answered: bool = True


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


class KnowledgeService:
    def __init__(self, url: str | None = None):
        self.url = url
        self._lock = threading.Lock()
        self._snap: _Snapshot | None = None
        self._checked = 0.0
        self.topics: dict[str, str] = {}  # intent → topic
        self.topic_intent: dict[str, str] = {}

    # --- knowledge lifecycle ---------------------------------------------------------
    def snapshot(self) -> _Snapshot:
        now, day = time.monotonic(), settings.today()
        snap = self._snap
        if snap is not None and now - self._checked < CHECK_EVERY_S and snap.key[1] == day:
            return snap
        with self._lock:
            with db.session(self.url) as s:
                key = (kb_version(s), day)
                if self._snap is None or key != self._snap.key:
                    answers = {a.id: a for a in s.execute(select(Answer)).scalars()}
                    self._snap = _Snapshot(key, build_index(s, day), answers)
            self._checked = now
            return self._snap

    def set_topics(self, topics: dict[str, str]) -> None:
        """topics: topic id → intent name (from topics.yml)."""
        self.topic_intent = dict(topics)
        self.topics = {intent: topic for topic, intent in topics.items()}

    # --- answering -------------------------------------------------------------------
    def _answer(self, snap: _Snapshot, answer_id: str) -> Answer | None:
        answer = snap.answers.get(answer_id)
        day = snap.key[1]
        # A button from an old conversation may point at a rule since superseded.
        while answer is not None and not answer.in_force(day) and answer.superseded_by:
            answer = snap.answers.get(answer.superseded_by)
        return answer if answer is not None and answer.in_force(day) else None

    def _overview(self, snap: _Snapshot, topic: str) -> Answer | None:
        return next((a for a in snap.answers.values() if a.topic == topic and a.overview
                     and a.in_force(snap.key[1])), None)

    def button(self, answer: Answer) -> dict:
        intent = self.topic_intent.get(answer.topic, "ask_" + answer.topic)
        return {"title": answer.title, "payload": f'/{intent}{{"answer_id":"{answer.id}"}}'}

    def render(self, snap: _Snapshot, answer: Answer) -> Reply:
        text = answer.short
        if answer.change_note:
            text += "\n" + answer.change_note
        text += "\n" + source_line(answer)
        buttons = [self.button(n) for n in (self._answer(snap, i) for i in answer.next_ids)
                   if n and n.id != answer.id]
        return Reply(text, buttons, answer.id)

    def answer(self, question: str, intent: str | None = None, confidence: float = 0.0,
               answer_id: str | None = None, entities: list[dict] | None = None) -> Reply:
        snap = self.snapshot()
        if answer_id:
            chosen = self._answer(snap, answer_id)
            if chosen:
                return self.render(snap, chosen)
        topic = self.topics.get(intent or "")
        county = _entity(entities, "county")
        if topic == "service_point" and county:
            return self.service_points(snap, county, _entity(entities, "service_type"))
        choice = decide(snap.index, question,
                        topic if topic and confidence >= INTENT_SURE else None)
        if choice.answer_id:
            return self.render(snap, snap.answers[choice.answer_id])
        overview = self._overview(snap, choice.overview_of) if choice.overview_of else None
        if overview:
            return self.render(snap, overview)
        return self.not_sure(snap, choice.hits)

    def not_sure(self, snap: _Snapshot, hits: list[Hit]) -> Reply:
        suggestions = [snap.answers[h.answer_id] for h in hits if h.coverage >= SUGGEST_MIN][:3]
        if not suggestions:
            suggestions = [a for a in (self._overview(snap, t) for t in
                           ("fee_reduction", "priority_exam", "trademark")) if a]
        text = ("抱歉，这个问题我没有把握回答。您是不是想问下面这些？"
                "也" + HOTLINES)
        return Reply(text, [self.button(a) for a in suggestions], None, answered=False)

    def service_points(self, snap: _Snapshot, division: str,
                       service_type: str | None) -> Reply:
        """What is known in the division, then where the asked type of point exists at all.
        Unknown addresses, phones and hours are said to be unknown, never filled in."""
        with db.session(self.url) as s:
            points = s.execute(select(ServicePoint).order_by(ServicePoint.id)).scalars().all()
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
        overview = self._overview(snap, "service_point")
        buttons = [self.button(overview)] if overview else []
        return Reply(text, buttons, None)

    def log_unanswered(self, text: str, channel: str, intent: str | None,
                       score: float | None) -> None:
        with db.session(self.url) as s, s.begin():
            s.add(UnansweredQuestion(text=mask_personal(text)[:500], channel=channel[:32],
                                     intent=intent, score=score))


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
