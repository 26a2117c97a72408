"""What the low-confidence rule logs for staff review (knowledge/unanswered.py: `doubt`), measured
on the retrieval DEVELOPMENT questions (tests/eval/retrieval/dev.yml) — never on a test split.

Each question is answered as the action server answers it when NLU is sure of the labelled topic
(confidence 0.9; out-of-scope questions with no topic). Prints, for each kind the rule gives
(not logged / overview / weak / unanswered), how many questions got it and how many of those
the bot answered wrongly — the rule is worth its noise when the logged kinds hold the wrong
answers and the unlogged one holds few.

    PYTHONPATH=. .venv/bin/python bench/low_confidence.py     # needs `make kb` first

Always exits 0: it is a measurement.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if __name__ == "__main__":
    from knowledge import without_tensorflow
    without_tensorflow()

from bench.retrieval import QUESTIONS, load_questions, open_service  # noqa: E402
from knowledge import unanswered  # noqa: E402

KINDS = ["none", "overview", "weak", "unanswered"]


def main() -> int:
    kb = open_service()
    questions = load_questions(QUESTIONS)
    seen, wrong = Counter(), Counter()
    for q in questions:
        intent = kb.topics[q.topic].intent if q.topic in kb.topics else None
        reply = kb.answer(q.text, intent=intent, confidence=0.9 if intent else 0.0)
        kind = unanswered.doubt(reply.answered, reply.overview, reply.coverage) or "none"
        right = (reply.answer_id in q.answers) if q.answers else not reply.answered
        seen[kind] += 1
        wrong[kind] += not right
    print(f"{len(questions)} development questions ({QUESTIONS.name}); "
          f"WEAK_COVERAGE = {unanswered.WEAK_COVERAGE}")
    print("| logged as | questions | answered wrongly | share wrong |")
    print("|---|---:|---:|---:|")
    for kind in KINDS:
        n = seen[kind]
        share = f"{100 * wrong[kind] / n:.0f} %" if n else "–"
        print(f"| {kind} | {n} | {wrong[kind]} | {share} |")
    logged = sum(seen[k] for k in KINDS if k != "none")
    print(f"logged for review: {logged} of {len(questions)} "
          f"({100 * logged / len(questions):.1f} %); wrong answers caught: "
          f"{sum(wrong[k] for k in KINDS if k != 'none')} of {sum(wrong.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
