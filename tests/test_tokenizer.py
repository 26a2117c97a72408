"""The Chinese tokenizer drops whitespace tokens and normalises traditional characters."""
from __future__ import annotations

import pytest

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import ChineseTokenizer


def make(tmp_path):
    config = {**ChineseTokenizer.get_default_config()}
    return ChineseTokenizer.create(config, LocalModelStorage(tmp_path), Resource("tok"),
                                   ExecutionContext(graph_schema=None, model_id="t"))


def test_no_whitespace_tokens(tmp_path):
    message = Message(data={"text": "PCT 申请  费减"})
    tokens = make(tmp_path).tokenize(message, "text")
    assert [t.text for t in tokens if not t.text.strip()] == []
    assert "PCT" in [t.text for t in tokens]
    for t in tokens:  # offsets still point into the message
        assert message.get("text")[t.start:t.end] == t.text


def test_traditional_text_becomes_simplified(tmp_path):
    message = Message(data={"text": "專利費減怎麼申請"})
    tokens = make(tmp_path).tokenize(message, "text")
    assert message.get("text") == "专利费减怎么申请"
    assert "".join(t.text for t in tokens) == "专利费减怎么申请"


@pytest.mark.parametrize("typed, read", [
    ("请 问 外 观 设 计 第 五 年 的 年 费 多 少", "请问外观设计第五年的年费多少"),
    ("商 标 续 展 , 网 上 办", "商标续展,网上办"),  # a comma between, too
    ("我在南康 想申请商标", "我在南康 想申请商标"),  # a pause between phrases stays
    ("PCT 申请 费减", "PCT 申请 费减"),
])
def test_a_message_typed_a_character_at_a_time_is_joined_up(tmp_path, typed, read):
    message = Message(data={"text": typed})
    tokens = make(tmp_path).tokenize(message, "text")
    assert message.get("text") == read  # what the actions read
    for t in tokens:
        assert read[t.start:t.end] == t.text


def test_dialect_words_are_read_as_mandarin_and_the_text_is_kept(tmp_path):
    message = Message(data={"text": "我嘅专利俾人抄咗，点算"})
    tokens = make(tmp_path).tokenize(message, "text")
    assert message.get("text") == "我嘅专利俾人抄咗,点算"  # the citizen's words (NFKC only)
    words = [t.text for t in tokens]
    assert "的" in words and "专利" in words and "嘅" not in words and "咗" not in words
    assert "".join(words) == "我的专利被人抄了,咋办"
    for t in tokens:  # each token still covers its own stretch of the message
        assert len(message.get("text")[t.start:t.end]) == len(t.text)


def test_typos_of_dictionary_words_are_read_as_the_words(tmp_path):
    folder = tmp_path / "dict"
    folder.mkdir()
    (folder / "userdict.txt").write_text("专利\n维权援助\n", encoding="utf-8")
    config = {**ChineseTokenizer.get_default_config(), "dictionary_path": str(folder)}
    tokenizer = ChineseTokenizer.create(config, LocalModelStorage(tmp_path / "m"), Resource("tok"),
                                        ExecutionContext(graph_schema=None, model_id="t"))
    message = Message(data={"text": "专力被侵权了找维全援助"})
    words = [t.text for t in tokenizer.tokenize(message, "text")]
    assert "专利" in words and "维权援助" in words
    assert message.get("text") == "专力被侵权了找维全援助"
    clean = Message(data={"text": "专利权转让"})  # real words stay as they are
    assert "".join(t.text for t in tokenizer.tokenize(clean, "text")) == "专利权转让"


def test_look_alike_characters_are_read_as_the_words():
    from knowledge.typos import TypoTable
    table = TypoTable(["保护中心", "侵权", "商标", "规范", "核心技术"])
    assert table.fix("关键核心技木") == "关键核心技术"
    assert table.fix("保扩中心在哪") == "保护中心在哪"
    assert table.fix("被侵杈了") == "被侵权了"
    assert table.fix("商栎注册") == "商标注册"
    assert table.fix("规苑") == "规范"
    assert table.fix("扩大保护") == "扩大保护"  # a real word is left alone


def test_a_run_that_sounds_like_a_term_is_read_as_it():
    """标致 is a word, so no single swap may touch 地理标致; it sounds like the term 地理标志."""
    from knowledge.typos import TypoTable
    terms = ["地理标志", "知识产权", "公积金"]
    table = TypoTable(["地理标志", "知识产权"], by_sound=terms)
    assert table.fix("地理标致去哪申请") == "地理标志去哪申请"
    assert table.fix("知识产全保护") == "知识产权保护"
    assert table.fix("公基金怎么取") == "公积金怎么取"
    assert table.fix("工机金") == "工机金"  # half or more must already be right
    assert TypoTable(["地理标志"]).fix("地理标致") == "地理标致"  # by sound only when asked
    # two terms that sound the same: neither is guessed
    assert TypoTable([], by_sound=["十四五", "石四伍"]).fix("实四五") == "实四五"
