"""Working days: weekends off, holidays and adjusted working days from the calendar file,
deadlines and the overdue cut-off the desk's SQL filter uses."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from bot import settings
from bot.leads.workdays import Calendar, CalendarError, CalendarFile, local_date, utc_start

D = dt.date


def test_weekends_are_not_working_days_without_a_calendar():
    plain = Calendar()
    assert plain.due(D(2026, 11, 27), 2) == D(2026, 12, 1)  # Fri + 2 → Tue
    assert plain.due(D(2026, 11, 28), 1) == D(2026, 11, 30)  # entered Sat → Mon
    assert not plain.overdue(D(2026, 11, 27), 2, D(2026, 12, 1))
    assert plain.overdue(D(2026, 11, 27), 2, D(2026, 12, 2))


def test_holidays_and_adjusted_working_days_count(tmp_path):
    # Dates made up for the test (next to nothing here is a real holiday): a Wednesday off,
    # a Saturday worked.
    path = tmp_path / "cal.yml"
    path.write_text("years: [2031]\nholidays: [2031-01-08]\nworkdays: [2031-01-11]\n",
                    encoding="utf-8")
    cal = Calendar.load(path)
    assert cal.covers(2031) and not cal.covers(2032)
    assert not cal.is_workday(D(2031, 1, 8)) and cal.is_workday(D(2031, 1, 11))
    assert cal.due(D(2031, 1, 7), 2) == D(2031, 1, 10)  # Tue + 2, Wed off → Fri
    assert cal.due(D(2031, 1, 9), 2) == D(2031, 1, 11)  # Thu + 2 → the Saturday worked


def test_the_overdue_cut_off_agrees_with_overdue_for_every_entry_day(tmp_path):
    path = tmp_path / "cal.yml"
    path.write_text("years: [2031]\nholidays: [2031-01-08, 2031-01-09]\nworkdays: []\n",
                    encoding="utf-8")
    cal = Calendar.load(path)
    for today in (D(2031, 1, 5) + dt.timedelta(days=n) for n in range(20)):
        for days in (1, 2, 5):
            last = cal.last_overdue_entry(today, days)
            for entered in (today - dt.timedelta(days=n) for n in range(30)):
                assert cal.overdue(entered, days, today) == (entered <= last), (today, entered)


@pytest.mark.parametrize("text, problem", [
    ("years: 2031\n", "years"),
    ("holidays: [2031-13-01]\n", "cannot read"),
    ("holidays: [31.1.2031]\n", "not a date"),
    ("holidays: [2031-01-08]\nworkdays: [2031-01-08]\n", "both"),
    ("workdays: [2031-01-08]\n", "weekday"),
    ("- a list\n", "keys"),
])
def test_a_wrong_calendar_file_is_named(tmp_path, text, problem):
    path = tmp_path / "cal.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError, match=problem):
        Calendar.load(path)


def test_the_shipped_calendar_invents_no_dates():
    shipped = Calendar.load(settings.workday_calendar_file())
    assert shipped == Calendar()  # filled in from the State Council's notice, by people


def test_the_file_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "cal.yml"
    path.write_text("years: []\n", encoding="utf-8")
    source = CalendarFile(path)
    assert not source.get().covers(2031)
    path.write_text("years: [2031]\n", encoding="utf-8")
    os.utime(path, (1, 2_000_000_000))
    assert source.get().covers(2031)


def test_beijing_days_from_utc_times():
    assert local_date(dt.datetime(2026, 11, 30, 16, 30)) == D(2026, 12, 1)
    assert utc_start(D(2026, 12, 1)) == dt.datetime(2026, 11, 30, 16, 0)
