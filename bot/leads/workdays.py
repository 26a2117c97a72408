"""Working days: weekends off, public holidays and adjusted working days (调休) from a data file.

Deadlines are counted in Beijing dates (stored times are naive UTC). A case entered on day d
with a limit of n working days is due on the n-th working day after d and overdue from the
day after that.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BEIJING = dt.timedelta(hours=8)  # China has one time zone and no daylight saving
MAX_LOOKAHEAD = 400  # working days: more than a year of limits is a configuration mistake


class CalendarError(ValueError):
    """The calendar file is wrong; the message names the key and the value."""


def local_date(utc: dt.datetime) -> dt.date:
    """The Beijing date of a stored (naive UTC) time."""
    return (utc + BEIJING).date()


def utc_start(day: dt.date) -> dt.datetime:
    """Beijing midnight at the start of `day`, as a naive UTC time."""
    return dt.datetime.combine(day, dt.time()) - BEIJING


def _dates(data: dict, key: str, path: Path) -> frozenset[dt.date]:
    values = data.get(key) or []
    if not isinstance(values, list):
        raise CalendarError(f"{path}: {key} must be a list of dates")
    out = set()
    for value in values:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise CalendarError(f"{path}: {key}: {value!r} is not a date like 2027-01-01") \
                    from None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise CalendarError(f"{path}: {key}: {value!r} is not a date like 2027-01-01")
        out.add(value)
    return frozenset(out)


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # weekend days worked
    years: frozenset[int] = field(default_factory=frozenset)  # years filled in completely

    @classmethod
    def load(cls, path: Path) -> "Calendar":
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, ValueError, yaml.YAMLError) as err:  # ValueError: a date like 2031-13-01
            raise CalendarError(f"{path}: cannot read it ({type(err).__name__})") from None
        if not isinstance(data, dict):
            raise CalendarError(f"{path}: expected the keys years, holidays, workdays")
        years = data.get("years") or []
        if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
            raise CalendarError(f"{path}: years must be a list of years like [2027]")
        holidays, workdays = _dates(data, "holidays", path), _dates(data, "workdays", path)
        both = holidays & workdays
        if both:
            raise CalendarError(f"{path}: {min(both)} is both a holiday and a working day")
        weekday_workdays = sorted(d for d in workdays if d.weekday() < 5)
        if weekday_workdays:
            raise CalendarError(f"{path}: workdays lists weekend days worked; "
                                f"{weekday_workdays[0]} is a weekday")
        return cls(holidays, workdays, frozenset(years))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def covers(self, year: int) -> bool:
        return year in self.years

    def due(self, entered: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `entered`."""
        if not 0 < days <= MAX_LOOKAHEAD:
            raise ValueError(f"a limit of {days} working days is out of range")
        day, left = entered, days
        while left:
            day += dt.timedelta(days=1)
            left -= self.is_workday(day)
        return day

    def overdue(self, entered: dt.date, days: int, today: dt.date) -> bool:
        return today > self.due(entered, days)

    def last_overdue_entry(self, today: dt.date, days: int) -> dt.date:
        """The latest entry date that is overdue today: cases entered on or before it are.
        `due` never decreases as the entry date grows, so stepping back finds it."""
        day = today
        while self.due(day, days) >= today:
            day -= dt.timedelta(days=1)
        return day


class CalendarFile:
    """The calendar in a file, read again when the file changes (staff add next year's
    holidays without a restart)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stamp: float | None = None
        self._calendar = Calendar()

    def get(self) -> Calendar:
        stamp = self.path.stat().st_mtime
        if stamp != self._stamp:
            self._calendar, self._stamp = Calendar.load(self.path), stamp
        return self._calendar
