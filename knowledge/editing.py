"""Answer records as numbered versions, and the approval that publishes them (issue 13).

Every answer record is kept as versions in kb_answer_version: drafts written in the staff portal,
published ones (approved by a second person, imported from the data files, or rolled back),
drafts sent back with a comment, and withdrawals (a record dropped from the files). The
current version of a record is its newest published or withdrawn one; kb_answer/kb_question
hold the current published content of every record, which is what the running bot answers
from. Publishing replaces that record's rows and changes the knowledge version in kb_meta in
the same transaction, so every KnowledgeService picks the new text up within CHECK_EVERY_S,
without retraining.

Drafts obey the loader's rules (answer_rules: one check for files and editor); the check runs
again on approval, against the knowledge as it is then. Each public function is one
transaction.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from knowledge.answer_rules import (
    DATE_FIELDS, FIELDS, REVIEW_DAYS, Context, Problem, check_answer, check_set, content_of,
    review_by,
)
from knowledge.models import Answer, AnswerVersion, KbMeta, Question, Source
from knowledge.storage import Database, upsert, utcnow

STATES = {"draft": "待审核", "published": "已发布", "rejected": "已退回", "withdrawn": "已撤下"}
ORIGINS = {"import": "文件导入", "portal": "工作台编辑", "rollback": "回退",
           "unanswered": "未答问题", "supersede": "新规接替"}
CURRENT = ("published", "withdrawn")  # the states that make a version a record's current one
IMPORT_AUTHOR = "make kb"  # author and approver of versions imported from the data files
MAX_COMMENT = 400
EXPIRY_NOTICE_DAYS = 30
# Called inside a change's transaction with the version it wrote: the portal's audit entry is
# committed with the change or not at all.
Audit = Callable[[Session, "AnswerVersion"], None]


class EditError(Exception):
    """A draft or a decision refused; the message is for staff, in Chinese."""


class Invalid(EditError):
    """The draft breaks the loader's rules: every problem, each naming its field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


class Stale(EditError):
    """The draft was written against a version that is no longer the published one."""


class Refused(Exception):
    """The files would overwrite records changed in the portal (`kb --overwrite` to force)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Due:
    """A record staff should re-check: its review date came, or it stops applying soon."""
    answer_id: str
    title: str
    reason: str  # review / expiring
    date: dt.date  # the review date, or the last day it applies


# --- reading ---------------------------------------------------------------------------------

def _current(s: Session, answer_id: str, lock: bool = False) -> AnswerVersion | None:
    if lock:
        # PostgreSQL: a second approver of the same record waits here, then sees the first
        # one's version below (read committed) and is told the draft is stale. SQLite writes
        # one transaction at a time anyway.
        s.execute(select(AnswerVersion.id).where(AnswerVersion.answer_id == answer_id,
                                                 AnswerVersion.state.in_(CURRENT))
                  .with_for_update()).all()
    return s.execute(select(AnswerVersion).where(AnswerVersion.answer_id == answer_id,
                                                 AnswerVersion.state.in_(CURRENT))
                     .order_by(AnswerVersion.id.desc()).limit(1)).scalar()


def _current_all(s: Session) -> dict[str, AnswerVersion]:
    """Every record's current version, in the order records first appeared."""
    newest = (select(func.max(AnswerVersion.id)).where(AnswerVersion.state.in_(CURRENT))
              .group_by(AnswerVersion.answer_id))
    first = {aid: n for aid, n in s.execute(
        select(AnswerVersion.answer_id, func.min(AnswerVersion.id))
        .group_by(AnswerVersion.answer_id)).all()}
    rows = s.execute(select(AnswerVersion).where(AnswerVersion.id.in_(newest))).scalars()
    return {v.answer_id: v for v in sorted(rows, key=lambda v: first[v.answer_id])}


def _published(s: Session) -> dict[str, dict]:
    return {aid: v.content for aid, v in _current_all(s).items() if v.state == "published"}


def _topics(s: Session) -> dict[str, dict]:
    """topics.yml as the last build stored it: {id: {"name", "overview"}}."""
    raw = s.execute(select(KbMeta.value).where(KbMeta.key == "topics")).scalar()
    return json.loads(raw) if raw else {}


