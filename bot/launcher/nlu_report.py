"""Intent accuracy and macro-F1 on the held-out NLU file; fails below the bar."""
from __future__ import annotations

import json
import subprocess
import sys

from bot import settings
from bot.launcher.train import model_path

BAR = 0.90


def report(test_file: str) -> int:
    out = settings.VAR_DIR / "results" / "nlu"
    subprocess.run([sys.executable, "-m", "rasa", "test", "nlu", "--nlu", test_file,
                    "--model", str(model_path()), "--out", str(out)],
                   cwd=settings.ROOT, env=settings.child_env(), check=True,
                   stdout=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    accuracy = report["accuracy"]
    macro_f1 = report["macro avg"]["f1-score"]
    print(f"held-out NLU ({report['macro avg']['support']} examples): "
          f"intent accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f} (bar {BAR})")
    weak = sorted((v["f1-score"], k) for k, v in report.items()
                  if isinstance(v, dict) and "f1-score" in v and k not in
                  ("macro avg", "weighted avg", "micro avg"))[:3]
    print("weakest intents: " + ", ".join(f"{k} {f:.2f}" for f, k in weak))
    return 0 if accuracy >= BAR and macro_f1 >= BAR else 1
