"""Serves a Sanic app made by `create_app` from a thread of the test process, on a free port.

sanic-testing does the same (a real server in the test process), but no release of it installs
beside Rasa 3.6: the ones for Sanic 21.12 pin an httpx that needs an older h11 than Rasa's
dependencies. Requests go over real HTTP, so headers, status codes and bodies are what a
browser gets.
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Iterator

from sanic import Sanic

from bot.launcher.servers import free_port


@contextlib.contextmanager
def serving(app: Sanic) -> Iterator[str]:
    """Yields the app's base URL while it serves."""
    # Sanic 21.12 rewrites its protocol class when an app starts ("touchup"); a second app in
    # the same process finds it rewritten already and fails unless Sanic knows it is under test
    # (then it keeps the original). Production runs one app per process.
    Sanic.test_mode = True
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    async def start():
        server = await app.create_server(host="127.0.0.1", port=port, access_log=False,
                                         return_asyncio_server=True)
        await server.startup()
        await server.before_start()
        await server.after_start()
        return server

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(start())
        except BaseException as err:  # noqa: BLE001 (reported to the test below)
            failure.append(err)
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(server.before_stop())
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.run_until_complete(server.after_stop())
        loop.close()

    thread = threading.Thread(target=run, name=f"portal-{port}", daemon=True)
    thread.start()
    started.wait(30)
    if failure:
        raise failure[0]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
