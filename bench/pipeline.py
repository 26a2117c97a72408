"""The question-to-answer pipeline as the bot runs it, on the retrieval development set:
the trained NLU model picks intent and entities, the rules send topic intents and nlu_fallback
to the knowledge-base action, and the service picks the answer (in the topic when NLU is sure,
across topics when not). Other intents (greet, out_of_scope, …) get no knowledge answer.

    PYTHONPATH=. .venv/bin/python bench/pipeline.py      (needs var/models and `make kb`)
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rasa.core.agent import Agent  # noqa: E402  (imports TensorFlow before spaCy does)

from actions.answers import FALLBACK, best_intent  # noqa: E402
from bench.retrieval import load_questions, open_service  # noqa: E402
from bench.stats import pct  # noqa: E402
from bot.launcher.train import model_path  # noqa: E402


async def main() -> int:
    agent = Agent.load(str(model_path()))
    service = open_service()
    routed = service.topic_intents | {FALLBACK}
    questions = load_questions()
    right = in_scope = rejected = oos = 0
    misses, latencies = [], []
    for q in questions:
        started = time.perf_counter()
        parse = await agent.parse_message(q.text)
        got = None
        if parse["intent"]["name"] in routed:
            intent, confidence = best_intent(parse)
            reply = service.answer(q.text, intent, confidence, entities=parse["entities"])
            got = reply.answer_id if reply.answered else None
        latencies.append((time.perf_counter() - started) * 1000)
        if q.answers:
            in_scope += 1
            right += got in q.answers
            if got not in q.answers:
                misses.append((q.text, parse["intent"]["name"], got, q.answers))
        else:
            oos += 1
            rejected += got is None
            if got is not None:
                misses.append((q.text, parse["intent"]["name"], got, None))
    print(f"pipeline top-1 (NLU → topic → retrieval): {right / in_scope:.1%} ({right}/{in_scope})")
    print(f"out-of-scope given no knowledge answer:   {rejected / oos:.1%} ({rejected}/{oos})")
    print(f"NLU + retrieval per question: p50 {statistics.median(latencies):.1f} ms  "
          f"p95 {pct(latencies, 95):.1f} ms")
    print(f"misses ({len(misses)}):")
    for text, intent, got, want in misses:
        print(f"  {text} [{intent}] → {got or 'no answer'}  (want {' | '.join(want or ['none'])})")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
