"""Validates the knowledge data files and loads them in one transaction: all or nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete

from knowledge.fees.loader import FeeData, read_fees
from knowledge.models import (
    KNOWLEDGE_TABLES, Answer, ApplicantKind, Division, Fee, FeeRule, KbMeta, Question,
    ServicePoint, Source, Term,
)
from knowledge.records import Topic
from knowledge.storage import Database, utcnow

MAX_SHORT = 300
CONFIDENCE = {"H", "M", "L"}
CONFIDENCE_RANK = {"L": 0, "M": 1, "H": 2}
# Every answer is re-checked against its source this many days after last_verified, unless the
# record sets review_days (shorter for a rule about to change, e.g. a law taking effect soon).
REVIEW_DAYS = 180
MAX_REVIEW_DAYS = 730
SERVICE_TYPES_KIND = "service_type"
ID_RE = re.compile(r"^[a-z0-9_.-]+$")
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class LoadError(Exception):
    """Every problem found, each naming file, line and record."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping so errors can name it. Dates stay text here, so a bad
    one is reported against its record instead of failing the whole parse."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


@dataclass
class KnowledgeData:
    topics: dict[str, Topic] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    divisions: list[dict] = field(default_factory=list)
    service_points: list[dict] = field(default_factory=list)
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # kind, canonical, variant
    reviews: list["Review"] = field(default_factory=list)
    fees: FeeData = field(default_factory=FeeData)
    version: str = ""


@dataclass(frozen=True)
class Review:
    """When an answer must next be checked against its source, and where staff find it."""
    answer_id: str
    review_by: dt.date
    where: str  # file:line
    in_force_until: dt.date | None

    def __str__(self) -> str:
        return f"{self.where} [{self.answer_id}] review by {self.review_by.isoformat()}"


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: Path, record: Any, message: str) -> None:
        line = record.get("__line__", "?") if isinstance(record, dict) else "?"
        name = record.get("id") or record.get("name") if isinstance(record, dict) else None
        where = f"{path.name}:{line}" + (f" [{name}]" if name else "")
        self.problems.append(f"{where}: {message}")

    def read(self, path: Path) -> Any:
        try:
            return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except (OSError, yaml.YAMLError) as err:
            self.problems.append(f"{path.name}: cannot read: {err}")
            return None

    def date(self, path: Path, record: dict, key: str) -> dt.date | None:
        value = record.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(path, record, f"{key} is not a date (YYYY-MM-DD): {value!r}")
            return None

    def text(self, path: Path, record: dict, key: str, required: bool = True,
             max_len: int | None = None) -> str | None:
        value = record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(path, record, f"{key} is missing")
            return None
        if not isinstance(value, (str, int, float)):
            self.fail(path, record, f"{key} must be text")
            return None
        value = str(value).strip()
        if max_len and len(value) > max_len:
            self.fail(path, record, f"{key} has {len(value)} characters, at most {max_len}")
        return value


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _strip(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "__line__"}


def _topics(c: _Checker, path: Path) -> tuple[dict[str, Topic], list[dict]]:
    records = (c.read(path) or {}).get("topics") or []
    topics: dict[str, Topic] = {}
    for t in records:
        tid = c.text(path, t, "id")
        if tid in topics:
            c.fail(path, t, "id used twice")
        buttons = t.get("buttons") or []
        if not all(isinstance(b, dict) and b.get("title") and b.get("payload") for b in buttons):
            c.fail(path, t, "every button needs a title and a payload")
        topics[tid] = Topic(
            id=tid, name=c.text(path, t, "name"), intent=c.text(path, t, "intent"),
            overview=c.text(path, t, "overview"), fallback=bool(t.get("fallback")),
            by_county=bool(t.get("by_county")),
            buttons=tuple({"title": str(b["title"]), "payload": str(b["payload"])}
                          for b in buttons if isinstance(b, dict)))
    if not topics:
        c.problems.append(f"{path.name}: no topics")
    return topics, records


