"""Every setting of the assistant, read from the environment in one place.

Defaults are the embedded set-up (SQLite under var/, in-memory lock store, loopback only);
production sets the variables (PostgreSQL URLs, Redis, replicas' addresses) and changes no file.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("APP_VAR_DIR", ROOT / "var")).resolve()
KNOWLEDGE_DATA_DIR = Path(os.environ.get("KNOWLEDGE_DATA_DIR", ROOT / "knowledge" / "data"))
JIEBA_DICT_DIR = VAR_DIR / "jieba"


def _sqlite(name: str) -> str:
    return f"sqlite:///{VAR_DIR / name}"


def database_url() -> str:
    """Knowledge base, unanswered questions, ratings and leads."""
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


def leads_forward_url() -> str:
    """The protection centre's endpoint for new leads. Empty: leads wait for staff to export."""
    return os.environ.get("LEADS_FORWARD_URL", "")


def leads_forward_token() -> str:
    """Sent as `Authorization: Bearer …` to LEADS_FORWARD_URL when set."""
    return os.environ.get("LEADS_FORWARD_TOKEN", "")


def leads_retention_days() -> int:
    """Closed leads older than this are anonymised by `python -m bot.leads retention`."""
    return int(os.environ.get("LEADS_RETENTION_DAYS", "365"))


LEADS_FORWARD_POLL_SECONDS = float(os.environ.get("LEADS_FORWARD_POLL_SECONDS", "5"))
BIND_HOST = os.environ.get("BIND_HOST", "127.0.0.1")
RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
ACTIONS_PORT = int(os.environ.get("ACTIONS_PORT", "5055"))
WEB_PORT = int(os.environ.get("WEB_PORT", "5080"))
# Where citizens' browsers reach Rasa: behind a proxy in production, so not derived from RASA_PORT.
RASA_PUBLIC_URL = os.environ.get("RASA_PUBLIC_URL") or f"http://127.0.0.1:{RASA_PORT}"
ACTION_ENDPOINT_URL = os.environ.get(
    "ACTION_ENDPOINT_URL", f"http://127.0.0.1:{ACTIONS_PORT}/webhook"
)
MODEL_DIR = VAR_DIR / "models"
MODEL_NAME = "ganzhou-ip"


WECHAT_KEYS = {"token": "WECHAT_TOKEN", "app_id": "WECHAT_APP_ID",
               "app_secret": "WECHAT_APP_SECRET", "encoding_aes_key": "WECHAT_AES_KEY",
               "api_base": "WECHAT_API_BASE", "reply_timeout": "WECHAT_REPLY_TIMEOUT"}


def wechat() -> dict:
    """The WeChat official account (bot/channels/wechat.py) as its console gives them; unset
    ones are empty. No token: the channel refuses every request."""
    return {key: os.environ.get(var, "") for key, var in WECHAT_KEYS.items()}
