"""A bare Rasa 3.6 bot, the baseline bench/latency.py measures the assistant against.

Six intents taken from the assistant's own NLU data (so both bots read the same questions),
Rasa's stock JiebaTokenizer, count vectors and DIET, the same dialogue policies, one static
response per intent, an SQLite tracker store and no action server. It imports nothing from the
project: it runs stock Rasa, without any of the assistant's patches.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

INTENTS = ["ask_fee_reduction", "ask_priority_exam", "ask_trademark", "ask_rights_assistance",
           "ask_pledge_financing", "greet"]
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")

CONFIG = """\
recipe: default.v1
language: zh
assistant_id: bare-bench-bot
pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 40
    random_seed: 42
policies:
  - name: RulePolicy
  - name: MemoizationPolicy
    max_history: 4
"""


def _examples(nlu_dir: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {name: [] for name in INTENTS}
    for path in sorted(nlu_dir.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if block.get("intent") in found:
                for line in block["examples"].splitlines():
                    text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- ").strip())
                    if text:
                        found[block["intent"]].append(text)
    return found


def write(folder: Path, nlu_dir: Path) -> None:
    """The bot's project files in `folder` (its tracker database is folder/tracker.db)."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "config.yml").write_text(CONFIG, encoding="utf-8")
    examples = _examples(nlu_dir)
    nlu = {"version": "3.1", "nlu": [
        {"intent": name, "examples": "".join(f"- {t}\n" for t in texts)}
        for name, texts in examples.items()]}
    (folder / "data" / "nlu.yml").write_text(yaml.safe_dump(nlu, allow_unicode=True),
                                             encoding="utf-8")
    rules = {"version": "3.1", "rules": [
        {"rule": name, "steps": [{"intent": name}, {"action": f"utter_{name}"}]}
        for name in INTENTS]}
    (folder / "data" / "rules.yml").write_text(yaml.safe_dump(rules, allow_unicode=True),
                                               encoding="utf-8")
    domain = {"version": "3.1", "intents": INTENTS,
              "responses": {f"utter_{name}": [{"text": f"这是关于 {name} 的固定答复。"}]
                            for name in INTENTS},
              "session_config": {"session_expiration_time": 60,
                                 "carry_over_slots_to_new_session": True}}
    (folder / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True),
                                       encoding="utf-8")
    (folder / "endpoints.yml").write_text(
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {folder / 'tracker.db'}\n",
        encoding="utf-8")
    (folder / "credentials.yml").write_text("rest:\n", encoding="utf-8")


def train(folder: Path, env: dict) -> Path:
    subprocess.run([sys.executable, "-m", "rasa", "train", "--config", "config.yml",
                    "--domain", "domain.yml", "--data", "data", "--out", "models",
                    "--fixed-model-name", "bare"], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return folder / "models" / "bare.tar.gz"


def command(folder: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "rasa", "run", "--model", str(folder / "models" / "bare.tar.gz"),
            "--endpoints", str(folder / "endpoints.yml"),
            "--credentials", str(folder / "credentials.yml"),
            "--interface", "127.0.0.1", "--port", str(port)]
