"""The lifecycle: every allowed and every forbidden move, reasons, records, and the gate hook."""

from __future__ import annotations

import itertools

import pytest

from ombuds.core import controls
from ombuds.core.models import AuditEvent
from ombuds.registry import lifecycle
from ombuds.registry.models import Stage, StageChange

# The rules as the issue states them, written out independently of the code.
ALLOWED = {
    "design": {"development", "procurement", "decommissioned"},
    "development": {"design", "procurement", "pilot", "decommissioned"},
    "procurement": {"development", "pilot", "decommissioned"},
    "pilot": {"development", "deployed", "suspended", "decommissioned"},
    "deployed": {"development", "suspended", "decommissioned"},
    "suspended": {"development", "pilot", "deployed", "decommissioned"},
    "decommissioned": set(),
}
PAIRS = [(a, b) for a, b in itertools.product(Stage.values, Stage.values) if a != b]


def test_a_new_system_starts_in_design(world):
    from ombuds.registry.services import create_system

    system = create_system(
        world.lead, world.a, {"name": "N", "short_description": "s", "sector": "other"}
    )
    assert system.stage == "design"


@pytest.mark.parametrize("start,to", PAIRS)
def test_every_move(start, to, world):
    system = world.system_a
    system.stage = start
    # A system that is not high-impact, with its retirement checklist done: only the lifecycle's
    # own rules speak here. The gate's rules are tested in tests/registry/test_gate.py.
    system.impact_determination = "neither"
    system.decommissioning = {
        k: {"done": True, "note": "done"}
        for k in ("data", "people_told", "public_record", "vendor_data")
    }
    system.save()
    if to in ALLOWED[start]:
        change = lifecycle.transition(system, to, "because", world.lead)
        system.refresh_from_db()
        assert system.stage == to
        assert (change.from_stage, change.to_stage, change.reason) == (start, to, "because")
        event = AuditEvent.objects.filter(action="system.transition").latest("id")
        assert event.changes["stage"] == {"from": start, "to": to}
        assert event.actor == world.lead
    else:
        with pytest.raises(lifecycle.TransitionRefused) as refused:
            lifecycle.transition(system, to, "because", world.lead)
        assert start in refused.value.detail and to in refused.value.detail
        system.refresh_from_db()
        assert system.stage == start
        assert not StageChange.objects.exists()


def test_unknown_stage_is_refused_with_the_list(world):
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.transition(world.system_a, "live", "x", world.lead)
    assert refused.value.rule == "unknown_stage"
    assert "deployed" in refused.value.detail


def test_a_move_needs_a_reason(world):
    with pytest.raises(lifecycle.ReasonRequired):
        lifecycle.transition(world.system_a, "development", "   ", world.lead)
    world.system_a.refresh_from_db()
    assert world.system_a.stage == "design"


@pytest.mark.parametrize(
    "role,allowed",
    [("system_owner", True), ("governance_lead", True), ("viewer", False), ("assessor", False)],
)
def test_who_may_move(world, role, allowed):
    from django.core.exceptions import PermissionDenied

    user = world.users[role]
    if allowed:
        lifecycle.transition(world.system_a, "development", "go", user)
    else:
        with pytest.raises(PermissionDenied):
            lifecycle.transition(world.system_a, "development", "go", user)


def test_the_gate_can_block_moves_into_pilot_and_deployed(world):
    system = world.system_a
    system.stage = "development"
    system.impact_determination = "neither"  # no catalogued control applies to it
    system.save()
    seen = []

    def needs_assessment(sys, to):
        seen.append(to)
        return "no approved impact assessment"

    controls.register(controls.Control("test.assessment", "Impact assessment", needs_assessment))
    try:
        with pytest.raises(lifecycle.TransitionRefused) as refused:
            lifecycle.transition(system, "pilot", "try", world.lead)
        assert refused.value.rule == "gate"
        assert refused.value.blockers == [("test.assessment", "no approved impact assessment")]
        # Ungated moves do not ask the gate.
        lifecycle.transition(system, "design", "back", world.lead)
        assert seen == ["pilot"]
    finally:
        controls.unregister("test.assessment")


def test_forbidden_move_through_the_api_is_409_naming_the_rule(world, client, token_for):
    response = client.post(
        f"/api/v1/systems/{world.system_a.pk}/transitions",
        {"to": "deployed", "reason": "hurry"},
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "lifecycle.design_to_deployed"
    assert "development, procurement, decommissioned" in body["detail"]
    assert body["status"] == 409


def test_unknown_stage_through_the_api_is_409(world, client, token_for):
    response = client.post(
        f"/api/v1/systems/{world.system_a.pk}/transitions",
        {"to": "production", "reason": "x"},
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 409
    assert response.json()["rule"] == "unknown_stage"


def test_patching_the_stage_is_refused(world, client, token_for):
    response = client.patch(
        f"/api/v1/systems/{world.system_a.pk}",
        {"stage": "pilot"},
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 409
    world.system_a.refresh_from_db()
    assert world.system_a.stage == "design"


@pytest.mark.parametrize("to", ["pilot", "deployed"])
def test_no_pilot_or_deployment_before_the_determination_is_confirmed(world, client, token_for, to):
    system = world.system_a
    system.stage = "development" if to == "pilot" else "suspended"
    system.save()
    response = client.post(
        f"/api/v1/systems/{system.pk}/transitions",
        {"to": to, "reason": "ready"},
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "gate"
    assert body["unmet_controls"][0] == "registry.determination-confirmed"
    # Until a person decides, the gate assumes the worst: a high-impact system's controls apply.
    assert "assessments.assessment-approved" in body["unmet_controls"]
    client.force_login(world.lead)
    page = client.post(f"/systems/{system.pk}/transition/", {"to": to, "reason": "ready"})
    assert "high-impact determination is not confirmed" in page.content.decode()
    system.refresh_from_db()
    assert system.stage != to
    system.impact_determination = "neither"
    system.save()
    lifecycle.transition(system, to, "classified now", world.lead)
