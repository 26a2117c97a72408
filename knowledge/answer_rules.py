"""The rules every answer record obeys, whether it comes from a data file (loader.py) or from
the staff editor (editing.py): one check, so the files and the portal can never disagree.

A record arrives in its file form (the keys of knowledge/data/answers/*.yml, dates as text) and
leaves in the loader's form (dates parsed, `source_id`, `next_ids`); `content_of` turns the
latter back into the canonical file form that versions store and the export writes.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

MAX_SHORT = 300
MAX_TITLE = 24
MAX_CHANGE_NOTE = 120
MAX_NEXT = 3
CONFIDENCE = {"H", "M", "L"}
CONFIDENCE_RANK = {"L": 0, "M": 1, "H": 2}
# Every answer is re-checked against its source this many days after last_verified, unless the
# record sets review_days (shorter for a rule about to change, e.g. a law taking effect soon).
REVIEW_DAYS = 180
MAX_REVIEW_DAYS = 730
ID_RE = re.compile(r"^[a-z0-9_.-]+$")
# The file form's keys, in the order the export writes them.
FIELDS = ("id", "title", "questions", "short", "long", "source", "article", "confidence",
          "in_force_from", "in_force_until", "superseded_by", "change_note", "last_verified",
          "review_days", "next")
DATE_FIELDS = ("in_force_from", "in_force_until", "last_verified")


@dataclass(frozen=True)
class Problem:
    field: str  # the file form's key (the editor marks that field)
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Context:
    """What a record is checked against: the known topics and each source's confidence."""
    topics: frozenset[str]
    source_confidence: Mapping[str, str | None]


class _Record:
    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record
        self.problems: list[Problem] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message))

    def text(self, key: str, required: bool = True, max_len: int | None = None) -> str | None:
        value = self.record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(key, f"{key} is missing")
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.fail(key, f"{key} must be text")
            return None
        value = str(value).strip()
        if max_len and len(value) > max_len:
            self.fail(key, f"{key} has {len(value)} characters, at most {max_len}")
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(key, f"{key} is not a date (YYYY-MM-DD): {value!r}")
            return None


def check_answer(record: Mapping[str, Any], topic: str | None,
                 ctx: Context) -> tuple[dict, list[Problem]]:
    """One record on its own: the record in the loader's form and every problem, each naming
    its field. References to other answers are checked by `check_set`."""
    r = _Record(record)
    if topic not in ctx.topics:
        r.fail("topic", f"topic {topic!r} is not in topics.yml")
    aid = r.text("id")
    if aid and not (ID_RE.match(aid) and aid.startswith(f"{topic}.")):
        r.fail("id", f"id must be '{topic}.<slug>' in a-z 0-9 _ -")
    raw_questions = record.get("questions") or []
    if isinstance(raw_questions, str):
        raw_questions = [raw_questions]
    questions = [str(q).strip() for q in raw_questions if str(q).strip()]
    if len(questions) < 2:
        r.fail("questions", "needs at least 2 questions")
    if len(set(questions)) < len(questions):
        r.fail("questions", "the same question is listed twice")
    confidence = record.get("confidence")
    if confidence not in CONFIDENCE:
        r.fail("confidence", "confidence must be H, M or L")
    src = r.text("source")
    known = ctx.source_confidence
    if src and src not in known:
        r.fail("source", f"source {src!r} is not in sources.yml")
    elif src and confidence in CONFIDENCE and known[src] in CONFIDENCE \
            and CONFIDENCE_RANK[confidence] > CONFIDENCE_RANK[known[src]]:
        r.fail("confidence", f"confidence {confidence} is higher than its source's "
                             f"({src}: {known[src]}); an answer is only as sure as its source")
    start, until = r.date("in_force_from"), r.date("in_force_until")
    if start and until and until < start:
        r.fail("in_force_until", "in_force_until is before in_force_from")
    superseded_by = r.text("superseded_by", required=False)
    if superseded_by and until is None:
        r.fail("superseded_by", "superseded_by needs in_force_until (the last day it applied)")
    verified = r.date("last_verified")
    if verified is None and "last_verified" not in {p.field for p in r.problems}:
        r.fail("last_verified", "last_verified is missing")
    review_days = record.get("review_days")
    if review_days is not None and (not isinstance(review_days, int)
                                    or isinstance(review_days, bool)
                                    or not 1 <= review_days <= MAX_REVIEW_DAYS):
        r.fail("review_days", f"review_days must be a whole number of days, 1 to "
                              f"{MAX_REVIEW_DAYS}: {review_days!r}")
        review_days = None
    if "overview" in record:
        r.fail("overview", "a topic's overview answer is named in topics.yml, not here")
    # A misspelt key would otherwise be dropped without a word ("in_force_form: 2027-01-01").
    # The editor's records carry their topic; a file's records take the file's.
    if "topic" in record and record["topic"] != topic:
        r.fail("topic", f"topic {record['topic']!r} differs from the file's {topic!r}")
    for key in sorted(set(record) - set(FIELDS) - {"overview", "topic", "__line__"}):
        r.fail(key, f"unknown key {key!r}; an answer has {', '.join(FIELDS)}")
    raw_next = record.get("next") or []
    next_ids = [str(x).strip() for x in (raw_next if isinstance(raw_next, list) else [raw_next])
                if str(x).strip()]
    if len(next_ids) > MAX_NEXT:
        r.fail("next", f"at most {MAX_NEXT} next answers")
    answer = {
        "id": aid, "topic": topic, "title": r.text("title", max_len=MAX_TITLE),
        "short": r.text("short", max_len=MAX_SHORT),
        "long": r.text("long", required=False),
        "source_id": src, "article": r.text("article", required=False),
        "confidence": confidence, "in_force_from": start,
        "in_force_until": until, "superseded_by": superseded_by,
        "change_note": r.text("change_note", required=False, max_len=MAX_CHANGE_NOTE),
        "last_verified": verified, "review_days": review_days,
        "next_ids": next_ids, "questions": questions,
    }
    return answer, r.problems


