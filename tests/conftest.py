"""Every test runs against its own databases in a temporary folder, never var/*.db, migrated
the way production is; the trained model under var/models is shared (make test trains it first).
Servers start on free ports: `stack` (Rasa, actions, portal) once per session for the tests
that only talk to them; tests that need other settings start their own."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="ganzhou-ip-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'app.db'}"
os.environ["TRACKER_DB_URL"] = f"sqlite:///{_TMP / 'tracker.db'}"
os.environ["KB_TODAY"] = "2026-11-26"
os.environ.pop("STAFF_TOKEN", None)
os.environ.pop("RASA_API_TOKEN", None)

import pytest  # noqa: E402
from rasa_sdk import Tracker  # noqa: E402

import knowledge  # noqa: E402
from bot import settings  # noqa: E402
from bot.migrations import upgrade  # noqa: E402
from knowledge.storage import Database, database  # noqa: E402

DATA_DIR = settings.ROOT / "knowledge" / "data"
API_TOKEN = "test-rasa-api-token"

upgrade(os.environ["DATABASE_URL"])


@pytest.fixture(scope="session")
def kb_url() -> str:
    """The real knowledge data, loaded once into the test database."""
    knowledge.build(os.environ["DATABASE_URL"], DATA_DIR)
    return os.environ["DATABASE_URL"]


@pytest.fixture(scope="session")
def db(kb_url) -> Database:
    return database(kb_url)


@pytest.fixture
def kb(kb_url):
    """The knowledge service as the action server opens it."""
    return knowledge.open(kb_url, DATA_DIR, settings.today)


@pytest.fixture
def today(monkeypatch):
    def set_day(day: str) -> None:
        monkeypatch.setenv("KB_TODAY", day)
    return set_day


def fresh_database(tmp_path: Path, name: str = "app.db") -> str:
    """A migrated, empty database of its own, for tests that count rows."""
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def stack(kb_url, tmp_path_factory):
    """Rasa, the action server and the portal, started once as `make run` starts them (Rasa's
    HTTP API on, with API_TOKEN)."""
    from bot.launcher.servers import Ports, servers
    from bot.launcher.train import model_path
    if not model_path().exists():
        pytest.fail("no trained model: `make test` trains before running pytest")
    with servers(Ports.free(portal=True), log_dir=tmp_path_factory.mktemp("stack-logs"),
                 api_token=API_TOKEN) as running:
        yield running


def make_tracker(text: str, intent: str, confidence: float = 0.95, entities=None,
                 channel: str = "rest", ranking=None) -> Tracker:
    """A tracker as the action server receives it after one user message."""
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence},
             "entities": entities or [],
             "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    events = [{"event": "user", "text": text, "parse_data": parse,
               "input_channel": channel}]
    return Tracker("test-user", {}, parse, events, False, None, {}, "action_listen")
