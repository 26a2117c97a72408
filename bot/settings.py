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


def staff_token() -> str:
    """Staff endpoints refuse every request while this is empty."""
    return os.environ.get("STAFF_TOKEN", "")


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


def leads_retention_days() -> int:
    """Closed leads older than this are anonymised by `python -m bot retention`."""
    return int(os.environ.get("LEADS_RETENTION_DAYS", "365"))


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
