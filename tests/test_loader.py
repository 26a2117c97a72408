"""The loader accepts the real data and refuses a bad file whole, naming file and line."""
from __future__ import annotations

import shutil

import pytest
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
