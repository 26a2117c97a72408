"""English questions: the gazetteer's english section turns them into the answers' Chinese words."""
from __future__ import annotations

import pytest

from knowledge.english import Glossary


def test_longest_phrase_first_and_whole_words_only():
    g = Glossary([("fee reduction", "费减"), ("patent fee reduction", "专利费减"), ("fee", "多少钱"),
                  ("pledge", "质押")])
    assert g.translate("patent fee reduction rules").split() == ["专利费减", "rules"]
    assert g.translate("the fee reduction").split() == ["the", "费减"]
    assert g.translate("feel free").split() == ["feel", "free"]  # not inside another word
    assert g.translate("pledged") == "pledged"
    assert g.translate("专利费减") == "专利费减"  # Chinese is left alone


def test_english_question_finds_the_chinese_answer(kb):
    hits = kb.search("is there a reduction of the annual fee for my patents", k=1)
    assert hits and hits[0].id.startswith("fee_reduction.")
    hits = kb.search("trademark renewal fee, paper and online", k=1)
    assert hits and hits[0].id.startswith("trademark.")


def test_english_function_words_alone_find_nothing(kb):
    assert kb.choose("how are you doing today", None).answer_id is None
    assert kb.choose("what is the weather in the city", None).answer_id is None


def test_english_section_stays_out_of_the_domain_terms(kb_url):
    import knowledge
    from bot import settings
    from tests.conftest import DATA_DIR
    index = knowledge.open(kb_url, DATA_DIR, settings.today)._snapshot().index
    assert "patent" not in index.synonyms and "企业" not in index.domain
    assert index.glossary.translate("patent") != "patent"


def test_a_numbered_order_is_read_as_the_answers_cite_it(kb):
    """"SAMR Order No. 20" is 市场监管总局第20号令: the answer on the rule that replaced it."""
    found = kb.search("Has SAMR order number 20 on complaints been superseded?", k=1)
    assert found[0].id == "rights_assistance.rule_121"


def test_english_names_of_procedures_and_parties_reach_their_answers(kb):
    """The field's words in English (ruling, co-owned, special mark) find the answers on them."""
    hits = kb.search("documents for an administrative ruling on patent infringement", k=1)
    assert hits and hits[0].id == "rights_assistance.patent_ruling_materials"
    hits = kb.search("can growers use the GI special mark", k=1)
    assert hits and hits[0].id.startswith("geo_indication.special_mark")


@pytest.mark.parametrize("question, answer_id", [
    ("I filed in China first and then abroad on the same invention. Can I get priority "
     "examination?", "priority_exam.grounds"),
    ("Which counties in Ganzhou became national IP-strong county pilots during the 13th "
     "Five-Year period?", "ip_plan.pilot_counties"),
    ("What do I need to submit to request an administrative ruling on a patent infringement?",
     "rights_assistance.patent_ruling_materials"),
])
def test_english_phrases_of_the_field_and_time_words_that_say_nothing(kb, question, answer_id):
    hits = kb.search(question, k=1)
    assert hits and hits[0].id == answer_id
