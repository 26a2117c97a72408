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

from knowledge import db
from knowledge.models import (
    KNOWLEDGE_TABLES, Answer, Division, KbMeta, Question, ServicePoint, Source, Term,
)

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
    topics: dict[str, dict] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    divisions: list[dict] = field(default_factory=list)
    service_points: list[dict] = field(default_factory=list)
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # kind, canonical, variant
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


def read_data(data_dir: Path) -> KnowledgeData:
    """Reads and validates every file; raises LoadError listing every problem found."""
    c = _Checker()
    out = KnowledgeData()
    files = sorted([data_dir / "topics.yml", data_dir / "sources.yml",
                    data_dir / "service_points.yml", data_dir / "gazetteer.yml",
                    *sorted((data_dir / "answers").glob("*.yml"))])
    digest = hashlib.sha256()
    for path in files:
        if path.exists():
            digest.update(path.name.encode() + path.read_bytes())
    out.version = digest.hexdigest()[:16]

    path = data_dir / "topics.yml"
    for t in (c.read(path) or {}).get("topics", []):
        out.topics[t["id"]] = _strip(t)
    if not out.topics:
        c.problems.append("topics.yml: no topics")

    path = data_dir / "sources.yml"
    seen_sources: set[str] = set()
    for s in (c.read(path) or {}).get("sources") or []:
        sid = c.text(path, s, "id")
        if sid and not ID_RE.match(sid):
            c.fail(path, s, "id may hold only a-z 0-9 . _ -")
        if sid in seen_sources:
            c.fail(path, s, "id used twice")
        seen_sources.add(sid)
        c.text(path, s, "document")
        if s.get("date") is not None and not DATE_RE.match(str(s["date"])):
            c.fail(path, s, f"date must be YYYY, YYYY-MM or YYYY-MM-DD: {s['date']!r}")
        out.sources.append({"id": sid, "document": s.get("document"), "number": s.get("number"),
                            "issuer": s.get("issuer"),
                            "date": None if s.get("date") is None else str(s["date"]),
                            "note": s.get("note")})

    answer_ids: set[str] = set()
    overviews: dict[str, int] = {}
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
            if src and src not in seen_sources:
                c.fail(path, a, f"source {src!r} is not in sources.yml")
            start, until = c.date(path, a, "in_force_from"), c.date(path, a, "in_force_until")
            if start and until and until < start:
                c.fail(path, a, "in_force_until is before in_force_from")
            verified = c.date(path, a, "last_verified")
            if verified is None:
                c.fail(path, a, "last_verified is missing")
            if a.get("overview"):
                overviews[topic] = overviews.get(topic, 0) + 1
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
                "last_verified": verified, "overview": bool(a.get("overview")),
                "next_ids": next_ids, "questions": questions,
            })
    for path, a, key, ref in pending_refs:
        if ref not in answer_ids:
            c.fail(path, a, f"{key} names {ref!r}, which is no answer")
    for topic in out.topics:
        if overviews.get(topic, 0) != 1 and any(a["topic"] == topic for a in out.answers):
            c.problems.append(f"answers/{topic}.yml: needs exactly one overview answer, "
                              f"has {overviews.get(topic, 0)}")

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
        if p.get("source") not in seen_sources:
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

    if c.problems:
        raise LoadError(c.problems)
    return out


def load(data_dir: Path, url: str | None = None) -> KnowledgeData:
    """Validates, then replaces the knowledge tables in one transaction."""
    data = read_data(data_dir)
    with db.session(url) as s, s.begin():
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
        s.add(KbMeta(key="version", value=data.version))
        s.add(KbMeta(key="loaded_at", value=dt.datetime.utcnow().isoformat(timespec="seconds")))
    return data


def read_topics(data_dir: Path) -> dict[str, str]:
    """topic id → the intent that routes to it."""
    doc = yaml.safe_load((data_dir / "topics.yml").read_text(encoding="utf-8"))
    return {t["id"]: t["intent"] for t in doc["topics"]}
