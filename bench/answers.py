"""End-to-end correctness of the assistant on the answers evaluation sets.

Starts the real servers (action server + Rasa, on ports the OS hands out), sends every question of
a split through the REST channel with a fresh sender each, and checks each reply for the facts
its item lists (tests/eval/answers/; format in the header of test.yml). A reply without a
"来源：" line counts as declined: right for out-of-scope and junk input, wrong for a topic
question. Prints accuracy per topic (a Markdown table), per calculator and per input kind,
overall, the out-of-scope decline rate, the empty replies and the tracebacks the servers logged
during the run (a crashed action answers nothing, which a fact check alone reads as "declined"),
and with --show-failures every failure.

The servers get a copy of the knowledge database and a fresh tracker database, so the run adds
nothing to the staff's list of unanswered questions or to the conversation store.

    PYTHONPATH=. .venv/bin/python bench/answers.py [--split dev|test] [--show-failures]

Always exits 0: it is a measurement. Tune on dev; report test.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot import settings  # noqa: E402
from bot.launcher.servers import Ports, servers  # noqa: E402
from bench import answer_sets  # noqa: E402
from bench.answer_sets import Item, Verdict  # noqa: E402

SENDERS_AT_ONCE = 2  # two cores, shared: more only queues inside the servers
TIMEOUT_S = 60


def reply_text(messages: list[dict]) -> str:
    """The texts the bot said in one turn. Button titles are left out: a fact must be in the
    answer, not in a suggestion to click."""
    return "\n".join(m["text"] for m in messages if m.get("text"))


def ask(base: str, run: str, i: int, text: str) -> str:
    r = requests.post(f"{base}/webhooks/rest/webhook",
                      json={"sender": f"eval-{run}-{i}", "message": text}, timeout=TIMEOUT_S)
    r.raise_for_status()
    return reply_text(r.json())


@dataclass
class Outcome:
    item: Item
    reply: str
    verdict: Verdict
    error: str | None = None


def run_split(base: str, items: list[Item]) -> list[Outcome]:
    run = uuid.uuid4().hex[:8]

    def one(i: int) -> Outcome:
        item = items[i]
        try:
            reply = ask(base, run, i, item.q)
        except requests.RequestException as err:
            return Outcome(item, "", answer_sets.Verdict(False, True, empty=True), str(err))
        return Outcome(item, reply, answer_sets.check(item, reply))

    with ThreadPoolExecutor(SENDERS_AT_ONCE) as pool:
        return list(pool.map(one, range(len(items))))


def log_sizes(log_dir: Path) -> dict[Path, int]:
    """Where each server log ends now: the run's own lines are those written after."""
    return {p: p.stat().st_size for p in log_dir.glob("*.log")}


def tracebacks_since(log_dir: Path, before: dict[Path, int]) -> dict[str, int]:
    """Tracebacks each server logged after `before` (per log file, by server name)."""
    out = {}
    for path in sorted(log_dir.glob("*.log")):
        with open(path, "rb") as f:
            f.seek(before.get(path, 0))
            n = f.read().count(b"Traceback (most recent call last)")
        if n:
            out[path.stem] = n
    return out


def table(rows: dict[str, list[Outcome]], title: str) -> list[str]:
    out = [f"| {title} | n | correct | accuracy |", "|---|---:|---:|---:|"]
    for key in rows:
        group = rows[key]
        ok = sum(o.verdict.ok for o in group)
        out.append(f"| {key} | {len(group)} | {ok} | {ok / len(group):.1%} |")
    return out


def report(split: str, outcomes: list[Outcome], seconds: float, show_failures: bool,
           tracebacks: dict[str, int] | None = None) -> None:
    by_topic: dict[str, list[Outcome]] = defaultdict(list)
    by_calc: dict[str, list[Outcome]] = defaultdict(list)
    by_tag: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_topic[o.item.topic].append(o)
        if o.item.calc:
            by_calc[o.item.calc].append(o)
        for tag in o.item.tags:
            by_tag[tag].append(o)
    order = sorted(by_topic, key=lambda t: (t in answer_sets.META_TOPICS,
                                            answer_sets.META_TOPICS.index(t)
                                            if t in answer_sets.META_TOPICS else 0, t))
    ok = sum(o.verdict.ok for o in outcomes)
    in_topic = [o for o in outcomes if o.item.needs_source]
    oos = by_topic.get("out_of_scope", [])
    errors = [o for o in outcomes if o.error]

    print(f"answers {split}: {len(outcomes)} questions through REST in {seconds:.0f} s"
          + (f"  ({len(errors)} request errors)" if errors else ""))
    print()
    print("\n".join(table({t: by_topic[t] for t in order}, "topic")))
    print()
    if by_calc:
        print("\n".join(table(dict(sorted(by_calc.items())), "calculator")))
        print()
    if by_tag:
        print("\n".join(table(dict(sorted(by_tag.items())), "input kind")))
        print()
    print(f"overall: {ok}/{len(outcomes)} = {ok / len(outcomes):.1%}")
    if in_topic:
        n = sum(o.verdict.ok for o in in_topic)
        print(f"topic questions answered correctly: {n}/{len(in_topic)} = {n / len(in_topic):.1%}"
              f"  (declined: {sum(o.verdict.declined for o in in_topic)})")
    if oos:
        n = sum(o.verdict.ok for o in oos)
        print(f"out-of-scope declined: {n}/{len(oos)} = {n / len(oos):.1%}")
    empty = sum(o.verdict.empty and not o.error for o in outcomes)
    crashes = ", ".join(f"{name} {n}" for name, n in (tracebacks or {}).items()) or "none"
    print(f"empty replies: {empty}; server tracebacks during the run: {crashes}")
    failures = [o for o in outcomes if not o.verdict.ok]
    print(f"failures: {len(failures)}" + ("" if show_failures else "  (--show-failures lists them)"))
    if show_failures:
        for o in failures:
            v = o.verdict
            why = []
            if o.error:
                why.append(f"error {o.error}")
            if o.item.declines:
                why.append("empty reply" if v.empty else "answered with a source")
            else:
                if v.declined and o.item.needs_source:
                    why.append("declined")
                if v.missing:
                    why.append("missing " + " ; ".join("/".join(g[:3]) + ("/…" if len(g) > 3 else "")
                                                       for g in v.missing))
                if v.forbidden:
                    why.append("forbidden " + "/".join(v.forbidden))
            reply = o.reply.replace("\n", " ⏎ ")[:120]
            print(f"- [{o.item.topic}] {o.item.q!r}: {'; '.join(why)}\n    reply: {reply}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=answer_sets.SPLITS, default="test")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    items = answer_sets.load(args.split)
    kb = Path(settings.database_url().removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        env = {"TRACKER_DB_URL": f"sqlite:///{Path(tmp) / 'tracker.db'}"}
        if settings.database_url().startswith("sqlite:///") and kb.exists():
            shutil.copy(kb, Path(tmp) / "app.db")  # a copy: unanswered questions land there
            env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'app.db'}"
        log_dir = settings.LOG_DIR / "bench-answers"
        log_dir.mkdir(parents=True, exist_ok=True)
        before = log_sizes(log_dir)
        with servers(Ports.free(), env=env, log_dir=log_dir) as stack:
            started = time.perf_counter()
            outcomes = run_split(stack.rasa, items)
            seconds = time.perf_counter() - started
    report(args.split, outcomes, seconds, args.show_failures, tracebacks_since(log_dir, before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