def in_force(answer: Mapping, day: dt.date) -> bool:
    start, until = answer["in_force_from"], answer["in_force_until"]
    return (start is None or start <= day) and (until is None or day <= until)


def check_set(answers: Iterable[Mapping],
              overviews: Mapping[str, str]) -> list[tuple[str, str, Problem]]:
    """What holds between records: ids used once, `next` and `superseded_by` name answers, a
    successor applies from the day after its predecessor ends, every topic's overview exists
    and never expires. Each problem comes with its owner: ("answer", id) or ("topic", id)."""
    answers = [a for a in answers if a.get("id")]
    out: list[tuple[str, str, Problem]] = []
    by_id: dict[str, Mapping] = {}
    for a in answers:
        if a["id"] in by_id:
            out.append(("answer", a["id"], Problem("id", "id used twice")))
        by_id[a["id"]] = a
    for a in answers:
        for ref in a["next_ids"]:
            if ref not in by_id:
                out.append(("answer", a["id"], Problem("next",
                                                       f"next names {ref!r}, which is no answer")))
        ref = a["superseded_by"]
        if not ref:
            continue
        if ref not in by_id:
            out.append(("answer", a["id"], Problem(
                "superseded_by", f"superseded_by names {ref!r}, which is no answer")))
        elif a["in_force_until"] is not None:
            # The successor must apply from the day after: old buttons are sent on to it.
            after = a["in_force_until"] + dt.timedelta(days=1)
            if not in_force(by_id[ref], after):
                out.append(("answer", a["id"], Problem(
                    "superseded_by", f"superseded_by {ref!r} is not in force on {after}, the "
                                     "day after this one ends")))
    for tid, overview in overviews.items():
        found = by_id.get(overview)
        if found is None or found["topic"] != tid:
            out.append(("topic", tid, Problem(
                "overview", f"overview {overview!r} is no answer of topic {tid!r}")))
        elif found["in_force_until"] is not None:
            out.append(("topic", tid, Problem(
                "overview", f"overview {overview!r} cannot expire (in_force_until): the topic "
                            "would be left without one")))
    return out


def review_by(answer: Mapping, default_days: int = REVIEW_DAYS) -> dt.date | None:
    """When a record must next be checked against its source."""
    if answer.get("last_verified") is None:
        return None
    return answer["last_verified"] + dt.timedelta(days=answer.get("review_days") or default_days)


def content_of(answer: Mapping) -> dict:
    """A checked record (the loader's form) in the canonical file form: what a version stores,
    what the export writes, and what import compares."""
    out = {"topic": answer["topic"], "id": answer["id"], "title": answer["title"],
           "questions": list(answer["questions"]), "short": answer["short"],
           "long": answer["long"], "source": answer["source_id"], "article": answer["article"],
           "confidence": answer["confidence"], "superseded_by": answer["superseded_by"],
           "change_note": answer["change_note"], "review_days": answer.get("review_days"),
           "next": list(answer["next_ids"])}
    for key in DATE_FIELDS:
        out[key] = answer[key].isoformat() if answer[key] else None
    return out
