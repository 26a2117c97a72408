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

from knowledge.answer_rules import (  # noqa: F401 (MAX_SHORT, REVIEW_DAYS, ID_RE: used by others)
    CONFIDENCE, ID_RE, MAX_SHORT, REVIEW_DAYS, Context, check_answer, check_set,
    review_by,
)
from knowledge import editing
from knowledge.fees.loader import FeeData, read_fees
from knowledge.models import (
    KNOWLEDGE_TABLES, ApplicantKind, Division, Fee, FeeRule, KbMeta, ServicePoint, Source, Term,
)
from knowledge.records import Topic
from knowledge.storage import Database, utcnow

SERVICE_TYPES_KIND = "service_type"
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
        # YAML lets a repeated key silently replace the first ("地理标志:" written twice in the
        # gazetteer dropped one list of synonyms): a data file may not repeat one.
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    f"in the mapping at line {node.start_mark.line + 1}", node.start_mark,
                    f"key {key!r} repeated (line {seen[key]} and line {key_node.start_mark.line + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
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
                            "confidence": s.get("confidence"),
                            "number": s.get("number"),
                            "issuer": s.get("issuer"),
                            "date": None if s.get("date") is None else str(s["date"]),
                            "note": s.get("note")})

    ctx = Context(frozenset(out.topics), source_confidence)
    where: dict[str, tuple[Path, dict]] = {}
    for path in sorted((data_dir / "answers").glob("*.yml")):
        doc = c.read(path) or {}
        topic = doc.get("topic")
        for a in doc.get("answers") or []:
            answer, problems = check_answer(a, topic, ctx)
            for problem in problems:
                c.fail(path, a, problem.message)
            if answer["id"]:
                where[answer["id"]] = (path, a)
                due = review_by(answer)
                if due and "review_days" not in {p.field for p in problems}:
                    out.reviews.append(Review(answer["id"], due,
                                              f"{path.name}:{a.get('__line__', '?')}",
                                              answer["in_force_until"]))
            out.answers.append(answer)
    records = dict(zip(out.topics, topic_records))
    for kind, owner, problem in check_set(out.answers, {t.id: t.overview
                                                         for t in out.topics.values()}):
        if kind == "topic":
            c.fail(data_dir / "topics.yml", records[owner], problem.message)
        else:
            c.fail(*where[owner], problem.message)

    path = data_dir / "gazetteer.yml"
    gaz = c.read(path) or {}
    service_types = set((gaz.get(SERVICE_TYPES_KIND) or {}).keys()) - {"__line__"}
    for kind, groups in _strip(gaz).items():
        if not isinstance(groups, dict):
            c.problems.append(f"gazetteer.yml: {kind} must map terms to variant lists")
            continue
        owner: dict[str, str] = {}  # a variant of two terms would be folded to either at random
        for canonical, variants in _strip(groups).items():
            for v in [canonical, *(variants or [])]:
                first = owner.setdefault(str(v).lower(), str(canonical))
                if first != str(canonical):
                    c.fail(path, groups, f"{kind}: {v!r} is a variant of both {first!r} and "
                                         f"{canonical!r}")
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


def due_for_review(data: KnowledgeData, day: dt.date) -> list[Review]:
    """Answers whose review date has come, oldest first. Rules that no longer apply on `day`
    are history, never shown: they are not listed."""
    return sorted((r for r in data.reviews
                   if r.review_by <= day and (r.in_force_until is None or day <= r.in_force_until)),
                  key=lambda r: (r.review_by, r.answer_id))


def load(data_dir: Path, db: Database, overwrite: bool = False) -> KnowledgeData:
    """Validates, then in one transaction: the answers become versions (editing.py: new and
    changed records published with origin import, records edited in the portal refused unless
    `overwrite`), every record's current published version is checked again against the new
    sources and topics, and the knowledge tables are replaced (sources, fees, service points and
    gazetteer whole from the files; answers from the published versions)."""
    data = read_data(data_dir)
    now = utcnow()
    with db.transaction() as s:
        editing.import_answers(s, data.answers, overwrite, now)
        contents = editing.published_contents(s)
        ctx = Context(frozenset(data.topics), {x["id"]: x["confidence"] for x in data.sources})
        problems, checked = [], []
        for content in contents:
            answer, found = check_answer(content, content["topic"], ctx)
            problems += [f"[{content['id']}] (published in the portal) {p}" for p in found]
            checked.append(answer)
        problems += [f"[{owner}] {p}" for _, owner, p in check_set(
            checked, {t.id: t.overview for t in data.topics.values()})]
        if problems:
            raise LoadError(problems)
        for table in KNOWLEDGE_TABLES:
            s.execute(delete(table))
        s.add_all(Source(**x) for x in data.sources)
        s.flush()
        s.add_all(Division(**x) for x in data.divisions)
        s.flush()
        data.version = editing.materialize_all(
            s, contents, data.version,
            {t.id: {"name": t.name, "overview": t.overview} for t in data.topics.values()})
        s.add_all(ServicePoint(**x) for x in data.service_points)
        s.add_all(Term(kind=k, canonical=cn, variant=v) for k, cn, v in data.terms)
        s.add_all(Fee(**x) for x in data.fees.fees)
        s.add_all(FeeRule(**x) for x in data.fees.rules)
        s.add_all(ApplicantKind(**x) for x in data.fees.kinds)
        s.add(KbMeta(key="loaded_at", value=now.isoformat(timespec="seconds")))
    return data


def read_topics(data_dir: Path) -> list[Topic]:
    """topics.yml alone (the overview ids are checked against the answers by read_data)."""
    c = _Checker()
    topics, _ = _topics(c, data_dir / "topics.yml")
    if c.problems:
        raise LoadError(c.problems)
    return list(topics.values())
