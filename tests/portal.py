"""Starts the portal (`python -m bot.web`) as its own process, as it runs in production."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterator

from bot.run import _start, _stop, _wait


@contextlib.contextmanager
def portal(port: int, rasa_port: int, log: Path) -> Iterator[str]:
    """Yields the portal's base URL; its demo page points the widget at Rasa on rasa_port.
    The child inherits the test databases from the environment conftest set."""
    env = dict(os.environ, WEB_PORT=str(port), RASA_PORT=str(rasa_port),
               RASA_TELEMETRY_ENABLED="false")
    env.pop("RASA_PUBLIC_URL", None)
    proc = _start([sys.executable, "-m", "bot.web"], env, log)
    try:
        _wait(f"http://127.0.0.1:{port}/health", proc, log, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)