def read_data(data_dir: Path) -> KnowledgeData:
    """Reads and validates every file; raises LoadError listing every problem found."""
    c = _Checker()
    out = KnowledgeData()
    files = sorted([data_dir / "topics.yml", data_dir / "sources.yml",
                    data_dir / "service_points.yml", data_dir / "gazetteer.yml",
                    data_dir / "fees.yml", *sorted((data_dir / "answers").glob("*.yml"))])
    digest = hashlib.sha256()
    for path in files:
        if path.exists():
            digest.update(path.name.encode() + path.read_bytes())
    out.version = digest.hexdigest()[:16]

    out.topics, topic_records = _topics(c, data_dir / "topics.yml")

    path = data_dir / "sources.yml"
    source_confidence: dict[str, str] = {}
    for s in (c.read(path) or {}).get("sources") or []:
        sid = c.text(path, s, "id")
        if sid and not ID_RE.match(sid):
            c.fail(path, s, "id may hold only a-z 0-9 . _ -")
        if sid in source_confidence:
            c.fail(path, s, "id used twice")
        if s.get("confidence") not in CONFIDENCE:
            c.fail(path, s, "confidence must be H, M or L (how sure the sources are of it)")
        source_confidence[sid] = s.get("confidence")
        if s.get("date") is not None and not DATE_RE.match(str(s["date"])):
            c.fail(path, s, f"date must be YYYY, YYYY-MM or YYYY-MM-DD: {s['date']!r}")
        out.sources.append({"id": sid, "document": _cited_name(c, path, s),
                            "number": s.get("number"),
                            "issuer": s.get("issuer"),
                            "date": None if s.get("date") is None else str(s["date"]),
                            "note": s.get("note")})

    answer_ids: set[str] = set()
    pending_refs: list[tuple[Path, dict, str, str]] = []
    for path in sorted((data_dir / "answers").glob("*.yml")):
        doc = c.read(path) or {}
        topic = doc.get("topic")
        if topic not in out.topics:
            c.problems.append(f"{path.name}: topic {topic!r} is not in topics.yml")
        for a in doc.get("answers") or []:
            aid = c.text(path, a, "id")
            if aid and not (ID_RE.match(aid) and aid.startswith(f"{topic}.")):
                c.fail(path, a, f"id must be '{topic}.<slug>' in a-z 0-9 _ -")
            if aid in answer_ids:
                c.fail(path, a, "id used twice")
            answer_ids.add(aid)
            questions = [str(q).strip() for q in a.get("questions") or [] if str(q).strip()]
            if len(questions) < 2:
                c.fail(path, a, "needs at least 2 questions")
            confidence = a.get("confidence")
            if confidence not in CONFIDENCE:
                c.fail(path, a, "confidence must be H, M or L")
            src = c.text(path, a, "source")
            if src and src not in source_confidence:
                c.fail(path, a, f"source {src!r} is not in sources.yml")
            elif src and confidence in CONFIDENCE and source_confidence[src] in CONFIDENCE \
                    and CONFIDENCE_RANK[confidence] > CONFIDENCE_RANK[source_confidence[src]]:
                c.fail(path, a, f"confidence {confidence} is higher than its source's "
                                f"({src}: {source_confidence[src]}); an answer is only as sure "
                                "as its source")
            start, until = c.date(path, a, "in_force_from"), c.date(path, a, "in_force_until")
            if start and until and until < start:
                c.fail(path, a, "in_force_until is before in_force_from")
            if a.get("superseded_by") and until is None:
                c.fail(path, a, "superseded_by needs in_force_until (the last day it applied)")
            verified = c.date(path, a, "last_verified")
            if verified is None:
                c.fail(path, a, "last_verified is missing")
            review_days = a.get("review_days", REVIEW_DAYS)
            if not isinstance(review_days, int) or isinstance(review_days, bool) \
                    or not 1 <= review_days <= MAX_REVIEW_DAYS:
                c.fail(path, a, f"review_days must be a whole number of days, 1 to "
                                f"{MAX_REVIEW_DAYS}: {review_days!r}")
            elif verified and aid:
                out.reviews.append(Review(aid, verified + dt.timedelta(days=review_days),
                                          f"{path.name}:{a.get('__line__', '?')}", until))
            if a.get("overview"):
                c.fail(path, a, "a topic's overview answer is named in topics.yml, not here")
            next_ids = list(a.get("next") or [])
            if len(next_ids) > 3:
                c.fail(path, a, "at most 3 next answers")
            for ref in next_ids:
                pending_refs.append((path, a, "next", ref))
            if a.get("superseded_by"):
                pending_refs.append((path, a, "superseded_by", a["superseded_by"]))
            out.answers.append({
                "id": aid, "topic": topic, "title": c.text(path, a, "title", max_len=24),
                "short": c.text(path, a, "short", max_len=MAX_SHORT),
                "long": c.text(path, a, "long", required=False),
                "source_id": src, "article": c.text(path, a, "article", required=False),
                "confidence": a.get("confidence"), "in_force_from": start,
                "in_force_until": until, "superseded_by": a.get("superseded_by"),
                "change_note": c.text(path, a, "change_note", required=False, max_len=120),
                "last_verified": verified,
                "next_ids": next_ids, "questions": questions,
            })
    by_id = {a["id"]: a for a in out.answers}
    for path, a, key, ref in pending_refs:
        if ref not in answer_ids:
            c.fail(path, a, f"{key} names {ref!r}, which is no answer")
        elif key == "superseded_by":
            # The successor must apply from the day after: old buttons are sent on to it.
            after = by_id[a["id"]]["in_force_until"]
            new = by_id[ref]
            if after is not None and not _in_force(new, after + dt.timedelta(days=1)):
                c.fail(path, a, f"superseded_by {ref!r} is not in force on "
                                f"{after + dt.timedelta(days=1)}, the day after this one ends")
    for t, record in zip(out.topics.values(), topic_records):
        overview = by_id.get(t.overview)
        if overview is None or overview["topic"] != t.id:
            c.fail(data_dir / "topics.yml", record,
                   f"overview {t.overview!r} is no answer of topic {t.id!r}")
        elif overview["in_force_until"] is not None:
            c.fail(data_dir / "topics.yml", record, f"overview {t.overview!r} cannot expire "
                   "(in_force_until): the topic would be left without one")

    path = data_dir / "gazetteer.yml"
    gaz = c.read(path) or {}
    service_types = set((gaz.get(SERVICE_TYPES_KIND) or {}).keys()) - {"__line__"}
    for kind, groups in _strip(gaz).items():
        if not isinstance(groups, dict):
            c.problems.append(f"gazetteer.yml: {kind} must map terms to variant lists")
            continue
        for canonical, variants in _strip(groups).items():
            for v in [canonical, *(variants or [])]:
                out.terms.append((kind, str(canonical), str(v)))

    path = data_dir / "service_points.yml"
    sp = c.read(path) or {}
    names: set[str] = set()
    for d in sp.get("divisions") or []:
        name = c.text(path, d, "name")
        names.add(name)
        out.divisions.append({"name": name, "kind": c.text(path, d, "kind"),
                              "aliases": [str(x) for x in d.get("aliases") or []]})
    for p in sp.get("service_points") or []:
        if p.get("type") not in service_types:
            c.fail(path, p, f"type {p.get('type')!r} is not a service_type in gazetteer.yml")
        if p.get("division") is not None and p["division"] not in names:
            c.fail(path, p, f"division {p['division']!r} is not in divisions")
        if p.get("source") not in source_confidence:
            c.fail(path, p, f"source {p.get('source')!r} is not in sources.yml")
        if p.get("verified") and not (p.get("address") or p.get("phone") or p.get("hours")):
            c.fail(path, p, "verified without any detail to verify")
        if p.get("verified") and source_confidence.get(p.get("source")) != "H":
            c.fail(path, p, "verified needs a source of confidence H")
        out.service_points.append({
            "id": c.text(path, p, "id"), "type": p.get("type"), "name": c.text(path, p, "name"),
            "division": p.get("division"), "address": p.get("address"), "hours": p.get("hours"),
            "phone": None if p.get("phone") is None else str(p["phone"]),
            "verified": bool(p.get("verified")), "source_id": p.get("source"),
            "note": p.get("note"),
        })

    out.fees = read_fees(c, data_dir / "fees.yml", source_confidence)

    if c.problems:
        raise LoadError(c.problems)
    return out


