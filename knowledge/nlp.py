"""The Chinese spaCy pipeline: jieba segmentation with the knowledge base's terms as a user
dictionary, and an entity ruler built from its gazetteer (divisions, service-point types,
fee names, kinds of IP). Used by the NLU entity extractor and by knowledge search."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import jieba
import spacy
from spacy.language import Language

from knowledge import english, jieba_dictionary, ours
from knowledge.text import normalise, to_simplified

jieba.setLogLevel(60)  # jieba prints its start-up chatter through logging otherwise
jieba_dictionary.install()  # before anything here makes jieba load its 90 MB dict

# Gazetteer kinds that are not words of the text: English, and the list of our field's words.
NOT_WORDS = (english.KIND, ours.KIND)

Pattern = dict  # {"label": kind, "pattern": variant, "id": canonical}


def patterns_from(terms: Iterable[tuple[str, str, str]],
                  divisions: Iterable[tuple[str, list[str]]]) -> list[Pattern]:
    """Gazetteer terms (kind, canonical, variant) and divisions (name, aliases) as patterns."""
    out = [{"label": kind, "pattern": normalise(variant), "id": canonical}
           for kind, canonical, variant in terms if kind not in ("synonyms", *NOT_WORDS)]
    for name, aliases in divisions:
        for variant in [name, *aliases]:
            out.append({"label": "county", "pattern": normalise(variant), "id": name})
    seen, unique = set(), []
    for p in out:
        key = (p["label"], p["pattern"])
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


_ADDED: set[str] = set()


def add_user_words(words: Iterable[str]) -> None:
    """Makes jieba keep each domain term whole, so entity spans line up with tokens. Each word
    once per process: jieba.add_word adds the word's frequency to its total every time, even
    for a word it has, and the search weighs words by log(total / frequency) — so every rebuild
    of the index (a new knowledge version, another service in the same process) shifted every
    word's weight, and the answers with them."""
    for word in words:
        if word and not word.isspace() and word not in _ADDED:
            jieba.add_word(word)
            _ADDED.add(word)


def write_user_dictionary(words: Iterable[str], folder: Path) -> Path:
    """The folder Rasa's JiebaTokenizer reads (`dictionary_path`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "userdict.txt"
    unique = sorted({w.strip() for w in words if w and w.strip() and " " not in w.strip()})
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(f"{w}\n" for w in unique), encoding="utf-8")
    tmp.replace(path)
    return path


def build(patterns: list[Pattern]) -> Language:
    add_user_words(p["pattern"] for p in patterns)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(patterns)
    return nlp


def entities(nlp: Language, text: str) -> list[dict]:
    """Entities in Rasa's shape; `value` is the canonical term, offsets are into `text`."""
    matchable = to_simplified(text).lower()
    doc = nlp(matchable if len(matchable) == len(text) else text.lower())
    return [{"entity": ent.label_, "start": ent.start_char, "end": ent.end_char,
             "value": ent.ent_id_ or ent.text} for ent in doc.ents]


def tokens(nlp: Language, text: str) -> list[str]:
    return [t.text for t in nlp.tokenizer(normalise(text)) if not t.is_space]


def user_words(data) -> list[str]:
    """The words jieba must keep whole: every gazetteer variant and division name (`data` is
    the loader's KnowledgeData)."""
    words = [normalise(v) for kind, _, v in data.terms if kind not in NOT_WORDS]
    for d in data.divisions:
        words += [normalise(x) for x in [d["name"], *d["aliases"]]]
    return words
