"""Validates knowledge/data/fees.yml and turns it into rows for kb_fee, kb_fee_rule and
kb_applicant_kind. Problems go to the shared checker, so they are reported with every other
data file's, as file:line [record]: what is wrong."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.loader import _Checker

FILE = "fees.yml"
CONFIDENCE_RANK = {"L": 0, "M": 1, "H": 2}
PATENT_TYPES = {"invention", "utility_model", "design", "any"}
PATENT_ITEMS = {"application", "printing", "surcharge", "exam", "reexam", "annual",
                "priority_claim", "late_payment"}
MAX_PATENT_YEAR = 20
TRADEMARK_ITEMS = {"registration", "extra_good", "collective", "renewal", "late_renewal",
                   "assignment", "change", "replacement", "proof", "opposition", "cancellation",
                   "licence", "review"}
PER = {"class", "good", "application"}
CHANNELS = ("paper", "online")
# The rules the calculators look up: each must have a record (and one in force per day).
RULES = {"income_limit", "taxable_income_limit", "reduction_single", "reduction_joint",
         "annual_reduction_years", "open_licence_annual", "hague_designation",
         "pct_application_waived", "pct_exam_cnipa_both", "pct_exam_cnipa_search",
         "pct_exam_epo_jpo_se"}
PERCENT_RULES = {r for r in RULES if r.startswith(("reduction_", "pct_", "open_licence"))}
TESTS = {"income", "taxable_income", "by_kind", "not_covered"}


@dataclass
class FeeData:
    fees: list[dict] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)
    kinds: list[dict] = field(default_factory=list)


def read_fees(c: "_Checker", path: Path, source_confidence: dict[str, str | None]) -> FeeData:
    """Every record checked; rows for the tables. Missing file: an empty FeeData and a problem
    (the calculators cannot work without it)."""
    from knowledge.loader import ID_RE  # here: knowledge.loader imports this module
    out = FeeData()
    if not path.exists():
        c.problems.append(f"{path.name}: missing (the calculators' fees and thresholds)")
        return out
    doc = c.read(path) or {}
    seen: set[str] = set()
    keyed: list[tuple[tuple, dict, dict]] = []  # (what it prices, row, record) for overlaps

    def common(rec: Any) -> dict | None:
        if not isinstance(rec, dict):
            c.problems.append(f"{path.name}: every entry must be a mapping")
            return None
        rid = c.text(path, rec, "id")
        if rid and not ID_RE.match(rid):
            c.fail(path, rec, "id may hold only a-z 0-9 . _ -")
        if rid in seen:
            c.fail(path, rec, "id used twice")
        seen.add(rid)
        src = _source(c, path, rec, "source", source_confidence, required=True)
        start, until = c.date(path, rec, "in_force_from"), c.date(path, rec, "in_force_until")
        if start and until and until < start:
            c.fail(path, rec, "in_force_until is before in_force_from")
        verified = c.date(path, rec, "last_verified")
        if verified is None:
            c.fail(path, rec, "last_verified is missing")
        return {"id": rid, "source_id": src, "confidence": rec.get("confidence"),
                "in_force_from": start, "in_force_until": until, "last_verified": verified}

    for rec in doc.get("patent_fees") or []:
        row = common(rec)
        if row is None:
            continue
        ptype, item = rec.get("patent_type"), rec.get("item")
        if ptype not in PATENT_TYPES:
            c.fail(path, rec, f"patent_type must be one of {', '.join(sorted(PATENT_TYPES))}")
        if item not in PATENT_ITEMS:
            c.fail(path, rec, f"item must be one of {', '.join(sorted(PATENT_ITEMS))}")
        years = rec.get("years")
        year_from = year_to = None
        if item == "annual":
            if not (isinstance(years, list) and len(years) == 2
                    and all(_whole(y) for y in years)
                    and 1 <= years[0] <= years[1] <= MAX_PATENT_YEAR):
                c.fail(path, rec, f"an annual fee needs years: [first, last], "
                                  f"1 to {MAX_PATENT_YEAR}")
            else:
                year_from, year_to = years
        elif years is not None:
            c.fail(path, rec, "years only for annual fees")
        if not isinstance(rec.get("reducible"), bool):
            c.fail(path, rec, "reducible must be true or false")
        amount = _amount(c, path, rec, "amount", allow_none=True)
        row.update(office="patent", item=item, patent_type=ptype, year_from=year_from,
                   year_to=year_to, channel=None, name=c.text(path, rec, "name", max_len=64),
                   amount=amount, per=None, includes=None, reducible=rec.get("reducible"))
        out.fees.append(row)
        keyed.append((("patent", ptype, item), row, rec))

    for rec in doc.get("trademark_fees") or []:
        base = common(rec)
        if base is None:
            continue
        item, per = rec.get("item"), rec.get("per")
        if item not in TRADEMARK_ITEMS:
            c.fail(path, rec, f"item must be one of {', '.join(sorted(TRADEMARK_ITEMS))}")
        if per not in PER:
            c.fail(path, rec, f"per must be one of {', '.join(sorted(PER))}")
        includes = rec.get("includes")
        if includes is not None and not (_whole(includes) and includes > 0):
            c.fail(path, rec, "includes must be a whole number above 0")
        if not any(ch in rec for ch in CHANNELS):
            c.fail(path, rec, "needs an amount for paper, online or both")
        for channel in CHANNELS:
            if channel not in rec:
                continue
            row = dict(base, id=f"{base['id']}.{channel}", office="trademark", item=item,
                       patent_type=None, year_from=None, year_to=None, channel=channel,
                       name=c.text(path, rec, "name", max_len=64),
                       amount=_amount(c, path, rec, channel, allow_none=False), per=per,
                       includes=includes, reducible=None)
            out.fees.append(row)
            keyed.append((("trademark", item, channel), row, rec))

    for rec in doc.get("rules") or []:
        row = common(rec)
        if row is None:
            continue
        rule = rec.get("rule")
        if rule not in RULES:
            c.fail(path, rec, f"rule must be one of {', '.join(sorted(RULES))}")
        value = _amount(c, path, rec, "value", allow_none=rule == "hague_designation")
        if rule in PERCENT_RULES and value is not None and not 0 < value <= 100:
            c.fail(path, rec, "a percentage must be above 0 and at most 100")
        row.update(rule=rule, name=c.text(path, rec, "name"), value=value,
                   unit=None if rec.get("unit") is None else str(rec["unit"]))
        out.rules.append(row)
        keyed.append((("rule", rule), row, rec))
    missing = RULES - {r["rule"] for r in out.rules}
    if missing:
        c.problems.append(f"{path.name}: rules missing: {', '.join(sorted(missing))}")

    words: dict[str, str] = {}
    for rec in doc.get("applicant_kinds") or []:
        row = common(rec)
        if row is None:
            continue
        for key in ("in_force_from", "in_force_until"):
            row.pop(key)
        if rec.get("test") not in TESTS:
            c.fail(path, rec, f"test must be one of {', '.join(sorted(TESTS))}")
        said = [str(w).strip() for w in rec.get("words") or [] if str(w).strip()]
        if not said:
            c.fail(path, rec, "needs words (what citizens call this kind)")
        for w in said:
            if w in words and words[w] != row["id"]:
                c.fail(path, rec, f"word {w!r} is also a word of {words[w]!r}")
            words[w] = row["id"]
        proof_source = _source(c, path, rec, "proof_source", source_confidence, required=False)
        if rec.get("proof") and not proof_source:
            c.fail(path, rec, "proof needs proof_source")
        if rec.get("test") in ("income", "taxable_income", "by_kind") and not rec.get("proof"):
            c.fail(path, rec, "a kind that can qualify needs its proof")
        row.update(name=c.text(path, rec, "name", max_len=32), test=rec.get("test"),
                   words=said, proof=c.text(path, rec, "proof", required=False),
                   proof_source_id=proof_source, note=c.text(path, rec, "note", required=False))
        out.kinds.append(row)
    if not any(k["test"] == "income" for k in out.kinds) or \
            not any(k["test"] == "taxable_income" for k in out.kinds):
        c.problems.append(f"{path.name}: applicant_kinds needs a kind with test income and one "
                          "with test taxable_income")

    _no_overlaps(c, path, keyed)
    _no_gaps_in_annual_fees(c, path, out.fees)
    return out


def _source(c: "_Checker", path: Path, rec: dict, key: str,
            source_confidence: dict[str, str | None], required: bool) -> str | None:
    """The source id, which must exist; the record's confidence may not exceed the source's."""
    src = c.text(path, rec, key, required=required)
    confidence = rec.get("confidence")
    if confidence not in CONFIDENCE_RANK:
        if key == "source":
            c.fail(path, rec, "confidence must be H, M or L")
        return src
    if src is None:
        return None
    if src not in source_confidence:
        c.fail(path, rec, f"{key} {src!r} is not in sources.yml")
    elif source_confidence[src] in CONFIDENCE_RANK and \
            CONFIDENCE_RANK[confidence] > CONFIDENCE_RANK[source_confidence[src]]:
        c.fail(path, rec, f"confidence {confidence} is higher than its source's "
                          f"({src}: {source_confidence[src]})")
    return src


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _amount(c: "_Checker", path: Path, rec: dict, key: str, allow_none: bool) -> int | None:
    value = rec.get(key)
    if value is None and allow_none:
        return None
    if not (_whole(value) and value >= 0):
        c.fail(path, rec, f"{key} must be a whole number of yuan (or %), 0 or more: {value!r}")
        return None
    return value


def _period(row: dict) -> tuple[dt.date, dt.date]:
    return (row["in_force_from"] or dt.date.min, row["in_force_until"] or dt.date.max)


def _no_overlaps(c: "_Checker", path: Path, keyed: list[tuple[tuple, dict, dict]]) -> None:
    """Two records pricing the same thing (same fee, same years) in force on the same day
    would make the answer depend on their order: refused."""
    for i, (key, row, rec) in enumerate(keyed):
        for other_key, other, _ in keyed[:i]:
            if key != other_key:
                continue
            if key[-1] == "annual":  # annual fees: only overlapping years clash
                if row["year_from"] is None or other["year_from"] is None or not (
                        row["year_from"] <= other["year_to"] and other["year_from"] <= row["year_to"]):
                    continue
            (a0, a1), (b0, b1) = _period(row), _period(other)
            if a0 <= b1 and b0 <= a1:
                c.fail(path, rec, f"in force on the same days as {other['id']!r}: give the older "
                                  "one in_force_until")


def _no_gaps_in_annual_fees(c: "_Checker", path: Path, fees: list[dict]) -> None:
    by_type: dict[str, set[int]] = {}
    for f in fees:
        if f["item"] == "annual" and f["year_from"] is not None:
            by_type.setdefault(f["patent_type"], set()).update(
                range(f["year_from"], f["year_to"] + 1))
    for ptype, years in by_type.items():
        gaps = sorted(set(range(1, max(years) + 1)) - years)
        if gaps:
            c.problems.append(f"{path.name}: {ptype} annual fees have no amount for year(s) "
                              f"{', '.join(map(str, gaps))}")