def _cited_name(c: _Checker, path: Path, s: dict) -> str | None:
    """What answers show as the source: a title in 《》, or a plain description (no 《》), so
    a description is never passed off as a document's title."""
    title = c.text(path, s, "title", required=False)
    description = c.text(path, s, "description", required=False)
    if "document" in s:
        c.fail(path, s, "'document' is ambiguous: write title (the document's own title) or "
                        "description (what it is, when no source gives its title)")
    if (title is None) == (description is None):
        c.fail(path, s, "needs exactly one of title (the document's own) or description")
        return None
    if title is not None:
        if title.startswith("《") or title.endswith("》"):
            c.fail(path, s, "title without 《》: they are added when it is shown")
        return f"《{title.strip('《》')}》"
    if description.startswith("《"):
        c.fail(path, s, "a description is not a title: no 《》")
    return description


def _in_force(answer: dict, day: dt.date) -> bool:
    start, until = answer["in_force_from"], answer["in_force_until"]
    return (start is None or start <= day) and (until is None or day <= until)


def due_for_review(data: KnowledgeData, day: dt.date) -> list[Review]:
    """Answers whose review date has come, oldest first. Rules that no longer apply on `day`
    are history, never shown: they are not listed."""
    return sorted((r for r in data.reviews
                   if r.review_by <= day and (r.in_force_until is None or day <= r.in_force_until)),
                  key=lambda r: (r.review_by, r.answer_id))


def load(data_dir: Path, db: Database) -> KnowledgeData:
    """Validates, then replaces the knowledge tables in one transaction."""
    data = read_data(data_dir)
    with db.transaction() as s:
        for table in KNOWLEDGE_TABLES:
            s.execute(delete(table))
        s.add_all(Source(**x) for x in data.sources)
        s.flush()
        s.add_all(Division(**x) for x in data.divisions)
        s.flush()
        for a in data.answers:
            fields = {k: v for k, v in a.items() if k != "questions"}
            s.add(Answer(**fields))
        s.flush()
        s.add_all(Question(answer_id=a["id"], text=q) for a in data.answers for q in a["questions"])
        s.add_all(ServicePoint(**x) for x in data.service_points)
        s.add_all(Term(kind=k, canonical=cn, variant=v) for k, cn, v in data.terms)
        s.add_all(Fee(**x) for x in data.fees.fees)
        s.add_all(FeeRule(**x) for x in data.fees.rules)
        s.add_all(ApplicantKind(**x) for x in data.fees.kinds)
        s.add(KbMeta(key="version", value=data.version))
        s.add(KbMeta(key="loaded_at", value=utcnow().isoformat(timespec="seconds")))
    return data


def read_topics(data_dir: Path) -> list[Topic]:
    """topics.yml alone (the overview ids are checked against the answers by read_data)."""
    c = _Checker()
    topics, _ = _topics(c, data_dir / "topics.yml")
    if c.problems:
        raise LoadError(c.problems)
    return list(topics.values())
