"""The fees, rules and kinds of applicant in force on one day, as plain records.

Built by the knowledge service from the database (`from_rows`); the calculators only ever see
these records, so they are tested with hand-made schedules as easily as with the real data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

CONFIDENCE_RANK = {"L": 0, "M": 1, "H": 2}


@dataclass(frozen=True)
class Citation:
    """Where a number comes from, as the bot cites it."""
    source: str  # "《专利收费减缴办法》（财税〔2016〕78号）" or a description
    in_force_from: dt.date | None
    confidence: str  # H / M / L
    number: str | None = None  # the document number alone (财税〔2016〕78号), where it has one

    def said(self) -> str:
        """"财税〔2019〕45号，2019-07-01起施行" (the date only where a source gives one)."""
        when = f"，{self.in_force_from.isoformat()}起施行" if self.in_force_from else ""
        return f"{self.source}{when}"


@dataclass(frozen=True)
class Fee:
    id: str
    office: str  # patent / trademark
    item: str
    name: str
    amount: Decimal | None  # None: the sources give no amount
    citation: Citation
    patent_type: str | None = None
    years: tuple[int, int] | None = None  # annual fees
    channel: str | None = None  # trademark: paper / online
    per: str | None = None  # trademark: class / good / application
    includes: int | None = None  # goods included per class
    reducible: bool | None = None  # patent fees


@dataclass(frozen=True)
class Rule:
    id: str
    rule: str
    name: str
    value: Decimal | None
    unit: str | None
    citation: Citation


@dataclass(frozen=True)
class ApplicantKind:
    id: str
    name: str
    test: str  # income / taxable_income / by_kind / not_covered
    words: tuple[str, ...]
    citation: Citation
    proof: str | None = None
    proof_citation: Citation | None = None
    note: str | None = None


@dataclass(frozen=True)
class FeeSchedule:
    """Everything in force on `day`. Lookups return None when nothing is: the calculators say
    so rather than guess."""
    day: dt.date
    fees: tuple[Fee, ...] = ()
    rules: tuple[Rule, ...] = ()
    kinds: tuple[ApplicantKind, ...] = ()
    _by_rule: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_rule.update({r.rule: r for r in self.rules})

    def patent(self, patent_type: str, item: str, year: int | None = None) -> Fee | None:
        for f in self.fees:
            if f.office != "patent" or f.item != item or f.patent_type not in (patent_type, "any"):
                continue
            if item == "annual" and not (f.years and f.years[0] <= (year or 0) <= f.years[1]):
                continue
            return f
        return None

    def max_year(self, patent_type: str) -> int | None:
        """The last year with an annual fee: how long the patent can be kept in force."""
        years = [f.years[1] for f in self.fees if f.office == "patent" and f.item == "annual"
                 and f.patent_type == patent_type and f.years]
        return max(years) if years else None

    def trademark(self, item: str, channel: str) -> Fee | None:
        return next((f for f in self.fees if f.office == "trademark" and f.item == item
                     and f.channel == channel), None)

    def rule(self, name: str) -> Rule | None:
        return self._by_rule.get(name)

    def kind(self, kind_id: str | None) -> ApplicantKind | None:
        return next((k for k in self.kinds if k.id == kind_id), None)


def in_force(row, day: dt.date) -> bool:
    return (row.in_force_from is None or row.in_force_from <= day) and (
        row.in_force_until is None or day <= row.in_force_until)


def from_rows(day: dt.date, fees: Iterable, rules: Iterable, kinds: Iterable,
              cite: Callable[[object], str]) -> FeeSchedule:
    """The schedule for `day` from the database rows (knowledge.models); `cite(source)` names a
    source the way every answer does."""
    def citation(row, source=None, dated: bool = True) -> Citation:
        src = source or row.source
        return Citation(cite(src), row.in_force_from if dated else None, row.confidence,
                        src.number)

    out_fees = tuple(
        Fee(f.id, f.office, f.item, f.name, None if f.amount is None else Decimal(f.amount),
            citation(f), f.patent_type,
            (f.year_from, f.year_to) if f.year_from is not None else None, f.channel, f.per,
            f.includes, f.reducible)
        for f in sorted(fees, key=lambda f: f.id) if in_force(f, day))
    out_rules = tuple(
        Rule(r.id, r.rule, r.name, None if r.value is None else Decimal(r.value), r.unit,
             citation(r))
        for r in sorted(rules, key=lambda r: r.id) if in_force(r, day))
    out_kinds = tuple(
        ApplicantKind(k.id, k.name, k.test, tuple(k.words or ()),
                      Citation(cite(k.source), None, k.confidence, k.source.number), k.proof,
                      Citation(cite(k.proof_source), None, k.confidence, k.proof_source.number)
                      if k.proof_source is not None else None, k.note)
        for k in sorted(kinds, key=lambda k: k.id))
    return FeeSchedule(day, out_fees, out_rules, out_kinds)


def weakest(*citations: Citation | None) -> str:
    """A result is only as sure as the least sure number it used."""
    levels = [c.confidence for c in citations if c is not None]
    return min(levels, key=CONFIDENCE_RANK.__getitem__) if levels else "L"
