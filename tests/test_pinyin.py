"""Questions typed in pinyin (knowledge/pinyin.py) and how the search reads them."""
from __future__ import annotations

import pytest

from knowledge.pinyin import PinyinReader, spell

VOCAB = ["专利", "费减", "条件", "优先", "审查", "商标", "异议", "事业", "失业", "专利费减"]
TERMS = ["商标", "专利", "地理标志"]


@pytest.fixture(scope="module")
def reader():
    return PinyinReader(VOCAB, TERMS, keep=["pct"])


def test_spelling_is_toneless_and_joined():
    assert spell("专利") == "zhuanli" and spell("绿色") == "lvse"


@pytest.mark.parametrize("text, read", [
    ("zhuanli feijian tiaojian", "专利费减 条件"),  # longest spelling first: 专利费减 is one word
    ("you xian shen cha", "优先 审查"),  # syllables typed apart
    ("zhuanlifeijiantiaojian", "专利费减条件"),  # words typed together
    ("sb异议期多长", "商标异议期多长"),  # initials of a gazetteer term
    ("dlbz", "地理标志"),
    ("pct申请", "pct申请"),  # a Latin word the vocabulary holds stays
    ("shiye danwei", "shiye danwei"),  # 事业 or 失业: not guessed; danwei is no word we know
    ("qian", "qian"),  # one syllable says too little
    ("the weather today", "the weather today"),  # English is not pinyin
    ("专利费减", "专利费减"),
    ("", ""),
])
def test_reads_what_the_pinyin_spells(reader, text, read):
    assert reader.read(text) == read


@pytest.mark.parametrize("question, answer_topic", [
    ("zhuanli feijian tiaojian shi sha", "fee_reduction"),
    ("dlbz zhuanyong biaozhi zenme shenqing", "geo_indication"),
    ("sb转让官费多少", "trademark"),
])
def test_the_search_answers_a_question_typed_in_pinyin(kb, question, answer_topic):
    choice = kb.choose(question, None)
    assert choice.answer_id and choice.answer_id.startswith(answer_topic + ".")


def test_dialect_words_are_read_as_mandarin():
    from knowledge.text import to_mandarin
    assert to_mandarin("侬好，阿拉公司想注册商标，几钞票") == "你好，我们公司想注册商标，多少钱"
    assert to_mandarin("阿拉伯语的商标") == "阿拉伯语的商标"  # Arabic is not 我们
    assert to_mandarin("专利还冇授权") == "专利还没授权"


def test_the_reading_that_leaves_least_unread_wins_and_variants_of_one_term_agree():
    reader = PinyinReader(["要交", "交钱", "缴钱", "优先"], [],
                          synonyms={"交钱": "缴费", "缴钱": "缴费"})
    # 要交 + qian would leave qian unread; yao + 交钱 reads more letters
    assert reader.read("youxian yao jiao qian") == "优先 yao 缴费"


def test_unread_pinyin_weighs_like_an_unknown_word_and_english_stays_specific(kb):
    from knowledge.pinyin import is_pinyin
    assert is_pinyin("yao") and is_pinyin("duochang") and is_pinyin("Ma")
    assert not any(is_pinyin(w) for w in ("python", "pct", "pph", "fee", "wipo", "x2", ""))
    index = kb._snapshot().index
    assert index.specificity("yao") < index.specificity("python")


def test_a_question_half_in_pinyin_function_words_is_still_answered(kb):
    # "yao" and "ma" are read by no vocabulary word; they must not outweigh 优先审查 + 缴费
    choice = kb.choose("youxian shencha yao jiao qian ma", None)
    assert choice.answer_id == "priority_exam.fee"


def test_characters_with_two_readings_are_read_either_way():
    from knowledge.pinyin import spellings
    assert spellings("多长") == ["duozhang", "duochang"]
    reader = PinyinReader(["多长", "异议", "商标", "长期"], [])
    assert reader.read("shangbiao yiyi duo chang") == "商标 异议 多长"
    # a usual spelling wins over another word's second reading
    assert reader.read("changqi") == "长期"
