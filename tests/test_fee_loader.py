"""knowledge/data/fees.yml is validated like every data file (file:line [record]: problem), and a
fee change is a data edit: a new record with in_force_from, the old one ends the day before."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

import knowledge
from knowledge.fees.facts import PatentQuery
from tests.conftest import DATA_DIR, fresh_database


@pytest.fixture
def data(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def edit(data: Path, name: str, change) -> None:
    path = data / name
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(data: Path) -> list[str]:
    with pytest.raises(knowledge.LoadError) as err:
        knowledge.check(data)
    return err.value.problems


def fee(doc: dict, fee_id: str) -> dict:
    return next(f for f in doc["patent_fees"] if f["id"] == fee_id)


def test_the_real_file_loads():
    fees = knowledge.check(DATA_DIR).fees
    assert len(fees.rules) >= 11 and len(fees.kinds) >= 5
    assert {f["office"] for f in fees.fees} == {"patent", "trademark"}


def test_a_fee_change_is_a_data_edit(data, tmp_path):
    def change(doc):
        old = fee(doc, "patent.invention.application")
        old["in_force_until"] = "2026-12-31"
        doc["patent_fees"].append(dict(old, id="patent.invention.application.2027", amount=1000,
                                       in_force_from="2027-01-01", in_force_until=None))
    edit(data, "fees.yml", change)
    url = fresh_database(tmp_path)
    knowledge.build(url, data)
    for day, amount, single in (("2026-12-31", 900, 135), ("2027-01-01", 1000, 150)):
        kb = knowledge.open(url, data, lambda d=day: dt.date.fromisoformat(d))
        [line] = kb.patent_fees(PatentQuery("invention", "application")).lines
        assert (line.fee.amount, line.single) == (amount, single), day


def test_two_records_for_the_same_fee_on_the_same_day_are_refused(data):
    edit(data, "fees.yml", lambda doc: doc["patent_fees"].append(
        dict(fee(doc, "patent.invention.exam"), id="patent.invention.exam.copy", amount=2400)))
    found = problems(data)
    assert any(re.match(r"fees\.yml:\d+ \[patent\.invention\.exam\.copy\]: in force on the same "
                        r"days as 'patent\.invention\.exam'", p) for p in found), found


def test_overlapping_annual_years_are_refused_and_gaps_named(data):
    def change(doc):
        fee(doc, "patent.invention.annual.4-6")["years"] = [3, 6]
        fee(doc, "patent.design.annual.6-8")["years"] = [7, 8]
    edit(data, "fees.yml", change)
    found = "\n".join(problems(data))
    assert "[patent.invention.annual.4-6]: in force on the same days as " \
           "'patent.invention.annual.1-3'" in found
    assert "design annual fees have no amount for year(s) 6" in found


def test_a_record_cannot_be_surer_than_its_source(data):
    def sources(doc):
        next(s for s in doc["sources"] if s["id"] == "cnipa-fee-schedule")["confidence"] = "M"
    edit(data, "sources.yml", sources)
    edit(data, "fees.yml", lambda doc: fee(doc, "patent.invention.exam").update(confidence="H"))
    assert any("[patent.invention.exam]: confidence H is higher than its source's "
               "(cnipa-fee-schedule: M)" in p for p in problems(data))


@pytest.mark.parametrize("change, message", [
    (lambda d: fee(d, "patent.invention.exam").update(amount=-5), "amount must be a whole number"),
    (lambda d: fee(d, "patent.invention.exam").update(amount=2500.5),
     "amount must be a whole number"),
    (lambda d: fee(d, "patent.invention.exam").update(source="nowhere"),
     "source 'nowhere' is not in sources.yml"),
    (lambda d: fee(d, "patent.invention.exam").update(item="stamp"), "item must be one of"),
    (lambda d: fee(d, "patent.invention.exam").update(reducible="yes"),
     "reducible must be true or false"),
    (lambda d: fee(d, "patent.invention.annual.1-3").update(years=[0, 3]),
     "an annual fee needs years"),
    (lambda d: fee(d, "patent.invention.exam").update(in_force_from="2026-13-01"),
     "in_force_from is not a date"),
    (lambda d: fee(d, "patent.invention.exam").pop("last_verified"), "last_verified is missing"),
    (lambda d: d["rules"][0].update(rule="made_up"), "rule must be one of"),
    (lambda d: next(r for r in d["rules"] if r["rule"] == "reduction_single").update(value=185),
     "a percentage must be above 0 and at most 100"),
    (lambda d: d["trademark_fees"][0].pop("paper") and d["trademark_fees"][0].pop("online"),
     "needs an amount for paper, online or both"),
    (lambda d: d["applicant_kinds"][1]["words"].append("个人"), "word '个人' is also a word of"),
    (lambda d: d["applicant_kinds"][0].update(test="maybe"), "test must be one of"),
])
def test_bad_records_are_named_with_file_and_line(data, change, message):
    edit(data, "fees.yml", change)
    found = problems(data)
    assert any(re.match(r"fees\.yml:\d+ \[[a-z0-9_.-]+\]: ", p) and message in p
               for p in found), found


def test_every_rule_the_calculators_need_must_exist(data):
    edit(data, "fees.yml", lambda d: d.update(
        rules=[r for r in d["rules"] if r["rule"] != "income_limit"]))
    assert "fees.yml: rules missing: income_limit" in problems(data)


def test_a_missing_file_is_a_problem_and_nothing_is_loaded(data, tmp_path):
    (data / "fees.yml").unlink()
    assert any("fees.yml: missing" in p for p in problems(data))


def test_a_bad_fee_file_changes_nothing_in_the_database(data, tmp_path):
    url = fresh_database(tmp_path)
    knowledge.build(url, DATA_DIR)
    edit(data, "fees.yml", lambda d: fee(d, "patent.invention.exam").update(amount="lots"))
    with pytest.raises(knowledge.LoadError):
        knowledge.build(url, data)
    kb = knowledge.open(url, DATA_DIR, lambda: dt.date(2026, 12, 1))
    assert kb.patent_fees(PatentQuery("invention", "exam")).lines[0].fee.amount == 2500
