"""Guards of the evaluation sets (tests/eval/): held out means held out.

- No evaluation text (test or dev split; answers, NLU, retrieval) is the same as, or near, a
  training text: an example of data/nlu/*.yml or a question phrasing or title of
  knowledge/data/answers/*.yml. "Near" is defined in bench/overlap.py (after folding traditional
  → simplified, NFKC, case and punctuation: character-bigram Jaccard ≥ 0.8 or difflib ratio
  ≥ 0.9). When one fails: the training text was added after the evaluation text — remove or
  reword the training text; never copy evaluation questions into the training data.
- No dev text is (nearly) a test text.
- The files are well-formed: every answers item has a topic and facts, or is to be declined.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bench import answer_sets
from bench.overlap import Corpus, fold, near, nlu_examples, training_corpus
from bot import settings
from knowledge.loader import read_topics
from tests.conftest import DATA_DIR

ROOT = settings.ROOT
EVAL = ROOT / "tests" / "eval"
NEW_INTENTS = {"ask_bot_identity", "check_fee_eligibility", "calc_patent_fee",
               "calc_trademark_fee", "ask_privacy", "ask_rating"}
TAGS = {"typo", "traditional", "english", "dialect", "long", "odd", "colloquial"}


def answers_texts(split: str) -> list[tuple[str, str]]:
    return [(i.q, f"answers {split}") for i in answer_sets.load(split)]


def nlu_texts(path: Path) -> list[tuple[str, str]]:
    return [(text, f"{path.relative_to(ROOT)} ({intent})") for intent, text in nlu_examples(path)]


def retrieval_texts() -> list[tuple[str, str]]:
    rows = yaml.safe_load((EVAL / "retrieval" / "dev.yml").read_text(encoding="utf-8"))
    return [(str(r["q"]), "retrieval dev") for r in rows["questions"]]


def texts_of_test_splits() -> list[tuple[str, str]]:
    return (answers_texts("test") + nlu_texts(EVAL / "nlu" / "test.yml")
            + nlu_texts(EVAL / "nlu" / "test_new_intents.yml"))


def texts_of_dev_splits() -> list[tuple[str, str]]:
    return answers_texts("dev") + nlu_texts(EVAL / "nlu" / "dev.yml") + retrieval_texts()


def overlaps(texts: list[tuple[str, str]], corpus: Corpus, *, held_out: str = "") -> list[str]:
    """One line per text of `texts` that is the same as, or near, a text of `corpus`. The side
    named by `held_out` ("texts" or "corpus") is shown by its number only: a failure message
    must not put a test question in front of whoever is writing training or dev data."""
    found = []
    for n, (text, where) in enumerate(texts):
        hit = corpus.match(text)
        if hit:
            mine = f"#{n}" if held_out == "texts" else repr(text)
            other = f"a held-out text ({hit.origin})" if held_out == "corpus" else \
                f"{hit.other!r} ({hit.origin})"
            found.append(f"{where} {mine} is {hit.kind} {other}")
    return found


@pytest.fixture(scope="module")
def training() -> Corpus:
    corpus = training_corpus(ROOT)
    assert len(corpus) > 1000  # the data was found: an empty corpus would pass everything
    return corpus


# --- the guard itself can fail ---------------------------------------------------------------

def test_near_rule():
    assert near("專利費減的條件是什麼？", "专利费减的条件是什么") == "exact"
    assert near("PCT 国家阶段", "pct国家阶段") == "exact"
    assert near("个人申请专利费减收入要低于多少呢", "个人申请专利费减收入要低于多少") == "near"
    assert near("专利质押登记几天能办好", "专利质押登记几天办好") == "near"
    assert near("专利费减的条件是什么", "商标注册要多少钱") is None
    assert near("好", "好的") is None  # one or two characters: only equal counts
    assert fold("Ｈｅｌｌｏ， 世界！") == "hello世界"


def test_guard_finds_a_planted_near_duplicate(tmp_path):
    """A training file that holds a test question, slightly reworded, makes the guard fail."""
    planted = answer_sets.load("test")[0].q
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "knowledge" / "data" / "answers").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "x.yml").write_text(
        "version: '3.1'\nnlu:\n- intent: ask_x\n  examples: |\n"
        f"    - {planted}呢\n    - 完全无关的一句话\n", encoding="utf-8")
    (tmp_path / "knowledge" / "data" / "answers" / "x.yml").write_text(
        "answers:\n  - id: x.y\n    title: 另一个标题\n    questions: [别的问题]\n",
        encoding="utf-8")
    found = overlaps(texts_of_test_splits(), training_corpus(tmp_path), held_out="texts")
    assert any(f.startswith("answers test #0 is near ") for f in found), found


def test_guard_messages_do_not_show_held_out_texts():
    held = [("个人申请专利费减收入要低于多少", "answers test")]
    mine = [("个人申请专利费减收入要低于多少呢", "answers dev")]
    shown = overlaps(mine, Corpus(held), held_out="corpus")
    assert shown == ["answers dev '个人申请专利费减收入要低于多少呢' is near a held-out text (answers test)"]
    shown = overlaps(held, Corpus([(mine[0][0], "data/nlu/x.yml")]), held_out="texts")
    assert shown == ["answers test #0 is near '个人申请专利费减收入要低于多少呢' (data/nlu/x.yml)"]


# --- held out means held out ----------------------------------------------------------------

def test_test_splits_do_not_overlap_training_data(training):
    found = overlaps(texts_of_test_splits(), training, held_out="texts")
    assert not found, "\n".join(found)


def test_dev_splits_do_not_overlap_training_data(training):
    found = overlaps(texts_of_dev_splits(), training)
    assert not found, "\n".join(found)


def test_dev_and_test_share_nothing():
    found = overlaps(texts_of_dev_splits(), Corpus(texts_of_test_splits()), held_out="corpus")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("texts", [texts_of_test_splits, texts_of_dev_splits], ids=["test", "dev"])
def test_no_repeated_item_within_a_split_family(texts):
    seen = Counter((fold(t), where.split(" (")[0]) for t, where in texts() if fold(t))
    assert not [k for k, n in seen.items() if n > 1]


# --- format ---------------------------------------------------------------------------------

@pytest.mark.parametrize("split", answer_sets.SPLITS)
def test_answers_items_are_well_formed(split):
    topics = {t.id for t in read_topics(DATA_DIR)}
    for item in answer_sets.load(split):
        where = f"{split}: {item.q!r}"
        assert item.topic in topics | set(answer_sets.META_TOPICS), where
        if item.declines:
            assert not item.facts and not item.calc, where
        else:
            assert item.q.strip() and item.facts, where
            assert all(group and all(alt.strip() for alt in group) for group in item.facts), where
        assert item.calc in (None, *answer_sets.CALCS), where
        assert set(item.tags) <= TAGS, where
        assert all(f.strip() for f in item.forbid), where


def test_answers_test_split_covers_what_it_must():
    items = answer_sets.load("test")
    topics = Counter(i.topic for i in items)
    assert len(items) >= 260
    for topic in (t.id for t in read_topics(DATA_DIR)):
        assert topics[topic] >= 10, topic
    assert topics["assistant"] >= 5
    assert 0.12 <= topics["out_of_scope"] / len(items) <= 0.20
    calcs = Counter(i.calc for i in items if i.calc)
    assert all(calcs[c] >= 10 for c in answer_sets.CALCS), calcs
    tags = Counter(t for i in items for t in i.tags)
    assert tags["typo"] >= 5 and tags["traditional"] >= 10 and tags["english"] >= 5, tags


def test_nlu_test_split_covers_every_intent():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    examples = nlu_examples(EVAL / "nlu" / "test.yml")
    per_intent = Counter(intent for intent, _ in examples)
    assert len(examples) >= 300
    new = Counter(intent for intent, _ in nlu_examples(EVAL / "nlu" / "test_new_intents.yml"))
    assert set(new) == NEW_INTENTS and min(new.values()) >= 10, new
    # the intents that have landed are tested by their block of test_new_intents.yml
    assert set(per_intent) | (NEW_INTENTS & intents) == intents, set(per_intent) ^ intents
    assert min(per_intent.values()) >= 8, per_intent
    dev = {intent for intent, _ in nlu_examples(EVAL / "nlu" / "dev.yml")}
    assert dev <= intents | NEW_INTENTS


def test_answers_bench_counts_only_the_tracebacks_of_its_own_run(tmp_path):
    from bench.answers import log_sizes, tracebacks_since
    crash = "Traceback (most recent call last):\n  File ...\nKeyError: 'x'\n"
    (tmp_path / "actions.log").write_text("an earlier run\n" + crash, encoding="utf-8")
    (tmp_path / "rasa.log").write_text("", encoding="utf-8")
    before = log_sizes(tmp_path)
    with open(tmp_path / "actions.log", "a", encoding="utf-8") as f:
        f.write("this run\n" + crash + crash)
    (tmp_path / "forwarder.log").write_text(crash, encoding="utf-8")  # new during the run
    assert tracebacks_since(tmp_path, before) == {"actions": 2, "forwarder": 1}
