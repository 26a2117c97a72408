"""Editing answers with approval in the browser (knowledge/editing.py holds the rules).

    GET  /staff/kb                          search answers; the review reminders       (知识编辑)
    GET  /staff/kb/new[?supersedes=ID]      a new answer, or a new rule replacing ID    (知识编辑)
    GET  /staff/kb/new?group=N              a new answer for unanswered group N (未答问题 too)
    POST /staff/kb/new                      save it as a draft                          (知识编辑)
    GET  /staff/kb/<answer_id>              the published answer in the form            (知识编辑)
    POST /staff/kb/<answer_id>              save the edit as a draft                    (知识编辑)
    GET  /staff/kb/<answer_id>/history      every version with its diff                 (知识编辑)
    POST /staff/kb/<answer_id>/rollback     publish an earlier version again            (知识审核)
    GET  /staff/kb/drafts                   the review queue and the drafts sent back   (知识编辑)
    GET  /staff/kb/drafts/<id>              one draft with its diff                     (知识编辑)
    POST /staff/kb/drafts/<id>              approve (publish) or send back with a reason (知识审核)

Answers hold no personal data: reading is not audited; every change, and every refused
decision, is — the change's entry in the change's own transaction.
"""
from __future__ import annotations

import datetime as dt

from sanic import Blueprint, response
from sanic.request import Request

from bot import settings
from bot.leads.workdays import local_date
from bot.portal import review
from bot.portal.audit import Actor, record
from bot.portal.auth import page
from bot.portal.pages import blocking, render
from bot.portal.roles import allowed
from knowledge import editing
from knowledge.answer_rules import MAX_CHANGE_NOTE, MAX_NEXT, MAX_SHORT, MAX_TITLE
from knowledge.storage import Database
from knowledge.unanswered import group_text

MAX_ID = 2**31 - 1
MAX_QUERY = 100
LABELS = {"topic": "主题", "id": "编号", "title": "标题", "questions": "问法", "short": "答复",
          "long": "详细说明", "source": "来源", "article": "条款", "confidence": "可信度",
          "in_force_from": "生效日期", "in_force_until": "失效日期",
          "superseded_by": "由哪条接替", "change_note": "变更说明", "last_verified": "核对日期",
          "review_days": "复核周期（天）", "next": "后续按钮", "overview": "概览"}
CONFIDENCE = {"H": "高", "M": "中", "L": "低"}
DUE_REASONS = {"review": "到期复核", "expiring": "即将失效"}


def _today(request: Request) -> dt.date:
    return local_date(request.app.config.CLOCK())


def _audit(actor: Actor, action: str, detail: str | None = None):
    """Writes the change's audit entry in the change's transaction (None: the version's own
    comment, e.g. which version a rollback restored)."""
    def write(s, version) -> None:
        record(s, actor, action, target=version.answer_id,
               detail=f"第{version.number}版：{detail or version.comment}")
    return write


def _refused(db: Database, actor: Actor, action: str, target: str, why: str) -> None:
    with db.transaction() as s:
        record(s, actor, action, "failed", target=target, detail=why)


def _record_of(form, topic: str | None, answer_id: str | None) -> dict:
    """The form as a record in the data files' form; bad values are kept for the check to
    name them."""
    def text(name: str) -> str | None:
        value = (form.get(name) or "").strip()
        return value or None
    review_days = text("review_days")
    return {
        "topic": topic or text("topic"), "id": answer_id or text("id"),
        "title": text("title"),
        "questions": [q.strip() for q in (form.get("questions") or "").splitlines()
                      if q.strip()],
        "short": text("short"), "long": text("long"), "source": text("source"),
        "article": text("article"), "confidence": text("confidence"),
        "in_force_from": text("in_force_from"), "in_force_until": text("in_force_until"),
        "superseded_by": text("superseded_by"), "change_note": text("change_note"),
        "last_verified": text("last_verified"),
        "review_days": int(review_days) if review_days and review_days.isdigit()
        else review_days,
        "next": [x for x in (text(f"next{i}") for i in range(MAX_NEXT)) if x],
    }


