"""Whoever acts on a high-impact system is held to the operators' training, whatever their role
in the agency: a governance lead or system owner assigned as its only operator, or asked about
as an appeal reviewer, must be certified like any case worker."""

from __future__ import annotations

import pytest

from ombuds.core import qualifications
from ombuds.people import rules, services
from ombuds.people.models import Assignment
from tests.people.helpers import certify, make_high_impact

TITLES = (
    "Automation bias and how to resist it",
    "How to override, escalate and stop",
    "Rights impacts and non-discrimination",
    "What an AI system can and cannot do",
)


@pytest.mark.parametrize("role", ["governance_lead", "system_owner"])
def test_a_lead_or_owner_as_sole_operator_is_refused_until_certified(world, role):
    system = make_high_impact(world.system_a)
    person = world.users[role]
    with pytest.raises(services.AssignmentRefused) as exc:
        services.assign(world.lead, system, person, "decisions")
    for title in TITLES:
        assert title in exc.value.detail
    assert not Assignment.objects.filter(user=person).exists()
    certify(person, system)
    services.assign(world.lead, system, person, "decisions")
    assert [a.user for a in services.operators(system)] == [person]


def test_a_lead_as_appeal_reviewer_is_not_qualified_until_certified(world):
    system = make_high_impact(world.system_a)
    lead = world.lead
    reasons = qualifications.missing(lead, system)
    assert reasons and "Automation bias and how to resist it" in " ".join(reasons)
    certify(lead, system)
    assert qualifications.missing(lead, system) == []


def test_the_lead_is_held_to_the_same_modules_as_an_operator(world):
    system = make_high_impact(world.system_a)
    as_operator = [f.id for f in rules.modules_for(world.users["operator"], system)]
    assert len(as_operator) == 4
    for role in ("governance_lead", "system_owner", "viewer"):
        assert [f.id for f in rules.modules_for(world.users[role], system)] == as_operator


def test_someone_outside_the_agency_never_qualifies(world):
    system = make_high_impact(world.system_a)
    outsider = world.other_lead  # lead of agency B
    certify(outsider, system)
    reasons = qualifications.missing(outsider, system)
    assert reasons == ["not an active member of the agency that runs the system"]
