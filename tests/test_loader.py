"""The loader accepts the real data and refuses a bad file whole, naming file and line."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
import yaml
from sqlalchemy import func, select

import knowledge
from knowledge import loader
from knowledge.models import Answer, KbMeta, Question
from knowledge.storage import database
from tests.conftest import DATA_DIR, fresh_database


def test_real_data_loads_with_sources_for_every_answer(db):
    with db.session() as s:
        answers = s.execute(select(Answer)).scalars().all()
        assert len(answers) >= 40
        topics = {a.topic for a in answers}
        assert {"fee_reduction", "priority_exam", "trademark", "rights_assistance"} <= topics
        for a in answers:
            assert a.source is not None and a.source.document
            assert len(a.short) <= loader.MAX_SHORT
            assert len(a.questions) >= 2


def _copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _break(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_overlong_answer_is_refused_with_file_and_line(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "fee_reduction.yml"
    _break(path, "    short: ", "    short: " + "很长" * 200)
    with pytest.raises(loader.LoadError) as err:
        loader.read_data(data)
    assert any(p.startswith("fee_reduction.yml:") and "at most 300" in p
               for p in err.value.problems)


def test_unknown_source_and_bad_date_are_both_reported(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "trademark.yml"
    _break(path, "    source: ", "    source: no-such-source\n    ignored_source: ")
    _break(path, "    last_verified: ", "    last_verified: 2026-13-45\n    old_verified: ")
    with pytest.raises(loader.LoadError) as err:
        loader.read_data(data)
    text = str(err.value)
    assert "no-such-source" in text and "2026-13-45" in text
    assert all(":" in p.split(" ")[0] for p in err.value.problems)  # file:line first


def test_bad_file_changes_nothing_in_the_database(tmp_path):
    url = fresh_database(tmp_path)
    knowledge.build(url, DATA_DIR)
    with database(url).session() as s:
        before = (s.execute(select(func.count()).select_from(Question)).scalar(),
                  s.execute(select(KbMeta.value).where(KbMeta.key == "version")).scalar())
    data = _copy(tmp_path)
    _break(data / "answers" / "priority_exam.yml", "    confidence: ", "    confidence: X\n    c2: ")
    with pytest.raises(loader.LoadError):
        knowledge.build(url, data)
    with database(url).session() as s:
        after = (s.execute(select(func.count()).select_from(Question)).scalar(),
                 s.execute(select(KbMeta.value).where(KbMeta.key == "version")).scalar())
    assert after == before


def test_broken_yaml_is_named(tmp_path):
    data = _copy(tmp_path)
    (data / "answers" / "geo_indication.yml").write_text("topic: [unclosed\n", encoding="utf-8")
    with pytest.raises(loader.LoadError) as err:
        loader.read_data(data)
    assert "geo_indication.yml" in str(err.value)


def _problems(data):
    with pytest.raises(loader.LoadError) as err:
        loader.read_data(data)
    return err.value.problems


def _record_block(path, answer_id):
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {answer_id}\n")
    end = text.find("\n  - id: ", start + 1)
    return text[start:end if end != -1 else len(text)]


def _edit_record(path, answer_id, old, new):
    """Changes one field of one record (the same text may occur in other records)."""
    block = _record_block(path, answer_id)
    assert block.count(old) == 1, (answer_id, old)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(block, block.replace(old, new)), encoding="utf-8")


def test_every_source_has_a_confidence_and_no_answer_is_surer_than_its_source():
    data = loader.read_data(DATA_DIR)
    rank = {"L": 0, "M": 1, "H": 2}
    sources = yaml.safe_load((DATA_DIR / "sources.yml").read_text(encoding="utf-8"))["sources"]
    confidence = {s["id"]: s["confidence"] for s in sources}
    assert set(confidence.values()) <= {"H", "M", "L"} and len(confidence) == len(data.sources)
    for a in data.answers:
        assert rank[a["confidence"]] <= rank[confidence[a["source_id"]]], a["id"]


def test_answer_surer_than_its_source_is_refused_naming_file_line_and_record(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "priority_exam.yml"  # cites order No. 85: confidence M
    _edit_record(path, "priority_exam.scope", "    confidence: M\n", "    confidence: H\n")
    problems = _problems(data)
    assert len(problems) == 1
    assert re.match(r"priority_exam\.yml:\d+ \[priority_exam\.scope\]: confidence H is higher "
                    r"than its source's \(cnipa-order-85: M\)", problems[0]), problems


def test_source_without_confidence_is_refused(tmp_path):
    data = _copy(tmp_path)
    _break(data / "sources.yml", "    note: 施行\n    confidence: M\n", "    note: 施行\n")
    problems = _problems(data)
    assert any(re.match(r"sources\.yml:\d+ \[[a-z0-9-]+\]: confidence must be", p)
               for p in problems), problems


@pytest.mark.parametrize("old, new", [
    ("    title: 专利收费减缴办法\n", "    document: 专利收费减缴办法\n"),  # the old ambiguous key
    ("    title: 专利收费减缴办法\n", "    title: 专利收费减缴办法\n    description: 减缴办法\n"),
    ("    title: 专利收费减缴办法\n", ""),
    ("    title: 专利收费减缴办法\n", "    title: 《专利收费减缴办法》\n"),
])
def test_a_source_has_its_own_title_or_a_description_never_both(tmp_path, old, new):
    data = _copy(tmp_path)
    _break(data / "sources.yml", old, new)
    problems = _problems(data)
    assert any(p.startswith("sources.yml:") and "[caishui-2016-78]" in p for p in problems), problems


def test_titles_are_shown_in_book_marks_and_descriptions_never_are():
    data = loader.read_data(DATA_DIR)
    raw = yaml.safe_load((DATA_DIR / "sources.yml").read_text(encoding="utf-8"))["sources"]
    shown = {s["id"]: s["document"] for s in data.sources}
    for s in raw:
        if "title" in s:
            assert shown[s["id"]] == f"《{s['title']}》"
        else:
            assert "《" not in shown[s["id"]] and shown[s["id"]] == s["description"]
    assert shown["caishui-2019-45"] == "《关于减免部分行政事业性收费有关政策的通知》"


def test_superseded_rule_must_hand_over_to_a_rule_in_force_the_next_day(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "fee_reduction.yml"
    # The 2016 income thresholds ending a month early would leave June 2019 without a rule.
    _edit_record(path, "fee_reduction.thresholds_2016", "in_force_until: 2019-06-30",
                 "in_force_until: 2019-05-31")
    problems = _problems(data)
    assert any("[fee_reduction.thresholds_2016]" in p and "not in force on 2019-06-01" in p
               for p in problems), problems


def test_superseded_by_without_an_end_date_is_refused(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "priority_exam.yml"
    _edit_record(path, "priority_exam.rule_2017", "    in_force_until: 2026-08-31\n", "")
    problems = _problems(data)
    assert any("[priority_exam.rule_2017]" in p and "needs in_force_until" in p
               for p in problems), problems


def test_an_overview_cannot_expire(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "trademark.yml"
    _edit_record(path, "trademark.overview", "    confidence: ",
                 "    in_force_until: 2026-01-01\n    confidence: ")
    problems = _problems(data)
    assert any(p.startswith("topics.yml:") and "'trademark.overview' cannot expire" in p
               for p in problems), problems


def test_verified_service_point_needs_a_source_of_high_confidence(tmp_path):
    data = _copy(tmp_path)
    path = data / "service_points.yml"
    text = path.read_text(encoding="utf-8")
    block = text[text.index("  - id: ganzhou-amr-ip-section"):]
    block = block[:block.index("\n\n")]
    assert "source: domain-facts" in block
    path.write_text(text.replace(block, block.replace("verified: false", "verified: true")
                                 .replace("source: domain-facts", "source: cnipa-fee-schedule")),
                    encoding="utf-8")
    problems = _problems(data)
    assert any("[ganzhou-amr-ip-section]" in p and "confidence H" in p for p in problems)


def test_every_answer_has_a_review_date_and_the_build_lists_those_due():
    data = loader.read_data(DATA_DIR)
    reviews = {r.answer_id: r for r in data.reviews}
    assert set(reviews) == {a["id"] for a in data.answers}
    for a in data.answers:
        assert reviews[a["id"]].review_by > a["last_verified"]
    latest = max(a["last_verified"] for a in data.answers)
    # Checked recently: nothing is due the day after the last check …
    assert loader.due_for_review(data, latest + dt.timedelta(days=1)) == []
    # … and everything still in force is due once the default period has passed.
    later = latest + dt.timedelta(days=loader.REVIEW_DAYS)
    due = loader.due_for_review(data, later)
    in_force = {a["id"] for a in data.answers
                if a["in_force_until"] is None or later <= a["in_force_until"]}
    assert {r.answer_id for r in due} == in_force
    assert all(re.match(r"[a-z_]+\.yml:\d+$", r.where) for r in due)


def test_a_record_can_ask_for_an_earlier_review(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "trademark.yml"
    _edit_record(path, "trademark.online", "    last_verified: 2026-11-26\n",
                 "    last_verified: 2026-11-26\n    review_days: 10\n")
    read = loader.read_data(data)
    due = loader.due_for_review(read, dt.date(2026, 12, 6))
    assert "trademark.online" in {r.answer_id for r in due}
    assert "trademark.overview" not in {r.answer_id for r in due}
    assert str(next(r for r in due if r.answer_id == "trademark.online")).endswith(
        "[trademark.online] review by 2026-12-06")


@pytest.mark.parametrize("value", ["0", "soon", "5000", "true"])
def test_a_bad_review_period_is_refused(tmp_path, value):
    data = _copy(tmp_path)
    path = data / "answers" / "trademark.yml"
    _edit_record(path, "trademark.online", "    last_verified: 2026-11-26\n",
                 f"    last_verified: 2026-11-26\n    review_days: {value}\n")
    problems = _problems(data)
    assert any("[trademark.online]" in p and "review_days" in p for p in problems)


def test_build_prints_the_answers_due_for_review(monkeypatch, capsys):
    from bot.launcher.cli import main
    monkeypatch.setenv("KB_TODAY", "2030-01-01")
    assert main(["kb", "--check"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"due for review.*: [1-9]\d*", out)
    assert re.search(r"^  fee_reduction\.yml:\d+ \[fee_reduction\.eligibility\] review by ", out,
                     re.M)
    assert "[fee_reduction.thresholds_2016]" not in out  # history is never shown, never reviewed


def test_the_word_for_cnipa_is_not_the_local_bureau():
    """知识产权局 on its own usually means the national office (国家知识产权局) or the
    province's; mapping it to the city's market-supervision bureau sent CNIPA questions there."""
    from knowledge import nlp as kb_nlp
    data = loader.read_data(DATA_DIR)
    local = {v for kind, canonical, v in data.terms if canonical == "市场监管局"}
    assert local and not any("知识产权局" in v for v in local)
    nlp = kb_nlp.build(kb_nlp.patterns_from(
        data.terms, [(d["name"], d["aliases"]) for d in data.divisions]))
    for text in ["知识产权局电话多少", "国家知识产权局在哪里", "省知识产权局的推荐意见"]:
        assert not any(e["value"] == "市场监管局" for e in kb_nlp.entities(nlp, text)), text
    assert any(e["value"] == "市场监管局" for e in kb_nlp.entities(nlp, "市监局电话多少"))


def test_a_misspelt_key_is_refused_not_dropped(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "trademark.yml"
    _edit_record(path, "trademark.overview", "    confidence: ", "    in_force_form: 2027-01-01\n"
                                                                 "    confidence: ")
    problems = _problems(data)
    assert len(problems) == 1
    assert re.match(r"trademark\.yml:\d+ \[trademark\.overview\]: unknown key 'in_force_form'",
                    problems[0]), problems


def test_an_answer_cannot_name_itself_an_overview(tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "trademark.yml"
    _edit_record(path, "trademark.overview", "    confidence: ", "    overview: false\n"
                                                                 "    confidence: ")
    assert any("overview answer is named in topics.yml" in p for p in _problems(data))


def test_a_variant_of_two_terms_is_refused(tmp_path):
    data = _copy(tmp_path)
    # 交钱 is already a variant of 缴费; under 多少钱 too, search would fold it to either
    _break(data / "gazetteer.yml", "要钱, 收钱,", "交钱, 要钱, 收钱,")
    with pytest.raises(loader.LoadError) as err:
        loader.read_data(data)
    assert any(p.startswith("gazetteer.yml:") and "'交钱'" in p and "缴费" in p
               for p in err.value.problems), err.value.problems


def test_a_repeated_key_is_refused_not_silently_replaced(tmp_path):
    data = _copy(tmp_path)
    # a second 地理标志 list under english would replace the first one whole
    _break(data / "gazetteer.yml", "  赣州: [ganzhou]\n", "  赣州: [ganzhou]\n  地理标志: [gi mark]\n")
    problems = _problems(data)
    assert any(p.startswith("gazetteer.yml: cannot read") and "'地理标志' repeated (line" in p
               for p in problems), problems
