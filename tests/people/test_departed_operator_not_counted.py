"""An operator who has left (account closed, or no longer a member of the system's agency) no
longer counts for the trained-operators control, and no longer qualifies."""

from __future__ import annotations

from ombuds.core import qualifications
from ombuds.core.models import Membership
from ombuds.people import controls, services
from tests.people.helpers import certify, make_high_impact


def test_a_deactivated_operator_leaves_the_system_without_an_operator(world):
    system = make_high_impact(world.system_a)
    operator = world.users["operator"]
    certify(operator, system)
    services.assign(world.lead, system, operator, "decisions")
    assert controls.operators_trained(system, "deployed") is None
    operator.is_active = False
    operator.save()
    assert controls.operators_trained(system, "deployed") == (
        "no active operator is assigned to the system"
    )
    assert qualifications.missing(operator, system)


def test_an_operator_whose_membership_was_removed_does_not_count(world):
    system = make_high_impact(world.system_a)
    operator = world.users["operator"]
    certify(operator, system)
    services.assign(world.lead, system, operator, "decisions")
    Membership.objects.filter(user=operator, agency=world.a).delete()
    assert controls.operators_trained(system, "deployed") == (
        "no active operator is assigned to the system"
    )
    assert services.operators(system) == []
