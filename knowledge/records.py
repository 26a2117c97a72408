"""The plain records the knowledge library hands out: nobody outside it touches its tables,
snapshot or search index."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Topic:
    """One topic of topics.yml and how the service treats it."""
    id: str
    name: str
    intent: str  # the NLU intent that routes to it
    overview: str  # the answer given when a question is in the topic but fits no answer
    fallback: bool = False  # suggested when nothing fits a question at all
    by_county: bool = False  # a question naming a county is answered with its service points
    buttons: tuple[dict, ...] = ()  # offered under every answer of the topic


@dataclass
class Reply:
    """What the bot says: at most ~300 characters of answer, its source line, next steps."""
    text: str
    buttons: list[dict] = field(default_factory=list)
    answer_id: str | None = None
    answered: bool = True  # False: "not sure", with suggestions
    # How sure: the share of the question the answer covers (None: a button, a county's
    # service points), and whether it is the topic's overview for want of a better record.
    coverage: float | None = None
    overview: bool = False


@dataclass(frozen=True)
class Found:
    """One search result for staff: the answer as the bot gives it, with its evidence."""
    id: str
    topic: str
    title: str
    answer: str
    details: str | None
    source: str  # the source line the bot shows
    confidence: str  # H / M / L
    in_force_from: dt.date | None
    in_force_until: dt.date | None
    last_verified: dt.date
    match: float  # 0..1, how much of the query the answer covers


@dataclass(frozen=True)
class Choice:
    """Which answer a question gets (`KnowledgeService.choose`)."""
    answer_id: str | None  # the answer to give
    overview_of: str | None  # else: this topic's overview
    candidates: tuple[tuple[str, float], ...]  # (answer id, coverage), best first
    coverage: float | None = None  # of the answer chosen; else of the topic's best record
