"""Top-1 accuracy and latency of the retrieval step: tuned on dev, reported on test.

Development set (tests/eval/retrieval/dev.yml, labelled with answer ids; thresholds are tuned
on it). Each question is answered twice by the knowledge service (`KnowledgeService.choose`), as
the bot would:
  cross-topic — the topic is unknown (NLU unsure): the first hit is given only if the
                service's accept rule takes it, otherwise "not sure";
  in-topic    — NLU is sure of the labelled topic: the first in-topic hit if it covers enough
                of the question, otherwise the topic's overview.
Out-of-scope questions (answer: null) must be rejected by the cross-topic rule.

Test set: the answers test split (tests/eval/answers/test.yml, written apart from the knowledge
data, never tuned on) answered by the knowledge service alone — no NLU, topic unknown — and each
reply checked for the facts the item lists, as bench/answers.py does end to end. Questions about
the assistant itself are left out (the dialogue answers them, not the library).

    PYTHONPATH=. .venv/bin/python bench/retrieval.py [--questions FILE] [--test-split dev|test]

Always exits 0: it is a measurement. tests/test_retrieval.py asserts the accuracy goals.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if __name__ == "__main__":
    from knowledge import without_tensorflow
    without_tensorflow()
import knowledge  # noqa: E402
from bot import settings  # noqa: E402
from knowledge import service  # noqa: E402  (its thresholds, for the report)
from knowledge.service import KnowledgeService  # noqa: E402
from bench.stats import pct  # noqa: E402
from bench import answer_sets  # noqa: E402

QUESTIONS = settings.ROOT / "tests" / "eval" / "retrieval" / "dev.yml"
GOAL_TOP1, GOAL_OOS, GOAL_P95_MS = 0.90, 0.90, 20.0


@dataclass
class Question:
    text: str
    answers: list[str]  # empty: out of scope
    topic: str | None


@dataclass
class Result:
    in_scope: int = 0
    cross_right: int = 0
    in_topic_right: int = 0
    oos: int = 0
    oos_rejected: int = 0
    wrong_accepts: int = 0  # in-scope questions answered confidently with a wrong answer
    per_topic: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))  # n, cross, in
    misses: list = field(default_factory=list)  # (kind, question, got, expected)
    latencies_ms: list = field(default_factory=list)

    @property
    def cross_top1(self) -> float:
        return self.cross_right / self.in_scope if self.in_scope else 0.0

    @property
    def in_topic_top1(self) -> float:
        return self.in_topic_right / self.in_scope if self.in_scope else 0.0

    @property
    def oos_rejection(self) -> float:
        return self.oos_rejected / self.oos if self.oos else 1.0

    @property
    def false_accept_rate(self) -> float:
        """Confident answers that are wrong: in-scope wrong accepts plus accepted out-of-scope."""
        total = self.in_scope + self.oos
        return (self.wrong_accepts + self.oos - self.oos_rejected) / total if total else 0.0


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    out = []
    for row in rows:
        answer = row.get("answer")
        answers = [] if answer is None else ([answer] if isinstance(answer, str) else list(answer))
        out.append(Question(str(row["q"]), answers, row.get("topic")))
    return out


def open_service(url: str | None = None) -> KnowledgeService:
    """The knowledge service as the action server opens it."""
    return knowledge.open(url or settings.database_url(), settings.KNOWLEDGE_DATA_DIR,
                          settings.today)


def cross_topic(kb: KnowledgeService, text: str) -> str | None:
    """What the service answers when the topic is unknown (None: not sure)."""
    return kb.choose(text, None).answer_id


def in_topic(kb: KnowledgeService, text: str, topic: str) -> str | None:
    """What the service answers when NLU is sure of the topic (None: a question without a
    word of our field that no answer covers well)."""
    choice = kb.choose(text, topic)
    return choice.answer_id or (kb.topics[choice.overview_of].overview if choice.overview_of
                                else None)


def evaluate(kb: KnowledgeService, questions: list[Question], timed: bool = False) -> Result:
    res = Result()

    def run(fn, *args):
        started = time.perf_counter()
        value = fn(*args)
        if timed:
            res.latencies_ms.append((time.perf_counter() - started) * 1000)
        return value

    for q in questions:
        got = run(cross_topic, kb, q.text)
        if not q.answers:
            res.oos += 1
            if got is None:
                res.oos_rejected += 1
            else:
                res.misses.append(("oos", q.text, got, None))
            continue
        res.in_scope += 1
        counts = res.per_topic[q.topic]
        counts[0] += 1
        if got in q.answers:
            res.cross_right += 1
            counts[1] += 1
        else:
            if got is not None:
                res.wrong_accepts += 1
            res.misses.append(("cross", q.text, got, q.answers))
        if q.topic:
            got_in = run(in_topic, kb, q.text, q.topic)
            if got_in in q.answers:
                res.in_topic_right += 1
                counts[2] += 1
            else:
                res.misses.append(("in-topic", q.text, got_in, q.answers))
    return res


def report(res: Result) -> None:
    print(f"questions: {res.in_scope} in scope, {res.oos} out of scope (accept: coverage ≥ "
          f"{service.ACCEPT}, or ≥ {service.ACCEPT_WITH_WORDS} with {service.ACCEPT_WORDS}+ "
          f"specific words; in topic: coverage ≥ {service.IN_TOPIC_MIN} else overview)")
    print(f"cross-topic top-1 (accepted and right): {res.cross_top1:6.1%}  "
          f"({res.cross_right}/{res.in_scope})")
    print(f"in-topic top-1 (NLU sure of topic):     {res.in_topic_top1:6.1%}  "
          f"({res.in_topic_right}/{res.in_scope})")
    print(f"out-of-scope rejected:                  {res.oos_rejection:6.1%}  "
          f"({res.oos_rejected}/{res.oos})")
    print(f"false accepts (confident and wrong):    {res.false_accept_rate:6.1%}  "
          f"({res.wrong_accepts} in scope + {res.oos - res.oos_rejected} out of scope)")
    print("\nper topic           n   cross  in-topic")
    for topic, (n, cross, inside) in sorted(res.per_topic.items()):
        print(f"  {topic:18s}{n:3d}  {cross / n:6.1%}  {inside / n:6.1%}")
    print(f"\nmisses ({len(res.misses)}):")
    for kind, text, got, expected in res.misses:
        want = "reject" if expected is None else " | ".join(expected)
        print(f"  [{kind:8s}] {text} → {got or 'not sure'}  (want {want})")
    lat = res.latencies_ms
    if lat:
        print(f"\nlatency over {len(lat)} searches: p50 {statistics.median(lat):.2f} ms  "
              f"p95 {pct(lat, 95):.2f} ms  max {max(lat):.2f} ms")
    goals = [("cross-topic top-1 ≥ 90%", res.cross_top1 >= GOAL_TOP1),
             ("out-of-scope rejected ≥ 90%", res.oos_rejection >= GOAL_OOS),
             ("p95 < 20 ms", bool(lat) and pct(lat, 95) < GOAL_P95_MS)]
    print("\ngoals: " + "  ".join(f"{name}: {'MET' if ok else 'NOT MET'}" for name, ok in goals))
    print("ALL GOALS MET" if all(ok for _, ok in goals) else "GOALS NOT MET")


def library_answers(split: str = "test", url: str | None = None) -> list[tuple]:
    """(item, reply text, verdict) for every item of an answers split the library can answer:
    the knowledge service alone, topic unknown."""
    svc = open_service(url)
    out = []
    for item in answer_sets.load(split):
        if item.topic == "assistant":
            continue
        text = svc.answer(item.q).text
        out.append((item, text, answer_sets.check(item, text)))
    return out


def report_library(split: str, rows: list[tuple]) -> None:
    print(f"\n=== {split.upper()}: answers {split} split at library level (no NLU, topic unknown; "
          f"facts checked) ===")
    by_topic: dict[str, list] = defaultdict(list)
    for item, _, verdict in rows:
        by_topic[item.topic].append(verdict.ok)
        if item.calc:
            by_topic[f"(calculator) {item.calc}"].append(verdict.ok)
    print("| topic | n | correct | accuracy |\n|---|---:|---:|---:|")
    for topic in sorted(by_topic, key=lambda t: (t.startswith("("), t in answer_sets.META_TOPICS, t)):
        oks = by_topic[topic]
        print(f"| {topic} | {len(oks)} | {sum(oks)} | {sum(oks) / len(oks):.1%} |")
    topical = [v.ok for item, _, v in rows if item.needs_source]
    plain = [v.ok for item, _, v in rows if item.needs_source and not item.calc]
    oos = [v.ok for item, _, v in rows if item.topic == "out_of_scope"]
    for name, oks in (("topic questions correct", topical),
                      ("  without the calculator questions", plain),
                      ("out-of-scope declined", oos)):
        if oks:
            print(f"{name}: {sum(oks)}/{len(oks)} = {sum(oks) / len(oks):.1%}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--test-split", choices=answer_sets.SPLITS, default="test")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    kb = open_service()
    evaluate(kb, questions)  # warm-up: jieba dictionary, caches
    res = evaluate(kb, questions, timed=True)
    print(f"=== DEV: {args.questions} (by answer id; thresholds are tuned here) ===")
    report(res)
    report_library(args.test_split, library_answers(args.test_split))
    return 0


if __name__ == "__main__":
    sys.exit(main())
