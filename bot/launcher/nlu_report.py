"""Intent accuracy and macro-F1 of the trained model on the NLU evaluation splits.

    python -m bot nlu-report          # dev and test; exit 1 when the test split is under GUARD

Both splits are printed; the goal and the guard apply to the test split only (dev is the one
tuned on).
The test split is tests/eval/nlu/test.yml plus the blocks of test_new_intents.yml whose intent
domain.yml declares: an intent's examples start counting the day the intent lands.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from bot import settings
from bot.launcher.train import model_path

GOAL = 0.90  # issue 9's goal for intent accuracy and macro-F1 on the test split
# What `make test` enforces: the test split reached 0.894 / 0.891 when issue 9 landed
# (2026-12-02; training is seeded, so a rerun on the same data gives the same numbers).
GUARD = 0.87
EVAL_DIR = settings.ROOT / "tests" / "eval" / "nlu"
DEV = EVAL_DIR / "dev.yml"
TEST = EVAL_DIR / "test.yml"
TEST_NEW_INTENTS = EVAL_DIR / "test_new_intents.yml"


def domain_intents() -> set[str]:
    domain = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []}


def test_file(out_dir: Path) -> Path:
    """The test split as Rasa reads it: test.yml plus the landed new intents' examples."""
    known = domain_intents()
    doc = yaml.safe_load(TEST.read_text(encoding="utf-8"))
    if TEST_NEW_INTENTS.exists():
        extra = yaml.safe_load(TEST_NEW_INTENTS.read_text(encoding="utf-8"))
        landed = [b for b in extra.get("nlu") or [] if b.get("intent") in known]
        if not landed:
            return TEST
        doc["nlu"] = list(doc["nlu"]) + landed
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "nlu-test-split.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def evaluate(name: str, nlu_file: Path, show_weakest: bool = True) -> tuple[float, float]:
    """Accuracy and macro-F1 of the model on one split. The test split's weakest intents are
    not printed: what is tuned is tuned on dev."""
    out = settings.VAR_DIR / "results" / f"nlu-{name}"
    subprocess.run([sys.executable, "-m", "rasa", "test", "nlu", "--nlu", str(nlu_file),
                    "--model", str(model_path()), "--out", str(out)],
                   cwd=settings.ROOT, env=settings.child_env(), check=True,
                   stdout=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    accuracy = report["accuracy"]
    macro_f1 = report["macro avg"]["f1-score"]
    intents = sum(1 for k, v in report.items() if isinstance(v, dict) and "support" in v
                  and k not in ("macro avg", "weighted avg", "micro avg"))
    print(f"NLU {name:4s} ({report['macro avg']['support']} examples, {intents} intents): "
          f"intent accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}")
    if not show_weakest:
        return accuracy, macro_f1
    weak = sorted((v["f1-score"], k) for k, v in report.items()
                  if isinstance(v, dict) and "f1-score" in v and k not in
                  ("macro avg", "weighted avg", "micro avg"))[:3]
    print("  weakest intents: " + ", ".join(f"{k} {f:.2f}" for f, k in weak)
          + f"   (errors: {out / 'intent_errors.json'})")
    return accuracy, macro_f1


def report() -> int:
    """Both splits. The goal (GOAL, issue 9) is printed as met or not; the exit status is the
    regression guard (GUARD): the test split may not fall below what it reached when issue 9
    landed, so a change that makes intent recognition worse fails `make test`."""
    evaluate("dev", DEV)
    accuracy, macro_f1 = evaluate("test", test_file(settings.VAR_DIR / "results"),
                                  show_weakest=False)
    met = accuracy >= GOAL and macro_f1 >= GOAL
    print(f"goal {GOAL} on the test split: {'met' if met else 'NOT MET'}")
    ok = accuracy >= GUARD and macro_f1 >= GUARD
    print(f"regression guard {GUARD} on the test split: {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1
