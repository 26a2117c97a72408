"""Questions the bot could not answer or answered with low confidence: which ones are logged,
how similar ones are grouped for review, and the daily count of questions.

What is logged (`doubt`), from what the service knows when it answers:
  unanswered  no answer was given ("没有把握", with suggestions);
  overview    NLU was sure of the topic but no record of it covered the question well enough
              (coverage under service.IN_TOPIC_MIN), so the topic's overview was given;
  weak        a record was given that covers less than WEAK_COVERAGE of the question's word
              weight: without NLU's topic such a hit would not have been accepted (the
              cross-topic rule asks for 0.5 with two specific words, service.ACCEPT_WITH_WORDS).
An answer chosen by a button, a calculator's result and a confident hit are not logged, and a
question NLU was unsure of but retrieval answered confidently is not either: the answer then
covers the question as well as any other answer the bot gives.

Grouping (leader clustering, explainable in two sentences): a question joins the group whose
first question is most similar to it, when they share most of their words or the same existing
answer fits both well; otherwise it starts a group. Words: those search matches on
(`KnowledgeService.question_words`: typos repaired, synonyms folded, stop words dropped), each
weighing its specificity (`word_weight`); "most" is a weighted Jaccard of at least SIMILAR.
The same answer: the best search hit of both, covering at least SAME_ANSWER of each (search's
own bar for answering without a topic, service.ACCEPT). So "公积金怎么提取" and "请问公积金如何
提取" join on their words, "商标注册要多少钱" and "申请注册商标的费用" on their answer, while
"商标注册要多少钱" and "商标续展要多少钱" (another specific word, another answer) and "结婚登记要带
什么" and "离婚登记要带什么材料" (an answer that fits neither well) stay apart
(tests/test_unanswered.py).
A new question joins a dismissed or already handled group too, and stays out of the open list
with it (the reason given applies to the question); it shows up again only once the group's
questions have all expired (UNANSWERED_RETENTION_DAYS) and it starts a new group.

Grouping runs where the groups are read (the review page, the dashboard), over the questions
logged since, not in the citizen's turn: logging stays one INSERT.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from knowledge.models import QuestionCount, UnansweredGroup, UnansweredQuestion
from knowledge.storage import Database, increment, utcnow
from knowledge.text import mask_personal, normalise

KINDS = {"unanswered": "未能回答", "overview": "只给了概述", "weak": "匹配较弱"}
OUTCOMES = {"answered": "已回答", "low": "低把握回答", "unanswered": "未能回答"}
WEAK_COVERAGE = 0.5
SIMILAR = 0.5  # weighted Jaccard of the words; measured on tests/test_unanswered.py's shapes
SAME_ANSWER = 0.65  # coverage of the same best answer, in both questions
MAX_TEXT = 500
GROUP_BATCH = 2000  # questions grouped per call; the rest on the next
BEIJING = dt.timedelta(hours=8)  # the day a question is counted on is Beijing's


def doubt(answered: bool, overview: bool, coverage: float | None) -> str | None:
    """Which kind of low confidence an answer had (see the module's docstring), or None."""
    if not answered:
        return "unanswered"
    if overview:
        return "overview"
    if coverage is not None and coverage < WEAK_COVERAGE:
        return "weak"
    return None


def outcome(kind: str | None) -> str:
    return "answered" if kind is None else "unanswered" if kind == "unanswered" else "low"


def log(s: Session, text: str, channel: str, intent: str | None, score: float | None,
        kind: str = "unanswered", answer_id: str | None = None,
        coverage: float | None = None, now: dt.datetime | None = None) -> None:
    s.add(UnansweredQuestion(text=mask_personal(text)[:MAX_TEXT], channel=channel[:32],
                             intent=intent, score=score, kind=kind, answer_id=answer_id,
                             coverage=coverage, created_at=now or utcnow()))


def count(s: Session, channel: str, result: str, now: dt.datetime | None = None) -> None:
    day = ((now or utcnow()) + BEIJING).date()
    increment(s, QuestionCount, {"day": day, "channel": channel[:32], "outcome": result}, "n")


# --- grouping ---------------------------------------------------------------------------------
Weights = dict[str, float]


def similarity(a: Weights, b: Weights) -> float:
    """Weighted Jaccard: the weight of the shared words over the weight of all words."""
    if not a or not b:
        return 0.0
    shared = sum(min(a[w], b[w]) for w in a.keys() & b.keys())
    every = sum(max(a.get(w, 0.0), b.get(w, 0.0)) for w in a.keys() | b.keys())
    return shared / every if every else 0.0


@dataclass(frozen=True)
class Shape:
    """What a question is grouped by."""
    weights: Weights
    match_id: str | None
    match: float | None

    def like(self, other: "Shape") -> float:
        """How similar: 1 for the same well-fitting answer, else the words' similarity."""
        if self.match_id and self.match_id == other.match_id and \
                min(self.match or 0, other.match or 0) >= SAME_ANSWER:
            return 1.0
        return similarity(self.weights, other.weights)


@dataclass(frozen=True)
class Analyser:
    """The knowledge service's analysis, as grouping needs it."""
    words: Callable[[str], list[str]]
    weight: Callable[[str], float]
    best: Callable[[str], tuple[str, float] | None]  # the best answer in force and its coverage

    def split(self, text: str) -> list[str]:
        found = self.words(text)
        # Nothing search would match on (emoji, punctuation): only the same text is similar.
        return found or ["=" + normalise(text).strip()[:100]]

    def weigh(self, words: Iterable[str]) -> Weights:
        return {w: (1.0 if w.startswith("=") else max(self.weight(w), 0.1)) for w in words}


def group_pending(db: Database, analyser: Analyser, limit: int = GROUP_BATCH) -> int:
    """Puts the questions not yet grouped into groups; how many it grouped."""
    with db.transaction() as s:
        pending = s.execute(select(UnansweredQuestion).where(
            UnansweredQuestion.group_id.is_(None)).order_by(UnansweredQuestion.id)
            .limit(limit).with_for_update()).scalars().all()
        if not pending:
            return 0
        first = select(func.min(UnansweredQuestion.id)).where(
            UnansweredQuestion.group_id.isnot(None)).group_by(UnansweredQuestion.group_id)
        leaders = [(r.group_id, Shape(analyser.weigh((r.words or "").split()), r.match_id,
                                      r.match)) for r in s.execute(
            select(UnansweredQuestion.group_id, UnansweredQuestion.words,
                   UnansweredQuestion.match_id, UnansweredQuestion.match)
            .where(UnansweredQuestion.id.in_(first)))]
        for q in pending:
            words = analyser.split(q.text)
            found = analyser.best(q.text)
            q.words = " ".join(words)
            q.match_id, q.match = found if found else (None, None)
            mine = Shape(analyser.weigh(words), q.match_id, q.match)
            best, score = None, 0.0
            for gid, theirs in leaders:
                sim = mine.like(theirs)
                if sim > score:
                    best, score = gid, sim
            if best is not None and score >= SIMILAR:
                q.group_id = best
            else:
                group = UnansweredGroup(created_at=q.created_at)
                s.add(group)
                s.flush()
                q.group_id = group.id
                leaders.append((group.id, mine))
        return len(pending)


def delete_empty_groups(s: Session) -> int:
    """Groups whose questions have all expired or been deleted (retention, PIPL requests)."""
    used = select(UnansweredQuestion.group_id).where(UnansweredQuestion.group_id.isnot(None))
    return s.execute(delete(UnansweredGroup).where(UnansweredGroup.id.notin_(used))
                     .execution_options(synchronize_session=False)).rowcount


# --- reading the groups -----------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    id: int
    state: str
    count: int
    first_asked: dt.datetime
    last_asked: dt.datetime
    text: str  # its first question, masked
    examples: tuple[tuple[str, int], ...]  # (masked text, times asked), most asked first
    channels: tuple[tuple[str, int], ...]
    kinds: tuple[tuple[str, int], ...]
    reason: str | None
    answer_id: str | None
    version_id: int | None
    resolved_by: str | None
    resolved_at: dt.datetime | None


def _states(state: str | None) -> list:
    if state is None:
        return []
    if state == "resolved":  # everything staff acted on but dismissal
        return [UnansweredGroup.state.notin_(("open", "dismissed"))]
    return [UnansweredGroup.state == state]


def group_text(s: Session, group_id: int) -> str | None:
    """An open group's first question (masked), for a draft made from it; None when there
    is no such open group."""
    q, g = UnansweredQuestion, UnansweredGroup
    return s.execute(select(q.text).join(g, q.group_id == g.id)
                     .where(g.id == group_id, g.state == "open")
                     .order_by(q.id).limit(1)).scalar_one_or_none()


def groups(s: Session, state: str | None = "open", since: dt.datetime | None = None,
           limit: int = 50, offset: int = 0, examples: int = 5) -> tuple[int, list[Group]]:
    """Groups in this state (None: all), most asked first, and how many in all. `since`: only
    questions asked since then count (the dashboard's window)."""
    q, g = UnansweredQuestion, UnansweredGroup
    where = [*_states(state), *([q.created_at >= since] if since else [])]
    n = func.count(q.id)
    base = select(g.id).join(q, q.group_id == g.id).where(*where).group_by(g.id)
    total = s.execute(select(func.count()).select_from(base.subquery())).scalar()
    rows = s.execute(
        select(g.id, g.state, g.reason, g.answer_id, g.version_id, g.resolved_by,
               g.resolved_at, n.label("n"), func.min(q.created_at).label("first"),
               func.max(q.created_at).label("last"), func.min(q.id).label("leader"))
        .join(q, q.group_id == g.id).where(*where)
        .group_by(g.id, g.state, g.reason, g.answer_id, g.version_id, g.resolved_by,
                  g.resolved_at)
        .order_by(n.desc(), func.max(q.created_at).desc(), g.id)
        .limit(limit).offset(offset)).all()
    ids = [r.id for r in rows]
    window = [q.group_id.in_(ids), *([q.created_at >= since] if since else [])]

    def per(column) -> dict[int, list[tuple[str, int]]]:
        out: dict[int, list[tuple[str, int]]] = {}
        for gid, value, c in s.execute(select(q.group_id, column, func.count())
                                       .where(*window).group_by(q.group_id, column)
                                       .order_by(q.group_id, func.count().desc(), column)):
            out.setdefault(gid, []).append((value, c))
        return out
    texts, channels, kinds = per(q.text), per(q.channel), per(q.kind)
    leaders = dict(s.execute(select(q.id, q.text).where(q.id.in_([r.leader for r in rows]))).all())
    return total, [Group(r.id, r.state, r.n, r.first, r.last, leaders[r.leader],
                         tuple(texts.get(r.id, [])[:examples]), tuple(channels.get(r.id, [])),
                         tuple(kinds.get(r.id, [])), r.reason, r.answer_id, r.version_id,
                         r.resolved_by, r.resolved_at) for r in rows]
