"""The human-oversight design: written per system, complete before a high-impact system is used,
never "no oversight" at levels III–IV, and shown in short for the system page and public record."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from ombuds.people import rules, services
from ombuds.people.models import OversightDesign
from ombuds.registry import lifecycle
from ombuds.registry.models import AISystem
from tests.assessments.builders import Team, ready_system
from tests.people.helpers import OVERSIGHT


@pytest.fixture
def team(world, make_user):
    return Team(world, make_user)


def unmet(system):
    return {s.id: s.detail for s in lifecycle.gate(system, "deployed") if s.state == "unmet"}


def test_every_part_must_be_written(world, team):
    system = ready_system(world, team)
    assert "people.oversight-designed" not in unmet(system)
    OversightDesign.objects.filter(system=system).update(escalation="", fallback=" ")
    detail = unmet(system)["people.oversight-designed"]
    assert "escalation path" in detail and "fallback when the system is suspended" in detail
    OversightDesign.objects.filter(system=system).delete()
    assert "no oversight design" in unmet(system)["people.oversight-designed"]


def test_no_oversight_is_refused_at_levels_three_and_four(world, team):
    system = ready_system(world, team)
    with pytest.raises(ValidationError) as exc:
        services.save_oversight(team.owner, system, {**OVERSIGHT, "mode": "none"})
    assert "mode" in exc.value.message_dict
    AISystem.objects.filter(pk=system.pk).update(impact_level=2)
    system.refresh_from_db()
    services.save_oversight(team.owner, system, {**OVERSIGHT, "mode": "none"})
    assert OversightDesign.objects.get(system=system).mode == "none"


def test_only_owners_and_leads_write_it(world):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        services.save_oversight(world.users["operator"], world.system_a, OVERSIGHT)
    with pytest.raises(Http404):  # another agency's system: not even seen
        services.save_oversight(world.other_lead, world.system_a, OVERSIGHT)


def test_the_public_summary(world, client):
    assert rules.oversight_public(world.system_a) is None
    services.save_oversight(world.users["system_owner"], world.system_a, OVERSIGHT)
    summary = rules.oversight_public(world.system_a)
    assert summary["mode"] == "in_the_loop"
    assert summary["fallback"] == OVERSIGHT["fallback"]
    html = render_to_string("people/_oversight_summary.html", {"oversight": summary})
    assert "Human in the loop" in html and "deadlines still run" in html
    client.force_login(world.lead)
    response = client.post(
        f"/systems/{world.system_a.pk}/oversight/", {**OVERSIGHT, "mode": "on_the_loop"}
    )
    assert response.status_code == 302
    assert rules.oversight_public(world.system_a)["mode"] == "on_the_loop"
