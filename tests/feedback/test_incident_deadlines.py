"""Art. 73 deadlines, computed by hand: from when the agency became aware, 10 days for a death,
2 days for critical infrastructure or a widespread infringement, 15 days for any other serious
incident, none for an incident that is not serious."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ombuds.feedback import services
from ombuds.feedback.models import Incident

pytestmark = pytest.mark.django_db

AWARE = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # Monday 2 March 2026, 09:30 UTC


def record(world, category, widespread=False, aware=AWARE):
    return services.create_incident(
        world.lead,
        world.a,
        {
            "title": "t",
            "description": "d",
            "harm_category": category,
            "widespread": widespread,
            "aware_at": aware,
            "systems": [world.system_a],
        },
        now=aware + dt.timedelta(hours=1),
    )


@pytest.mark.parametrize(
    "category,widespread,due",
    [
        ("death", False, dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC)),  # + 10 days
        ("health", False, dt.datetime(2026, 3, 17, 9, 30, tzinfo=dt.UTC)),  # + 15 days
        ("critical_infrastructure", False, dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)),  # + 2
        ("fundamental_rights", False, dt.datetime(2026, 3, 17, 9, 30, tzinfo=dt.UTC)),  # + 15
        ("fundamental_rights", True, dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)),  # widespread
        ("property_environment", False, dt.datetime(2026, 3, 17, 9, 30, tzinfo=dt.UTC)),  # + 15
        ("death", True, dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)),  # the shorter applies
        ("unfair_treatment", False, None),
        ("service", False, None),
        ("security", False, None),
        ("near_miss", False, None),
        ("other", False, None),
    ],
)
def test_deadline_per_category(world, category, widespread, due):
    incident = record(world, category, widespread)
    assert incident.report_due_at == due
    assert incident.is_serious == (due is not None)


def test_days_left_and_overdue(world):
    incident = record(world, "death")  # due Thursday 12 March 09:30
    at = lambda *a: dt.datetime(*a, tzinfo=dt.UTC)  # noqa: E731
    cases = {
        at(2026, 3, 2, 10, 0): (False, 10),
        at(2026, 3, 11, 23, 0): (False, 1),
        at(2026, 3, 12, 8, 0): (False, 0),  # due today
        at(2026, 3, 12, 10, 0): (True, 0),  # overdue since today
        at(2026, 3, 14, 10, 0): (True, 2),
    }
    for now, (overdue, days) in cases.items():
        left = services.countdown(incident.report_due_at, now)
        assert (left.overdue, left.days) == (overdue, days), now
        assert incident.is_overdue(now) == overdue


def test_editing_the_category_or_the_moment_moves_the_deadline(world):
    incident = record(world, "other")
    assert incident.report_due_at is None
    services.update_incident(world.lead, incident, {"harm_category": "health"}, now=AWARE)
    assert Incident.objects.get().report_due_at == AWARE + dt.timedelta(days=15)
    earlier = AWARE - dt.timedelta(days=1)
    services.update_incident(world.lead, incident, {"aware_at": earlier}, now=AWARE)
    assert Incident.objects.get().report_due_at == earlier + dt.timedelta(days=15)


def test_widespread_belongs_to_serious_incidents(world):
    with pytest.raises(ValidationError) as refused:
        record(world, "service", widespread=True)
    assert "widespread" in refused.value.message_dict


def test_reported_in_time_or_late_then_closed(world):
    incident = record(world, "critical_infrastructure")  # due 4 March 09:30
    with pytest.raises(ValidationError):  # a serious incident is reported before it is closed
        services.close_incident(world.lead, incident, "done", now=AWARE)
    reported = services.mark_reported(
        world.lead,
        incident,
        authority="National market surveillance authority",
        authority_reference="MSA-2026-17",
        reported_at=AWARE + dt.timedelta(days=3),
        now=AWARE + dt.timedelta(days=3),
    )
    assert reported.status == "reported" and reported.reported_late is True
    assert reported.reported_by == world.lead
    assert not reported.is_overdue(AWARE + dt.timedelta(days=30))
    closed = services.close_incident(
        world.lead, reported, "Fixed and verified.", now=AWARE + dt.timedelta(days=9)
    )
    assert closed.status == "closed" and closed.closed_by == world.lead
    assert closed.closed_at == AWARE + dt.timedelta(days=9)


def test_a_report_cannot_predate_awareness_or_be_in_the_future(world):
    incident = record(world, "health")
    with pytest.raises(ValidationError):
        services.mark_reported(
            world.lead,
            incident,
            authority="MSA",
            reported_at=AWARE - dt.timedelta(hours=1),
            now=AWARE,
        )
    with pytest.raises(ValidationError):
        services.mark_reported(
            world.lead,
            incident,
            authority="MSA",
            reported_at=AWARE + dt.timedelta(days=2),
            now=AWARE,
        )


def test_a_non_serious_incident_closes_without_a_report(world):
    incident = record(world, "near_miss")
    closed = services.close_incident(world.lead, incident, "No harm.", now=AWARE)
    assert closed.status == "closed" and closed.reported_at is None