def _context(s: Session) -> tuple[Context, dict[str, str]]:
    topics = _topics(s)
    sources = dict(s.execute(select(Source.id, Source.confidence)).all())
    return Context(frozenset(topics), sources), {t: v["overview"] for t, v in topics.items()}


def _check(s: Session, changes: Mapping[str, dict]) -> tuple[list[Problem], dict[str, dict]]:
    """The problems of the published knowledge with `changes` ({id: file form}) applied, and
    the changed records in canonical form. Per-record rules for the changed records; the rules
    between records for all (a change may break another record's `superseded_by`)."""
    ctx, overviews = _context(s)
    merged = {**_published(s), **changes}
    problems: list[Problem] = []
    checked, canonical = [], {}
    for aid, content in merged.items():
        answer, found = check_answer(content, content.get("topic"), ctx)
        if aid in changes:
            problems += found
            canonical[aid] = content_of(answer)
        checked.append(answer)
    changed = set(changes)
    for kind, owner, problem in check_set(checked, overviews):
        if kind == "answer" and owner in changed:
            problems.append(problem)
        else:
            problems.append(Problem(problem.field, f"[{owner}] {problem.message}"))
    return problems, canonical


def current(db: Database, answer_id: str) -> AnswerVersion | None:
    with db.session() as s:
        return _current(s, answer_id)


def get(db: Database, version_id: int) -> tuple[AnswerVersion | None, AnswerVersion | None]:
    """A version and the one it is compared with: the version it was based on (a draft's), or
    the record's previous published one."""
    with db.session() as s:
        version = s.get(AnswerVersion, version_id)
        if version is None:
            return None, None
        return version, _before(s, version)


def _before(s: Session, version: AnswerVersion) -> AnswerVersion | None:
    if version.based_on:
        return s.get(AnswerVersion, version.based_on)
    return s.execute(select(AnswerVersion).where(
        AnswerVersion.answer_id == version.answer_id, AnswerVersion.state.in_(CURRENT),
        AnswerVersion.id < version.id).order_by(AnswerVersion.id.desc()).limit(1)).scalar()


def history(db: Database, answer_id: str) -> list[tuple[AnswerVersion, list[str]]]:
    """Every version of a record, newest first, each with its diff against what it changed."""
    with db.session() as s:
        rows = s.execute(select(AnswerVersion).where(AnswerVersion.answer_id == answer_id)
                         .order_by(AnswerVersion.number.desc())).scalars().all()
        by_id = {v.id: v for v in rows}
        out = []
        for v in rows:
            before = by_id.get(v.based_on) if v.based_on else _before(s, v)
            out.append((v, diff(before.content if before else None, v.content)))
        return out


def drafts(db: Database, state: str = "draft", limit: int = 200) -> list[AnswerVersion]:
    """The review queue (oldest first, as it is worked) or the versions sent back."""
    with db.session() as s:
        order = AnswerVersion.id if state == "draft" else AnswerVersion.id.desc()
        return s.execute(select(AnswerVersion).where(AnswerVersion.state == state)
                         .order_by(order).limit(limit)).scalars().all()


def sources(db: Database) -> list[tuple[str, str, str | None]]:
    """(id, how answers cite it, confidence) of every source, for the editor's choice."""
    with db.session() as s:
        return [tuple(r) for r in s.execute(select(Source.id, Source.document, Source.confidence)
                                            .order_by(Source.id)).all()]


def topics(db: Database) -> dict[str, str]:
    """{topic id: name}, for the editor's topic choice."""
    with db.session() as s:
        return {t: v["name"] for t, v in _topics(s).items()}


def search(db: Database, query: str = "", limit: int = 100) -> list[dict]:
    """Published records whose id, title, text or phrasings contain every word of `query`,
    with their current version number and how many drafts wait for review."""
    words = query.lower().split()
    with db.session() as s:
        current_rows = _current_all(s)
        waiting = dict(s.execute(select(AnswerVersion.answer_id, func.count())
                                 .where(AnswerVersion.state == "draft")
                                 .group_by(AnswerVersion.answer_id)).all())
    out = []
    for aid, v in current_rows.items():
        if v.state != "published":
            continue
        c = v.content
        haystack = " ".join([aid, c["title"], c["short"], c.get("long") or "",
                             *c["questions"]]).lower()
        if all(w in haystack for w in words):
            out.append({"id": aid, "topic": c["topic"], "title": c["title"], "short": c["short"],
                        "number": v.number, "origin": v.origin, "drafts": waiting.get(aid, 0),
                        "in_force_from": c["in_force_from"],
                        "in_force_until": c["in_force_until"]})
    return out[:limit]


