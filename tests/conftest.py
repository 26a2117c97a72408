"""Every test runs against its own databases in a temporary folder, never var/*.db;
the trained model under var/models is shared (make test trains it first)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="ganzhou-ip-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'app.db'}"
os.environ["TRACKER_DB_URL"] = f"sqlite:///{_TMP / 'tracker.db'}"
os.environ["KB_TODAY"] = "2026-11-26"
os.environ.pop("STAFF_TOKEN", None)

import pytest  # noqa: E402
from rasa_sdk import Tracker  # noqa: E402

from bot import settings  # noqa: E402
from knowledge import loader  # noqa: E402

DATA_DIR = settings.ROOT / "knowledge" / "data"


@pytest.fixture(scope="session")
def kb_url() -> str:
    """The real knowledge data, loaded once into the test database."""
    loader.load(DATA_DIR)
    return os.environ["DATABASE_URL"]


@pytest.fixture
def today(monkeypatch):
    def set_day(day: str) -> None:
        monkeypatch.setenv("KB_TODAY", day)
    return set_day


def make_tracker(text: str, intent: str, confidence: float = 0.95, entities=None,
                 channel: str = "rest", ranking=None) -> Tracker:
    """A tracker as the action server receives it after one user message."""
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence},
             "entities": entities or [],
             "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    events = [{"event": "user", "text": text, "parse_data": parse,
               "input_channel": channel}]
    return Tracker("test-user", {}, parse, events, False, None, {}, "action_listen")
