"""Every setting of the assistant, read from the environment here and nowhere else.

Defaults are the embedded set-up (SQLite under var/, in-memory lock store, loopback only);
production sets the variables (PostgreSQL URLs, Redis, replicas' addresses) and changes no file.
Values that tests or a running process may change (the day, tokens) are functions, read when
used; the rest are read once at import.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("APP_VAR_DIR", ROOT / "var")).resolve()
KNOWLEDGE_DATA_DIR = Path(os.environ.get("KNOWLEDGE_DATA_DIR", ROOT / "knowledge" / "data"))
KNOWLEDGE_ANSWERS_DIR = KNOWLEDGE_DATA_DIR / "answers"  # where `kb --export` writes by default
JIEBA_DICT_DIR = VAR_DIR / "jieba"  # the user dictionary `python -m bot kb` writes for NLU
MODEL_DIR = VAR_DIR / "models"
MODEL_NAME = "ganzhou-ip"
LOG_DIR = VAR_DIR / "logs"


def _sqlite(name: str) -> str:
    return f"sqlite:///{VAR_DIR / name}"


def database_url() -> str:
    """Knowledge base, unanswered questions, ratings, leads and the WeChat channel's state."""
    return os.environ.get("DATABASE_URL") or _sqlite("app.db")


def tracker_db_url() -> str:
    """Rasa's SQL tracker store: every conversation survives a restart."""
    return os.environ.get("TRACKER_DB_URL") or _sqlite("tracker.db")


def lock_store_url() -> str:
    """Empty: in-memory locks (one Rasa process). redis://host:port/db for replicas."""
    return os.environ.get("LOCK_STORE_URL", "")


