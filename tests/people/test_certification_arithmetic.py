"""Certificates expire a number of months after completion; month ends and leap years clamp to
the last day of the month; status is certified / expiring / expired / missing."""

from __future__ import annotations

import datetime as dt

import pytest

from ombuds.people import rules

D = dt.date


@pytest.mark.parametrize(
    "completed,months,expires",
    [
        (D(2026, 3, 15), 12, D(2027, 3, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # February has no 31st
        (D(2027, 1, 31), 13, D(2028, 2, 29)),  # 2028 is a leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # a leap day's anniversary in a common year
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),  # over the year's end
        (D(2026, 5, 31), 24, D(2028, 5, 31)),
    ],
)
def test_expiry_is_completion_plus_validity(completed, months, expires):
    assert rules.expiry(completed, months) == expires


def test_a_module_taken_once_never_expires():
    assert rules.expiry(D(2020, 1, 1), None) is None
    assert rules.status(None, D(2099, 1, 1)) == rules.CERTIFIED


def test_status_around_expiry():
    expires = D(2027, 3, 1)
    assert rules.status(expires, D(2027, 1, 29)) == rules.CERTIFIED  # 31 days before
    assert rules.status(expires, D(2027, 1, 30)) == rules.EXPIRING  # 30 days before
    assert rules.status(expires, D(2027, 2, 28)) == rules.EXPIRING  # last valid day
    assert rules.status(expires, D(2027, 3, 1)) == rules.EXPIRED  # the expiry day itself
    assert rules.status(None, D(2027, 3, 1), held=False) == rules.MISSING


def test_the_expiring_window_is_configurable(settings):
    settings.OMBUDS_TRAINING_EXPIRING_DAYS = 60
    assert rules.status(D(2027, 3, 1), D(2027, 1, 1)) == rules.EXPIRING
    settings.OMBUDS_TRAINING_EXPIRING_DAYS = 7
    assert rules.status(D(2027, 3, 1), D(2027, 2, 21)) == rules.CERTIFIED
    assert rules.status(D(2027, 3, 1), D(2027, 2, 22)) == rules.EXPIRING


def test_a_person_is_as_certified_as_their_worst_module():
    assert rules.worst([rules.CERTIFIED, rules.EXPIRING]) == rules.EXPIRING
    assert rules.worst([rules.EXPIRING, rules.EXPIRED, rules.CERTIFIED]) == rules.EXPIRED
    assert rules.worst([rules.EXPIRED, rules.MISSING]) == rules.MISSING
    assert rules.worst([]) == rules.CERTIFIED


def test_a_renewal_counts_over_the_older_certificate(world):
    from ombuds.people.models import Certificate

    user = world.users["operator"]
    for completed, expires in ((D(2024, 1, 10), D(2025, 1, 10)), (D(2025, 1, 5), D(2026, 1, 5))):
        Certificate.objects.create(
            user=user,
            module="general.automation-bias",
            module_version=1,
            completed_on=completed,
            expires_on=expires,
            source="import",
            recorded_by=world.lead,
        )
    held = rules.latest_certificates(user)["general.automation-bias"]
    assert held.expires_on == D(2026, 1, 5)