def due(db: Database, day: dt.date, default_days: int = REVIEW_DAYS,
        soon_days: int = EXPIRY_NOTICE_DAYS) -> list[Due]:
    """Records to re-check against their source on `day`: review date reached (a record's
    review_days, else `default_days` after last_verified), or last day in force within
    `soon_days`. Rules no longer in force are history: never listed."""
    out = []
    with db.session() as s:
        published = _published(s)
    for c in published.values():
        until = c["in_force_until"] and dt.date.fromisoformat(c["in_force_until"])
        if until and until < day:
            continue
        verified = dt.date.fromisoformat(c["last_verified"])
        review = review_by({"last_verified": verified, "review_days": c.get("review_days")},
                           default_days)
        if review <= day:
            out.append(Due(c["id"], c["title"], "review", review))
        elif until and until <= day + dt.timedelta(days=soon_days):
            out.append(Due(c["id"], c["title"], "expiring", until))
    return sorted(out, key=lambda d: (d.date, d.answer_id))


def diff(before: dict | None, after: dict) -> list[str]:
    """The lines a version changed, in the file form (difflib: '-' removed, '+' added)."""
    return [line for line in difflib.unified_diff(_lines(before), _lines(after), n=0,
                                                  lineterm="")
            if not line.startswith(("---", "+++", "@@"))]


def _lines(content: dict | None) -> list[str]:
    if content is None:
        return []
    lines = [f"topic: {content['topic']}"]
    for key in FIELDS:
        value = content.get(key)
        if isinstance(value, list):
            lines += [f"{key}: {x}" for x in value]
        elif value is not None:
            lines.append(f"{key}: {value}")
    return lines


# --- writing ---------------------------------------------------------------------------------

def _number(s: Session, answer_id: str) -> int:
    return (s.execute(select(func.max(AnswerVersion.number))
                      .where(AnswerVersion.answer_id == answer_id)).scalar() or 0) + 1


def _add(s: Session, **fields) -> AnswerVersion:
    version = AnswerVersion(number=_number(s, fields["answer_id"]), **fields)
    s.add(version)
    s.flush()
    return version


def _answer_row(answer: dict) -> Answer:
    keys = ("id", "topic", "title", "short", "long", "source_id", "article", "confidence",
            "in_force_from", "in_force_until", "superseded_by", "change_note", "last_verified",
            "next_ids")
    return Answer(**{k: answer[k] for k in keys})


def _parsed(content: dict) -> dict:
    """A canonical (already checked) content in the loader's form, for kb_answer."""
    out = {k: content.get(k) for k in ("id", "topic", "title", "short", "long", "article",
                                        "confidence", "superseded_by", "change_note")}
    out.update(source_id=content["source"], next_ids=list(content.get("next") or []),
               questions=list(content["questions"]))
    for key in DATE_FIELDS:
        out[key] = dt.date.fromisoformat(content[key]) if content.get(key) else None
    return out


def _materialize(s: Session, answer_id: str, content: dict | None) -> None:
    """Replaces one record's rows in kb_answer/kb_question by `content` (None: removes it)."""
    s.execute(delete(Question).where(Question.answer_id == answer_id))
    s.execute(delete(Answer).where(Answer.id == answer_id))
    s.flush()
    if content is not None:
        answer = _parsed(content)
        s.add(_answer_row(answer))
        s.flush()
        s.add_all(Question(answer_id=answer_id, text=q) for q in answer["questions"])


def _bump(s: Session, version_id: int) -> None:
    """A new knowledge version: every KnowledgeService rebuilds its snapshot on its next check."""
    old = s.execute(select(KbMeta.value).where(KbMeta.key == "version")).scalar() or ""
    new = hashlib.sha256(f"{old}:{version_id}".encode()).hexdigest()[:16]
    upsert(s, KbMeta, {"key": "version"}, {"value": new})