async def _group(request: Request, raw: str | None):
    """The unanswered group a new answer is drafted for: (id, its question), None when no
    group is named, False when it is none the person may draft for (unknown, decided, or a
    role without the review of unanswered questions)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID \
            or not allowed(request.ctx.actor.role, "review"):
        return False
    text = await blocking(_group_text, request.app.ctx.db, int(raw))
    return (int(raw), text) if text is not None else False


def _group_text(db: Database, group_id: int) -> str | None:
    with db.session() as s:
        return group_text(s, group_id)


def _choices(db: Database) -> dict:
    return {"sources": editing.sources(db), "topics": editing.topics(db),
            "answers": [(a["id"], a["title"]) for a in editing.search(db, limit=10**6)]}


def _form_page(request: Request, status: int = 200, **context):
    context.setdefault("errors", {})
    context.setdefault("message", None)
    context.setdefault("group", None)
    return render(request, "kb_edit.html", status=status, labels=LABELS,
                  confidence=CONFIDENCE, max_short=MAX_SHORT, max_title=MAX_TITLE,
                  max_note=MAX_CHANGE_NOTE, max_next=MAX_NEXT,
                  **context, **_choices(request.app.ctx.db))


def _errors(err: editing.EditError) -> tuple[dict, str]:
    if isinstance(err, editing.Invalid):
        errors: dict[str, list[str]] = {}
        for p in err.problems:
            errors.setdefault(p.field if p.field in LABELS else "id", []).append(p.message)
        return errors, "草稿未保存：请按提示修改标红的项目（规则与 make kb 检查数据文件时相同）。"
    return {}, str(err)


bp = Blueprint("staff_kb", url_prefix="/staff")


@bp.get("/kb")
@page("kb_edit")
async def kb_search(request: Request):
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    db = request.app.ctx.db
    found = await blocking(editing.search, db, query)
    waiting = await blocking(editing.drafts, db)
    due = await blocking(editing.due, db, _today(request), settings.kb_review_days(),
                         settings.kb_expiry_notice_days())
    return render(request, "kb.html", query=query, found=found, waiting=len(waiting), due=due,
                  reasons=DUE_REASONS, review_days=settings.kb_review_days(),
                  notice_days=settings.kb_expiry_notice_days())


@bp.get("/kb/new")
@page("kb_edit")
async def kb_new(request: Request):
    supersedes = (request.args.get("supersedes") or "").strip() or None
    values = {"questions": [], "next": []}
    group = await _group(request, request.args.get("group"))
    if group is not None:
        if group is False:
            return render(request, "not_found.html", status=404)
        values["questions"] = [group[1]]  # the group's question, masked, as its first phrasing
        return _form_page(request, values=values, current=None, supersedes=None,
                          group=group[0])
    if supersedes:
        old = await blocking(editing.current, request.app.ctx.db, supersedes)
        if old is None or old.state != "published":
            return render(request, "not_found.html", status=404)
        values = {**old.content, "id": "", "in_force_from": "", "in_force_until": "",
                  "superseded_by": ""}
    return _form_page(request, values=values, current=None, supersedes=supersedes)


@bp.post("/kb/new")
@page("kb_edit")
async def kb_new_save(request: Request):
    supersedes = (request.form.get("supersedes") or "").strip() or None
    values = _record_of(request.form, None, None)
    actor = request.ctx.actor
    now = request.app.config.CLOCK()
    group = await _group(request, request.form.get("group"))
    if group is False:
        return render(request, "not_found.html", status=404)
    # drafted from an unanswered group: the group is marked in the draft's transaction
    audit = (review.booking(group[0], "answer_drafted", actor, now) if group else
             _audit(actor, "kb_draft", "新答复草稿" + (f"，接替 {supersedes}" if supersedes else "")))
    try:
        version_id = await blocking(
            editing.save_draft, request.app.ctx.db, values, actor.username,
            supersedes=None if group else supersedes, now=now, audit=audit)
    except (editing.EditError, review.NotAllowed) as err:
        errors, message = _errors(err) if isinstance(err, editing.EditError) else ({}, str(err))
        return _form_page(request, 400, values=values, current=None, supersedes=supersedes,
                          errors=errors, message=message, group=group and group[0])
    return response.redirect(f"/staff/kb/drafts/{version_id}?saved=1", status=303)


@bp.get("/kb/drafts")
@page("kb_edit")
async def kb_drafts(request: Request):
    db = request.app.ctx.db
    return render(request, "kb_drafts.html", drafts=await blocking(editing.drafts, db),
                  rejected=await blocking(editing.drafts, db, "rejected", 50),
                  origins=editing.ORIGINS)


async def _draft_page(request: Request, version_id: int, status: int = 200,
                      error: str | None = None):
    version, before = await blocking(editing.get, request.app.ctx.db, version_id)
    if version is None:
        return render(request, "not_found.html", status=404)
    actor = request.ctx.actor
    return render(request, "kb_draft.html", status=status, version=version, before=before,
                  lines=editing.diff(before.content if before else None, version.content),
                  error=error, states=editing.STATES, origins=editing.ORIGINS,
                  saved=request.args.get("saved") == "1",
                  may_decide=allowed(actor.role, "kb_approve")
                  and actor.username != version.author and version.state == "draft")


@bp.get("/kb/drafts/<version_id:int>")
@page("kb_edit")
async def kb_draft(request: Request, version_id: int):
    if not 0 < version_id <= MAX_ID:
        return render(request, "not_found.html", status=404)
    return await _draft_page(request, version_id)


@bp.post("/kb/drafts/<version_id:int>")
@page("kb_approve")
async def kb_decide(request: Request, version_id: int):
    if not 0 < version_id <= MAX_ID:
        return render(request, "not_found.html", status=404)
    db, actor = request.app.ctx.db, request.ctx.actor
    action = request.form.get("action")
    now = request.app.config.CLOCK()
    try:
        if action == "approve":
            version = await blocking(editing.approve, db, version_id, actor.username, now,
                                     _audit(actor, "kb_approve", "审核通过并发布"))
        elif action == "send_back":
            comment = request.form.get("comment") or ""
            version = await blocking(editing.send_back, db, version_id, actor.username,
                                     comment, now,
                                     _audit(actor, "kb_send_back", "退回：" + comment.strip()))
        else:
            return await _draft_page(request, version_id, 400, "请选择通过或退回。")
    except editing.EditError as err:
        version, _ = await blocking(editing.get, db, version_id)
        if version is None:
            return render(request, "not_found.html", status=404)
        _, message = _errors(err)
        await blocking(_refused, db, actor, "kb_approve" if action == "approve"
                       else "kb_send_back", version.answer_id, f"第{version.number}版：{message}")
        status = 409 if isinstance(err, editing.Stale) or "已处理" in str(err) else 400
        return await _draft_page(request, version_id, status, message)
    return response.redirect(f"/staff/kb/drafts/{version.id}?saved=1", status=303)


@bp.get("/kb/<answer_id>")
@page("kb_edit")
async def kb_open(request: Request, answer_id: str):
    current = await blocking(editing.current, request.app.ctx.db, answer_id)
    if current is None or current.state != "published":
        return render(request, "not_found.html", status=404)
    return _form_page(request, values=current.content, current=current, supersedes=None)


@bp.post("/kb/<answer_id>")
@page("kb_edit")
async def kb_save(request: Request, answer_id: str):
    db, actor = request.app.ctx.db, request.ctx.actor
    current = await blocking(editing.current, db, answer_id)
    if current is None or current.state != "published":
        return render(request, "not_found.html", status=404)
    based_on = request.form.get("based_on") or ""
    values = _record_of(request.form, current.content["topic"], answer_id)
    try:
        version_id = await blocking(
            editing.save_draft, db, values, actor.username,
            int(based_on) if based_on.isdigit() else current.id,
            now=request.app.config.CLOCK(), audit=_audit(actor, "kb_draft", "修改草稿"))
    except editing.EditError as err:
        errors, message = _errors(err)
        return _form_page(request, 409 if isinstance(err, editing.Stale) else 400,
                          values=values, current=current, supersedes=None, errors=errors,
                          message=message)
    return response.redirect(f"/staff/kb/drafts/{version_id}?saved=1", status=303)


async def _history_page(request: Request, answer_id: str, status: int = 200,
                        error: str | None = None):
    rows = await blocking(editing.history, request.app.ctx.db, answer_id)
    if not rows:
        return render(request, "not_found.html", status=404)
    current = next((v for v, _ in rows if v.state in editing.CURRENT), None)
    return render(request, "kb_history.html", status=status, answer_id=answer_id, rows=rows,
                  current=current, states=editing.STATES, origins=editing.ORIGINS, error=error,
                  may_roll_back=allowed(request.ctx.actor.role, "kb_approve"),
                  saved=request.args.get("saved") == "1")


@bp.get("/kb/<answer_id>/history")
@page("kb_edit")
async def kb_history(request: Request, answer_id: str):
    return await _history_page(request, answer_id)


@bp.post("/kb/<answer_id>/rollback")
@page("kb_approve")
async def kb_rollback(request: Request, answer_id: str):
    db, actor = request.app.ctx.db, request.ctx.actor
    to = request.form.get("version") or ""
    try:
        if not to.isdigit() or not 0 < int(to) <= MAX_ID:
            raise editing.EditError("请选择要回退到的版本。")
        await blocking(editing.rollback, db, answer_id, int(to), actor.username,
                       request.app.config.CLOCK(),
                       _audit(actor, "kb_rollback"))
    except editing.EditError as err:
        _, message = _errors(err)
        await blocking(_refused, db, actor, "kb_rollback", answer_id, message)
        return await _history_page(request, answer_id, 400, message)
    return response.redirect(f"/staff/kb/{answer_id}/history?saved=1", status=303)
