"""What each NLU component earns: the pipeline of config.yml against variants without (or with
a smaller) component, each trained here on data/nlu (NLU only, in a temporary folder) and
scored on the held-out set, with its training time and its cost per message.

    flock /work/locks/heavy.lock .venv/bin/python bench/nlu_variants.py [--only NAME …]

Trains one model per variant (2–3 minutes each on this machine): run it under the lock.
"""
from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot import settings  # noqa: E402
from bench.latency import NLU_COSTS, QUESTIONS  # noqa: E402
from bot.launcher.servers import RASA_TF_THREADS  # noqa: E402

HELDOUT = settings.ROOT / "tests" / "nlu" / "heldout.yml"


def _without(name: str, **match):
    def change(pipeline: list[dict]) -> list[dict]:
        return [c for c in pipeline if not (c["name"] == name and
                                            all(c.get(k) == v for k, v in match.items()))]
    return change


def _char_ngrams(max_ngram: int):
    def change(pipeline: list[dict]) -> list[dict]:
        for c in pipeline:
            if c.get("analyzer") == "char":
                c["max_ngram"] = max_ngram
        return pipeline
    return change


def _word_count_vectors(pipeline: list[dict]) -> list[dict]:
    return [c for c in pipeline if not (c["name"] == "CountVectorsFeaturizer"
                                        and c.get("analyzer", "word") == "word")]


def _diet(**options):
    def change(pipeline: list[dict]) -> list[dict]:
        for c in pipeline:
            if c["name"] == "DIETClassifier":
                c.update(options)
        return pipeline
    return change


VARIANTS = {
    "config.yml": lambda p: p,
    "DIET without transformer": _diet(number_of_transformer_layers=0),
    "DIET 1 transformer layer": _diet(number_of_transformer_layers=1),
    "DIET without transformer, 100 epochs": _diet(number_of_transformer_layers=0, epochs=100),
    "DIET without transformer, 100 epochs, char 1-2":
        lambda p: _char_ngrams(2)(_diet(number_of_transformer_layers=0, epochs=100)(p)),
    "DIET without transformer, 100 epochs, without regex":
        lambda p: _without("RegexFeaturizer")(_diet(number_of_transformer_layers=0,
                                                    epochs=100)(p)),
    "without word n-grams": _word_count_vectors,
    "char n-grams 1-2": _char_ngrams(2),
    "without regex features": _without("RegexFeaturizer"),
}


def run_variant(name: str, change, folder: Path) -> dict:
    config = yaml.safe_load((settings.ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = change(copy.deepcopy(config["pipeline"]))
    config.pop("policies", None)
    (folder / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                       encoding="utf-8")
    env = settings.child_env()
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config",
                    str(folder / "config.yml"), "--nlu", str(settings.ROOT / "data" / "nlu"),
                    "--out", str(folder), "--fixed-model-name", "variant"],
                   cwd=settings.ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    model = folder / "variant.tar.gz"
    subprocess.run([sys.executable, "-m", "rasa", "test", "nlu", "--nlu", str(HELDOUT),
                    "--model", str(model), "--out", str(folder / "results")],
                   cwd=settings.ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    report = json.loads((folder / "results" / "intent_report.json").read_text())
    out = subprocess.run([sys.executable, "-c", NLU_COSTS, str(model),
                          json.dumps(QUESTIONS + ["你好", "谢谢", "今天天气怎么样"]), "200"],
                         capture_output=True, text=True, check=True,
                         env={**RASA_TF_THREADS, **env})
    costs = json.loads(out.stdout.strip().splitlines()[-1])
    return {"name": name, "train_s": seconds, "accuracy": report["accuracy"],
            "macro_f1": report["macro avg"]["f1-score"], "ms": sum(costs.values()),
            "diet_ms": sum(v for k, v in costs.items() if "DIET" in k)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", choices=list(VARIANTS))
    args = parser.parse_args()
    print(f"{'variant':48} {'train':>7} {'accuracy':>9} {'macro-F1':>9} {'NLU/msg':>8} "
          f"{'DIET':>7}")
    for name in args.only or VARIANTS:
        with tempfile.TemporaryDirectory(prefix="nlu-variant-") as tmp:
            r = run_variant(name, VARIANTS[name], Path(tmp))
        print(f"{r['name']:48} {r['train_s']:6.0f}s {r['accuracy']:9.3f} {r['macro_f1']:9.3f} "
              f"{r['ms']:6.1f}ms {r['diet_ms']:5.1f}ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