def _comment(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise EditError("请写明退回的理由。")
    if len(text) > MAX_COMMENT:
        raise EditError(f"理由最多{MAX_COMMENT}字（现有{len(text)}字）。")
    return text


def _supersede(old: dict, new: dict) -> dict:
    start = dt.date.fromisoformat(new["in_force_from"])
    return {**old, "in_force_until": (start - dt.timedelta(days=1)).isoformat(),
            "superseded_by": new["id"]}


def _draft(s: Session, record: dict, author: str, based_on: int | None, origin: str,
           supersedes: str | None, now: dt.datetime) -> int:
    aid = str(record.get("id") or "").strip()
    record = {**record, "id": aid}
    current_row = _current(s, aid) if aid else None
    published_now = current_row if current_row and current_row.state == "published" else None
    if based_on is None and published_now is not None:
        raise EditError(f"编号 {aid} 已有答复：请打开它修改，不要新建。")
    if based_on is not None:
        if published_now is None or published_now.answer_id != aid:
            raise EditError("找不到要修改的答复。")
        if based_on != published_now.id:
            raise Stale(f"您修改的是第{_number_of(s, based_on)}版，而当前发布的是第"
                        f"{published_now.number}版：请重新打开答复，在最新版本上修改。")
        record["topic"] = published_now.content["topic"]  # the id names the topic: fixed
    changes = {aid: record}
    if supersedes:
        old = _current(s, supersedes)
        if old is None or old.state != "published" or supersedes == aid:
            raise EditError(f"要接替的答复 {supersedes} 不存在或未发布。")
        if not record.get("in_force_from"):
            raise Invalid([Problem("in_force_from",
                                   "a new rule needs in_force_from (the day it takes effect)")])
        try:
            dt.date.fromisoformat(str(record["in_force_from"]).strip())
        except ValueError:
            pass  # reported by the check below, naming the field
        else:
            changes[supersedes] = _supersede(old.content, {
                "id": aid, "in_force_from": str(record["in_force_from"]).strip()})
    problems, canonical = _check(s, changes)
    if problems:
        raise Invalid(problems)
    return _add(s, answer_id=aid, state="draft", origin=origin, content=canonical[aid],
                based_on=based_on, supersedes=supersedes or None, author=author,
                created_at=now).id


def _number_of(s: Session, version_id: int) -> int | str:
    version = s.get(AnswerVersion, version_id)
    return version.number if version else "?"


def save_draft(db: Database, record: dict, author: str, based_on: int | None = None,
               supersedes: str | None = None, origin: str = "portal",
               now: dt.datetime | None = None, audit: Audit | None = None) -> int:
    """A draft of `record` (the file form, with "topic"): an edit of the published version
    `based_on`, or a new record (based_on None) that may supersede another one from its
    in_force_from. Raises Invalid (the loader's rules), Stale, or EditError."""
    with db.transaction() as s:
        version_id = _draft(s, record, author, based_on, origin, supersedes, now or utcnow())
        if audit:
            audit(s, s.get(AnswerVersion, version_id))
        return version_id


def propose_phrasing(db: Database, answer_id: str, text: str, author: str,
                     now: dt.datetime | None = None, audit: Audit | None = None) -> int:
    """A draft adding one phrasing (an unanswered question) to a published answer; it goes
    through approval like any draft. Returns the draft's version id. `audit` runs in the
    draft's transaction (the review marks its group there: both or neither)."""
    text = " ".join(str(text or "").split())
    if not text:
        raise EditError("请填写要加入的问法。")
    with db.transaction() as s:
        current_row = _current(s, answer_id)
        if current_row is None or current_row.state != "published":
            raise EditError(f"答复 {answer_id} 不存在或未发布。")
        if text in current_row.content["questions"]:
            raise EditError("这个问法已经在答复的问法里了。")
        record = {**current_row.content,
                  "questions": [*current_row.content["questions"], text]}
        version_id = _draft(s, record, author, current_row.id, "unanswered", None,
                            now or utcnow())
        if audit:
            audit(s, s.get(AnswerVersion, version_id))
        return version_id


def approve(db: Database, version_id: int, reviewer: str, now: dt.datetime | None = None,
            audit: Audit | None = None) -> AnswerVersion:
    """Publishes a draft (a reviewer who is not its author): the record's rows are replaced
    and the knowledge version changes in this one transaction. A new rule that supersedes
    another one also publishes the old record ending the day before, pointing to the new."""
    now = now or utcnow()
    with db.transaction() as s:
        draft = s.get(AnswerVersion, version_id)
        _decidable(draft, reviewer)
        current_row = _current(s, draft.answer_id, lock=True)
        published_now = current_row if current_row and current_row.state == "published" else None
        if draft.based_on != (published_now and published_now.id):
            if published_now is None:
                raise Stale("这份草稿所依据的版本已不再发布：已过期，不能通过，请退回。")
            raise Stale(f"这份草稿依据第{_number_of(s, draft.based_on) if draft.based_on else 0}"
                        f"版写成，而当前发布的是第{published_now.number}版：草稿已过期，"
                        "不能通过；请退回，由作者在最新版本上重新修改。")
        changes = {draft.answer_id: draft.content}
        old = None
        if draft.supersedes:
            old = _current(s, draft.supersedes, lock=True)
            if old is None or old.state != "published":
                raise Stale(f"要接替的答复 {draft.supersedes} 已不再发布：草稿已过期。")
            changes[draft.supersedes] = _supersede(old.content, draft.content)
        problems, canonical = _check(s, changes)
        if problems:
            raise Invalid(problems)
        draft.state, draft.reviewer, draft.reviewed_at = "published", reviewer, now
        _materialize(s, draft.answer_id, draft.content)
        if old is not None:
            ended = _add(s, answer_id=old.answer_id, state="published", origin="supersede",
                         content=canonical[old.answer_id], based_on=old.id, author=draft.author,
                         created_at=now, reviewer=reviewer, reviewed_at=now,
                         comment=f"自{draft.content['in_force_from']}起由 {draft.answer_id} 接替")
            _materialize(s, old.answer_id, ended.content)
        s.flush()
        _bump(s, draft.id)
        if audit:
            audit(s, draft)
        return draft


def send_back(db: Database, version_id: int, reviewer: str, comment: str,
              now: dt.datetime | None = None, audit: Audit | None = None) -> AnswerVersion:
    """Returns a draft to its author with the reason; nothing is published."""
    with db.transaction() as s:
        draft = s.get(AnswerVersion, version_id)
        _decidable(draft, reviewer)
        draft.state, draft.reviewer, draft.reviewed_at = "rejected", reviewer, now or utcnow()
        draft.comment = _comment(comment)
        if audit:
            audit(s, draft)
        return draft


def _decidable(draft: AnswerVersion | None, reviewer: str) -> None:
    if draft is None:
        raise EditError("没有这个版本。")
    if draft.state != "draft":
        raise EditError(f"这个版本已处理（{STATES[draft.state]}），不能再审核。")
    if draft.author == reviewer:
        raise EditError("不能审核自己写的草稿：须由另一位审核人员审核。")


def rollback(db: Database, answer_id: str, to_version: int, actor: str,
             now: dt.datetime | None = None, audit: Audit | None = None) -> AnswerVersion:
    """Publishes the content of an earlier published version again, as a new version (origin
    rollback). No second approval: that content was approved when it was published, and
    undoing a bad change must not wait; the rollback is a version of its own (who, when, to
    which version) and the portal audits it. The loader's rules are checked again."""
    now = now or utcnow()
    with db.transaction() as s:
        current_row = _current(s, answer_id, lock=True)
        target = s.get(AnswerVersion, to_version)
        if current_row is None or target is None or target.answer_id != answer_id \
                or target.state != "published":
            raise EditError("只能回退到这条答复以前发布过的版本。")
        if current_row.state == "published" and target.content == current_row.content:
            raise EditError(f"第{target.number}版与当前发布的内容相同，无需回退。")
        problems, canonical = _check(s, {answer_id: target.content})
        if problems:
            raise Invalid(problems)
        version = _add(s, answer_id=answer_id, state="published", origin="rollback",
                       content=canonical[answer_id], based_on=current_row.id, author=actor,
                       created_at=now, reviewer=actor, reviewed_at=now,
                       comment=f"回退到第{target.number}版")
        _materialize(s, answer_id, version.content)
        _bump(s, version.id)
        if audit:
            audit(s, version)
        return version


# --- the data files --------------------------------------------------------------------------

def import_answers(s: Session, answers: Iterable[dict], overwrite: bool,
                   now: dt.datetime) -> dict[str, int]:
    """The data files' records (checked, the loader's form) as versions, inside the build's
    transaction: a new or changed record becomes a published version (origin import); a record
    whose current version was made in the portal and differs from the file is refused (Refused
    names them all) unless `overwrite`; a record gone from the files is withdrawn."""
    current_rows = _current_all(s)
    counts = {"added": 0, "changed": 0, "unchanged": 0, "withdrawn": 0}
    refused, seen = [], set()
    for answer in answers:
        content = content_of(answer)
        aid = content["id"]
        seen.add(aid)
        cur = current_rows.get(aid)
        if cur is not None and cur.state == "published" and cur.content == content:
            counts["unchanged"] += 1
            continue
        if cur is not None and cur.state == "published" and cur.origin != "import" \
                and not overwrite:
            refused.append(_refusal(cur, "differs from the file"))
            continue
        _add(s, answer_id=aid, state="published", origin="import", content=content,
             based_on=cur.id if cur else None, author=IMPORT_AUTHOR, created_at=now,
             reviewer=IMPORT_AUTHOR, reviewed_at=now,
             comment="按文件覆盖工作台的修改（--overwrite）" if cur and cur.origin != "import"
             else None)
        counts["changed" if cur else "added"] += 1
    for aid, cur in current_rows.items():
        if aid in seen or cur.state != "published":
            continue
        if cur.origin != "import" and not overwrite:
            refused.append(_refusal(cur, "is in no data file"))
            continue
        _add(s, answer_id=aid, state="withdrawn", origin="import", content=cur.content,
             based_on=cur.id, author=IMPORT_AUTHOR, created_at=now, reviewer=IMPORT_AUTHOR,
             reviewed_at=now, comment="数据文件中已没有这条答复")
        counts["withdrawn"] += 1
    if refused:
        raise Refused(refused)
    return counts


def _refusal(cur: AnswerVersion, why: str) -> str:
    return (f"[{cur.answer_id}] version {cur.number} was made in the portal ({cur.origin}, by "
            f"{cur.author}) and {why}: export it first (python -m bot kb --export), or replace "
            "it with the files (python -m bot kb --overwrite)")


def published_contents(s: Session) -> list[dict]:
    """Every record's current published content, in the order records first appeared."""
    return list(_published(s).values())


def materialize_all(s: Session, contents: Iterable[dict], files_version: str,
                    topics: Mapping[str, dict]) -> str:
    """Fills the (emptied) kb_answer/kb_question from checked contents; stores the topics for
    the editor and the knowledge version (the files' digest with the newest version id: the
    same files and versions give the same version). Returns the version."""
    contents = list(contents)
    answers = [_parsed(c) for c in contents]
    s.add_all(_answer_row(a) for a in answers)
    s.flush()
    s.add_all(Question(answer_id=a["id"], text=q) for a in answers for q in a["questions"])
    newest = s.execute(select(func.max(AnswerVersion.id))).scalar() or 0
    version = hashlib.sha256(f"{files_version}:{newest}".encode()).hexdigest()[:16]
    s.add(KbMeta(key="version", value=version))
    s.add(KbMeta(key="topics", value=json.dumps(topics, ensure_ascii=False)))
    return version


def export(db: Database, out_dir: Path) -> list[Path]:
    """Writes every published record to `out_dir`/<topic>.yml in the data files' format (the
    order records first appeared; empty fields left out). Returns the files written."""
    with db.session() as s:
        contents = published_contents(s)
    by_topic: dict[str, list[dict]] = {}
    for c in contents:
        record = {key: c[key] for key in FIELDS if c.get(key) not in (None, [])}
        by_topic.setdefault(c["topic"], []).append(record)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for topic, records in by_topic.items():
        path = out_dir / f"{topic}.yml"
        path.write_text(yaml.safe_dump({"topic": topic, "answers": records},
                                       allow_unicode=True, sort_keys=False, width=1000),
                        encoding="utf-8")
        written.append(path)
    return written
