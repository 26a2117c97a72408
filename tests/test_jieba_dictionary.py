"""knowledge/jieba_dictionary.py: jieba with the compact dictionary cuts every text of the
project exactly as jieba with its own, user words included."""
from __future__ import annotations

import jieba
import pytest
import yaml

from bot import settings
from knowledge import check, jieba_dictionary
from knowledge.nlp import user_words


def texts() -> list[str]:
    out = []
    for path in [*(settings.ROOT / "data" / "nlu").glob("*.yml"),
                 *(settings.ROOT / "tests" / "eval" / "nlu").glob("*.yml")]:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            out += [line.strip()[2:] for line in block.get("examples", "").splitlines()]
    data = check(settings.KNOWLEDGE_DATA_DIR)
    for a in data.answers:
        out += [a["title"], a["short"], *a.get("questions", [])]
    out += ["", " ", "PCT 申请", "專利費減", "😀专利", "<script>", "1234567", "a" * 300]
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    stock, compact = jieba.Tokenizer(), jieba.Tokenizer()
    stock.initialize()
    assert jieba_dictionary.install(tmp_path_factory.mktemp("jieba"), compact)
    words = user_words(check(settings.KNOWLEDGE_DATA_DIR))
    for t in (stock, compact):
        for w in words:
            if w.strip():
                t.add_word(w)
    return stock, compact


def test_the_same_words_as_jieba_s_own_dictionary(both):
    stock, compact = both
    assert isinstance(compact.FREQ, jieba_dictionary.CompactFreq)
    assert compact.total == stock.total
    cut = 0
    for text in texts():
        assert compact.lcut(text) == stock.lcut(text), text
        assert list(compact.tokenize(text)) == list(stock.tokenize(text)), text
        cut += 1
    assert cut > 2000


def test_frequencies_as_jieba_has_them(both):
    stock, compact = both
    for word in ["专利", "费减", "知识产权", "的", "专", "专利权人", "不存在的词语", "章贡区"]:
        assert compact.FREQ.get(word) == stock.FREQ.get(word), word
        assert (word in compact.FREQ) == (word in stock.FREQ), word
    assert len(compact.FREQ) == len(stock.FREQ)


def test_other_jieba_versions_are_refused():
    jieba_dictionary.check_version("0.42.1")
    with pytest.raises(RuntimeError, match="0.42.1"):
        jieba_dictionary.check_version("0.43.0")


def test_building_the_index_again_changes_no_words_weight(kb_url):
    """jieba.add_word adds to jieba's total every time, and the search weighs a word by
    log(total / frequency): a rebuild (a new knowledge version) must not shift the answers."""
    import jieba
    import knowledge
    from bot import settings
    from tests.conftest import DATA_DIR
    question = "小公司的知识产权能交给别人代管吗"
    first = knowledge.open(kb_url, DATA_DIR, settings.today)
    before = [(h.answer_id, h.coverage) for h in first._snapshot().index.search(question, k=3)]
    total = jieba.dt.total
    for _ in range(3):
        again = knowledge.open(kb_url, DATA_DIR, settings.today)
        again.warm_up()
    assert jieba.dt.total == total
    assert [(h.answer_id, h.coverage)
            for h in again._snapshot().index.search(question, k=3)] == before