def today() -> dt.date:
    """The day whose rules are in force. KB_TODAY pins it for tests and for previewing changes."""
    pinned = os.environ.get("KB_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def rasa_api_token() -> str:
    """Rasa's HTTP API (reads and edits every conversation) is on only when this is set."""
    return os.environ.get("RASA_API_TOKEN", "")


def leads_forward_url() -> str:
    """The protection centre's endpoint for new leads. Empty: leads wait for staff to export."""
    return os.environ.get("LEADS_FORWARD_URL", "")


def leads_forward_token() -> str:
    """Sent as `Authorization: Bearer …` to LEADS_FORWARD_URL when set."""
    return os.environ.get("LEADS_FORWARD_TOKEN", "")


def leads_forward_poll_seconds() -> float:
    return float(os.environ.get("LEADS_FORWARD_POLL_SECONDS", "5"))


def _days(name: str, default: int, lowest: int = 0) -> int:
    value = int(os.environ.get(name) or default)
    if value < lowest:
        raise ValueError(f"{name} must be at least {lowest} (it is {value})")
    return value


# Personal data that expires: `python -m bot retention` (daily) applies these periods.
def leads_retention_days() -> int:
    """Closed leads and call-back requests keep their personal data this long after closure,
    then are anonymised."""
    return _days("LEADS_RETENTION_DAYS", 365)


def tracker_redact_days() -> int:
    """Conversations idle this long lose form answers, personal slots and phone/ID numbers."""
    return _days("TRACKER_REDACT_DAYS", 1)


def tracker_retention_days() -> int:
    """Conversations idle this long are deleted from Rasa's tracker store."""
    return _days("TRACKER_RETENTION_DAYS", 90)


def unanswered_retention_days() -> int:
    return _days("UNANSWERED_RETENTION_DAYS", 180)


def ratings_retention_days() -> int:
    """Ratings are deleted this long after they were given; follow-up items of bad ratings
    this long after they were closed (open ones stay until they are followed up)."""
    return _days("RATINGS_RETENTION_DAYS", 365)


def wechat_options_retention_days() -> int:
    """The numbered options last shown to a WeChat user (keyed by openid)."""
    return _days("WECHAT_OPTIONS_RETENTION_DAYS", 2)


AUDIT_MINIMUM_DAYS = 180  # Cybersecurity Law art. 21: network logs kept at least six months


def audit_retention_days() -> int:
    """The staff audit log; never below 180 days, even when everything else expires."""
    return _days("AUDIT_RETENTION_DAYS", 365, lowest=AUDIT_MINIMUM_DAYS)


# Working days (12345 practice: the first office contacted answers within set working days).
def callback_working_days() -> int:
    """A citizen who asks for a person is promised a call within this many working days
    (default 2: an inquiry's limit in Guangdong's 12345 rules; set the local one)."""
    return _days("CALLBACK_WORKING_DAYS", 2, lowest=1)


def kb_review_days() -> int:
    """Days after last_verified when an answer is listed for review in the portal, unless the
    record sets its own review_days (default: the loader's REVIEW_DAYS)."""
    from knowledge.answer_rules import REVIEW_DAYS
    return _days("KB_REVIEW_DAYS", REVIEW_DAYS, lowest=1)


def kb_expiry_notice_days() -> int:
    """An answer whose in_force_until is this near is listed for review (a successor due?)."""
    return _days("KB_EXPIRY_NOTICE_DAYS", 30)


def rating_followup_working_days() -> int:
    """A bad rating (不满意, 非常不满意) is followed up within this many working days (default
    5, as in Dezhou's 好差评 rules; the limit is set locally)."""
    return _days("RATING_FOLLOWUP_WORKING_DAYS", 5, lowest=1)


CASE_DUE_DEFAULT = "new:2,forwarded:10,accepted:15"


def case_due_days() -> dict[str, int]:
    """Working days a lead or call-back may stay in a status before the desk marks it overdue
    (defaults: Guangdong's 12345 limits — inquiry 2, help request 10, complaint 15)."""
    raw = os.environ.get("CASE_DUE_DAYS") or CASE_DUE_DEFAULT
    limits = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        status, _, days = part.partition(":")
        if not days.strip().isdigit() or int(days) < 1:
            raise ValueError(f"CASE_DUE_DAYS: {part!r} is not status:days (days ≥ 1)")
        limits[status.strip()] = int(days)
    return limits


def workday_calendar_file() -> Path:
    """Public holidays and adjusted working days (调休), filled in each year from the State
    Council's notice; years not filled in count Monday to Friday only."""
    return Path(os.environ.get("WORKDAY_CALENDAR") or ROOT / "bot" / "leads" / "workdays.yml")


# The staff portal.
def staff_cookie_secure() -> bool:
    """Session cookies carry `Secure` (sent over HTTPS only; browsers also accept them from
    http://127.0.0.1). Off only for a plain-HTTP test set-up."""
    return os.environ.get("STAFF_COOKIE_SECURE", "1").lower() not in ("0", "false", "no")


def proxies_count() -> int:
    """Reverse proxies in front of the portal (1 behind nginx): the client's IP for the audit
    log is then read from X-Forwarded-For, as many hops back."""
    return int(os.environ.get("PROXIES_COUNT", "0"))


def legacy_staff_token_set() -> bool:
    """STAFF_TOKEN (one shared staff token) was replaced by personal accounts; still set, it is
    ignored and the portal says so at start."""
    return bool(os.environ.get("STAFF_TOKEN"))


BIND_HOST = os.environ.get("BIND_HOST", "127.0.0.1")
RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
ACTIONS_PORT = int(os.environ.get("ACTIONS_PORT", "5055"))
WEB_PORT = int(os.environ.get("WEB_PORT", "5080"))
# Where citizens' browsers reach Rasa: behind a proxy in production, so not derived from RASA_PORT.
RASA_PUBLIC_URL = os.environ.get("RASA_PUBLIC_URL") or f"http://127.0.0.1:{RASA_PORT}"
ACTION_ENDPOINT_URL = os.environ.get(
    "ACTION_ENDPOINT_URL", f"http://127.0.0.1:{ACTIONS_PORT}/webhook"
)

# The production shape on one machine (bot/deploy, `make prod-up`): PostgreSQL, Redis, nginx,
# two Rasa and two action servers, the portal and the forwarder, with their data under PROD_DIR.
# Citizens reach PROD_PUBLIC_PORT; staff PROD_INTERNAL_PORT (bind it to the office network only);
# the servers behind nginx take the ports from PROD_PORT_BASE on, on loopback.
PROD_DIR = Path(os.environ.get("PROD_DIR", VAR_DIR / "prod")).resolve()
PROD_PUBLIC_PORT = int(os.environ.get("PROD_PUBLIC_PORT", "8080"))
PROD_INTERNAL_PORT = int(os.environ.get("PROD_INTERNAL_PORT", "8081"))
PROD_PORT_BASE = int(os.environ.get("PROD_PORT_BASE", "18000"))

WECHAT_KEYS = {"token": "WECHAT_TOKEN", "app_id": "WECHAT_APP_ID",
               "app_secret": "WECHAT_APP_SECRET", "encoding_aes_key": "WECHAT_AES_KEY",
               "api_base": "WECHAT_API_BASE", "reply_timeout": "WECHAT_REPLY_TIMEOUT"}


def wechat() -> dict:
    """The WeChat official account (bot/channels/wechat.py) as its console gives them; unset
    ones are empty. No token: the channel refuses every request."""
    return {key: os.environ.get(var, "") for key, var in WECHAT_KEYS.items()}


def child_env(**overrides: str) -> dict[str, str]:
    """The environment the servers this process starts run with: ours, the defaults every
    Rasa process needs, and `overrides`. Children read their settings from it."""
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")  # no outside network
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("ACTION_ENDPOINT_URL", ACTION_ENDPOINT_URL)
    env.setdefault("TRACKER_DB_URL", tracker_db_url())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(overrides)
    return env
