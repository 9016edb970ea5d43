"""Deadlines count working days: weekends and the agency's public holidays do not count."""

from __future__ import annotations

import datetime as dt

import pytest

from ombuds.remedy import calendar

MON = dt.date(2026, 3, 2)  # a Monday
FRI = dt.date(2026, 3, 6)


def test_five_working_days_from_a_monday_is_the_next_monday():
    assert calendar.add_working_days(MON, 5) == dt.date(2026, 3, 9)


def test_from_a_friday_the_weekend_is_skipped():
    assert calendar.add_working_days(FRI, 1) == dt.date(2026, 3, 9)
    assert calendar.add_working_days(dt.date(2026, 3, 7), 1) == dt.date(2026, 3, 9)  # Saturday


def test_a_holiday_pushes_the_deadline_one_working_day():
    holidays = ["2026-03-04"]  # Wednesday
    assert calendar.add_working_days(MON, 5, holidays) == dt.date(2026, 3, 10)


def test_a_holiday_on_a_weekend_changes_nothing():
    assert calendar.add_working_days(MON, 5, ["2026-03-07"]) == dt.date(2026, 3, 9)


def test_easter_and_a_weekend_together():
    # Good Friday 3 April and Easter Monday 6 April 2026 as holidays.
    holidays = [dt.date(2026, 4, 3), dt.date(2026, 4, 6)]
    assert calendar.add_working_days(dt.date(2026, 4, 2), 1, holidays) == dt.date(2026, 4, 7)


def test_thirty_working_days_is_six_weeks_without_holidays():
    assert calendar.add_working_days(MON, 30) == MON + dt.timedelta(weeks=6)


@pytest.mark.parametrize(
    "start,end,holidays,expected",
    [
        (MON, dt.date(2026, 3, 9), [], 5),
        (FRI, dt.date(2026, 3, 9), [], 1),
        (MON, MON, [], 0),
        (MON, dt.date(2026, 3, 9), ["2026-03-03"], 4),
        (dt.date(2026, 3, 9), MON, [], -5),
    ],
)
def test_working_days_between(start, end, holidays, expected):
    assert calendar.working_days_between(start, end, holidays) == expected


def test_weekends_and_holidays_are_not_working_days():
    assert calendar.is_working_day(MON)
    assert not calendar.is_working_day(dt.date(2026, 3, 8))
    assert not calendar.is_working_day(MON, ["2026-03-02"])


def test_an_appeal_gets_its_deadlines_from_the_agency_policy(world, notice):
    from ombuds.remedy import services

    services.save_policy(
        world.lead, world.a, {"acknowledge_days": 2, "decide_days": 10, "holidays": ["2026-03-05"]}
    )
    received = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)  # a Tuesday
    appeal, _token = services.submit_public_appeal(
        {
            "notice_reference": notice.reference,
            "grounds": "Wrong.",
            "contact_phone": "0123 456 789",
        },
        now=received,
    )
    # Wed 4 and (Thu 5 is a holiday) Fri 6.
    assert appeal.acknowledge_by == dt.date(2026, 3, 6)
    # Ten working days after Tue 3 March, skipping the holiday: Wed 18 March.
    assert appeal.decide_by == dt.date(2026, 3, 18)


def test_policy_holidays_must_be_dates(world):
    from django.core.exceptions import ValidationError

    from ombuds.remedy import services

    with pytest.raises(ValidationError) as err:
        services.save_policy(world.lead, world.a, {"holidays": ["2026-13-01"]})
    assert "holidays" in err.value.message_dict
