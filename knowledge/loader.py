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
    fees: FeeData = field(default_factory=FeeData)
    version: str = ""


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
    source_confidence: dict[str, str | None] = {}
    for s in (c.read(path) or {}).get("sources") or []:
        sid = c.text(path, s, "id")
        if sid and not ID_RE.match(sid):
            c.fail(path, s, "id may hold only a-z 0-9 . _ -")
        if sid in source_confidence:
            c.fail(path, s, "id used twice")
        source_confidence[sid] = s.get("confidence")
        c.text(path, s, "document")
        if s.get("date") is not None and not DATE_RE.match(str(s["date"])):
            c.fail(path, s, f"date must be YYYY, YYYY-MM or YYYY-MM-DD: {s['date']!r}")
        out.sources.append({"id": sid, "document": s.get("document"), "number": s.get("number"),
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
            if a.get("confidence") not in CONFIDENCE:
                c.fail(path, a, "confidence must be H, M or L")
            src = c.text(path, a, "source")
            if src and src not in source_confidence:
                c.fail(path, a, f"source {src!r} is not in sources.yml")
            start, until = c.date(path, a, "in_force_from"), c.date(path, a, "in_force_until")
            if start and until and until < start:
                c.fail(path, a, "in_force_until is before in_force_from")
            verified = c.date(path, a, "last_verified")
            if verified is None:
                c.fail(path, a, "last_verified is missing")
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
    for path, a, key, ref in pending_refs:
        if ref not in answer_ids:
            c.fail(path, a, f"{key} names {ref!r}, which is no answer")
    topic_of = {a["id"]: a["topic"] for a in out.answers}
    for t, record in zip(out.topics.values(), topic_records):
        if t.overview and topic_of.get(t.overview) != t.id:
            c.fail(data_dir / "topics.yml", record,
                   f"overview {t.overview!r} is no answer of topic {t.id!r}")

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
