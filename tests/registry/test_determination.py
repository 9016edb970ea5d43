"""High-impact determination: the rules' proposals, and justification when a person differs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ombuds.core.models import AuditEvent
from ombuds.registry import determination as d


@pytest.mark.parametrize(
    "sector,role,area,answers,expected",
    [
        ("public_benefits", "recommendation", None, {}, "rights"),
        ("justice", "automated", None, {}, "rights"),
        ("migration", "triage", None, {}, "rights"),
        ("public_benefits", "other", None, {}, "neither"),
        ("healthcare", "recommendation", None, {}, "safety"),
        ("critical_infrastructure", "triage", None, {}, "safety"),
        ("healthcare", "triage", 5, {}, "both"),
        ("other", "other", None, {}, "neither"),
        ("other", "other", 1, {}, "rights"),
        ("other", "other", 2, {}, "safety"),
        ("other", "other", None, {"biometric": True}, "rights"),
        ("other", "other", None, {"physical_harm": True}, "safety"),
        ("other", "other", None, {"decides_access": True, "critical_service": True}, "both"),
        ("other", "other", None, {"vulnerable_groups": True}, "neither"),
        ("other", "recommendation", None, {"vulnerable_groups": True}, "rights"),
    ],
)
def test_rules_propose(sector, role, area, answers, expected):
    proposal = d.propose(sector, role, area, answers)
    assert proposal.impact == expected
    assert proposal.reasons


def test_confirming_the_proposal_needs_no_justification(world):
    s = world.system_a
    s.decision_role = "recommendation"
    s.save()
    d.determine(s, world.lead, answers={}, determination="rights")
    s.refresh_from_db()
    assert s.impact_determination == "rights" and s.is_high_impact is True
    assert s.impact_determined_by == world.lead


def test_presumed_high_impact_but_determined_not_needs_a_justification(world):
    s = world.system_a
    s.decision_role = "automated"
    s.save()
    with pytest.raises(ValidationError) as err:
        d.determine(s, world.lead, answers={}, determination="neither", justification="  ")
    assert "justification" in err.value.message_dict
    assert "presumed high-impact" in err.value.message_dict["justification"][0]
    s.refresh_from_db()
    assert s.impact_determination == ""
    d.determine(
        s,
        world.lead,
        answers={},
        determination="neither",
        justification="Only routes letters; no decision about any person.",
    )
    s.refresh_from_db()
    assert s.impact_determination == "neither"
    event = AuditEvent.objects.filter(action="system.determine").latest("id")
    assert event.changes["overridden"] is True and event.changes["proposed"] == "rights"


def test_any_override_needs_a_justification(world):
    with pytest.raises(ValidationError):
        d.determine(world.system_a, world.lead, answers={}, determination="safety")


def test_unknown_answers_are_named(world):
    with pytest.raises(ValidationError) as err:
        d.determine(world.system_a, world.lead, answers={"secret": True}, determination="neither")
    assert "secret" in err.value.message_dict["answers"][0]


def test_only_a_governance_lead_determines(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        d.determine(
            world.system_a, world.users["system_owner"], answers={}, determination="neither"
        )


def test_the_web_form_shows_the_justification_error_and_saves_nothing(world, client):
    s = world.system_a
    s.decision_role = "automated"
    s.save()
    client.force_login(world.lead)
    response = client.post(f"/systems/{s.pk}/classify/", {"determination": "neither"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_justification"' in html
    s.refresh_from_db()
    assert s.impact_determination == ""
