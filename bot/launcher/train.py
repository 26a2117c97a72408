"""Trains the Rasa model when its inputs changed, and only then.

The inputs: config, domain, training data, the gazetteer the entity extractor is built from,
the custom NLU components and the pinned dependencies. Answers can change without retraining.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from bot import settings

INPUTS = ["config.yml", "domain.yml", "data", "bot/nlu", "requirements.txt"]
KNOWLEDGE_INPUTS = ["gazetteer.yml", "service_points.yml"]  # the entity extractor's patterns


def fingerprint() -> str:
    paths = [settings.ROOT / name for name in INPUTS]
    paths += [settings.KNOWLEDGE_DATA_DIR / name for name in KNOWLEDGE_INPUTS]
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".yml", ".py")) \
            if path.is_dir() else [path]
        for f in files:
            digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def model_path() -> Path:
    return settings.MODEL_DIR / f"{settings.MODEL_NAME}.tar.gz"


def train(force: bool = False) -> bool:
    """Returns True when it trained."""
    stamp = settings.MODEL_DIR / "fingerprint"
    current = fingerprint()
    if not force and model_path().exists() and stamp.exists() and stamp.read_text() == current:
        print(f"model up to date: {model_path()}")
        return False
    settings.MODEL_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain",
         "domain.yml", "--data", "data", "--out", str(settings.MODEL_DIR),
         "--fixed-model-name", settings.MODEL_NAME, "--force"],
        cwd=settings.ROOT, env=settings.child_env(), check=True)
    seconds = time.monotonic() - started
    stamp.write_text(current)
    (settings.MODEL_DIR / "train_seconds").write_text(f"{seconds:.1f}\n")
    print(f"trained in {seconds:.0f} s: {model_path()}")
    return True
