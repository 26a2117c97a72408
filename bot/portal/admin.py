"""Administration (role 管理员): accounts and the settings in force.

    GET  /staff/admin/accounts          every account, and a form for a new one
    POST /staff/admin/accounts          a new account; its one-time password is shown once
    POST /staff/admin/accounts/<id>     change role, disable/enable, unlock, reset the password,
                                        revoke the API tokens (each change audited)
    GET  /staff/admin/settings          working-day limits, holiday calendar, retention periods

Settings come from the environment (bot/settings.py): the page shows them, it does not change
them, so what runs is always what the deployment says.
"""
from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request

from bot import settings
from bot.portal import accounts, sessions
from bot.portal.auth import now, page
from bot.portal.desk import deadlines
from bot.portal.pages import blocking, render
from bot.privacy import retention

bp = Blueprint("staff_admin", url_prefix="/staff/admin")
ACTIONS = {"role", "disable", "enable", "unlock", "reset", "revoke_tokens"}


async def _accounts_page(request: Request, status: int = 200, error: str | None = None,
                         notice: str | None = None, password: str | None = None,
                         form: dict | None = None):
    rows = await blocking(accounts.accounts, request.app.ctx.db)
    return render(request, "accounts.html", status=status, rows=rows, error=error,
                  notice=notice, password=password, form=form or {}, now=now(request))


@bp.get("/accounts")
@page("accounts")
async def accounts_page(request: Request):
    return await _accounts_page(request)


@bp.post("/accounts")
@page("accounts")
async def create(request: Request):
    form = request.form
    username = (form.get("username") or "")[:64]
    try:
        password = await blocking(accounts.create, request.app.ctx.db, request.ctx.actor,
                                  username, (form.get("display_name") or "")[:64],
                                  form.get("role") or "", now=now(request))
    except accounts.AccountError as err:
        return await _accounts_page(request, 400, str(err), form={
            "username": username, "display_name": form.get("display_name") or "",
            "role": form.get("role") or ""})
    return await _accounts_page(request, notice=f"已创建账号 {username.strip().lower()}。",
                                password=password)


@bp.post("/accounts/<account_id:int>")
@page("accounts")
async def change(request: Request, account_id: int):
    action = request.form.get("action") or ""
    if action not in ACTIONS:
        return await _accounts_page(request, 400, "未知的操作。")
    change = {"role": {"role": request.form.get("role") or ""},
              "disable": {"active": False}, "enable": {"active": True},
              "unlock": {"unlock": True}, "reset": {"reset_password": True},
              "revoke_tokens": {"revoke_tokens": True}}[action]
    try:
        password = await blocking(accounts.administer, request.app.ctx.db, request.ctx.actor,
                                  account_id, now=now(request), **change)
    except accounts.AccountError as err:
        return await _accounts_page(request, 400, str(err))
    return await _accounts_page(request, notice="已保存。", password=password)


@bp.get("/settings")
@page("settings")
async def settings_page(request: Request):
    due = deadlines(request)
    last = await blocking(retention.latest_run, request.app.ctx.db)
    return render(request, "settings.html", periods=retention.current_periods(),
                  limits=due.limits, callback_days=request.app.config.CALLBACK_WORKING_DAYS,
                  followup_days=request.app.config.RATING_FOLLOWUP_DAYS,
                  calendar=due.calendar, calendar_file=str(request.app.ctx.calendar.path),
                  today=due.today, last_run=last, security=[
                      ("连续登录失败锁定", f"{accounts.LOCK_AFTER} 次后锁定 "
                                         f"{int(accounts.LOCK_FOR.total_seconds() // 60)} 分钟"),
                      ("无操作自动退出", f"{int(sessions.IDLE.total_seconds() // 60)} 分钟"),
                      ("会话最长", f"{int(sessions.LIFETIME.total_seconds() // 3600)} 小时"),
                      ("密码有效期", f"{accounts.PASSWORD_MAX_AGE.days} 天"),
                      ("密码规则", f"至少 {accounts.MIN_LENGTH} 位，含大写、小写、数字、符号中的三类"),
                      ("API 令牌有效期", f"{accounts.TOKEN_LIFETIME.days} 天"),
                      ("会话 Cookie", "HttpOnly；SameSite=Strict；" +
                       ("Secure" if request.app.config.STAFF_COOKIE_SECURE else
                        "未设 Secure（STAFF_COOKIE_SECURE=0）")),
                  ], audit_minimum=settings.AUDIT_MINIMUM_DAYS)
