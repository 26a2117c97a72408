"""The production shape, started once for tests/prod (`make test-prod`): PostgreSQL, Redis,
nginx, two Rasa and two action servers, the portal and the forwarder, in a temporary folder on
free ports, with the WeChat channel on and WeChat's API played by tests/wechat_side.py.

Every answer the shape gives comes through WeChat's customer-service API (reply timeout ≈ 0), so
that the WeChat tests see both replicas' senders and the shared access token at work."""
from __future__ import annotations

import shutil

import pytest
import requests
from requests.adapters import HTTPAdapter

from bot.deploy.services import APP_DB
from bot.deploy.shape import Layout, production
from bot.launcher.train import model_path
from tests.wechat_side import AES_KEY, TOKEN, FakeWeChatAPI

APP_ID = "wx-prod-test"
SECRET = "prod-test-secret"


@pytest.fixture(scope="session")
def wechat_api():
    api = FakeWeChatAPI(APP_ID, SECRET)
    yield api
    api.close()


@pytest.fixture(scope="session")
def shape(tmp_path_factory, wechat_api):
    if not model_path().exists():
        pytest.fail("no trained model: `make test-prod` trains before running pytest")
    folder = tmp_path_factory.mktemp("prod")
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": SECRET,
           "WECHAT_AES_KEY": AES_KEY, "WECHAT_API_BASE": wechat_api.base,
           "WECHAT_REPLY_TIMEOUT": "0.001", "KB_TODAY": "2026-11-26"}
    with production(folder, Layout.free(), env=env) as running:
        yield running
    if running.postgres.data.parent != folder:  # data kept outside the temporary folder
        shutil.rmtree(running.postgres.data, ignore_errors=True)


@pytest.fixture(scope="session")
def app_url(shape) -> str:
    return shape.postgres.url(APP_DB)


@pytest.fixture(scope="session")
def staff(app_url) -> dict[str, str]:
    """The header of a 坐席's personal API token, made in the shape's database."""
    from knowledge.storage import database
    from tests.staff_client import api_token
    return {"Authorization": f"Bearer {api_token(database(app_url), 'agent')}"}


def client(ip: str) -> requests.Session:
    """An HTTP client whose requests come from `ip` (any 127.x.y.z is this machine): nginx
    limits the rate per client address, so each test is a client of its own."""
    class FromIP(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (ip, 0)
            super().init_poolmanager(*args, **kwargs)
    session = requests.Session()
    session.mount("http://", FromIP())
    return session
