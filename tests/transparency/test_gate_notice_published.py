"""The gate's `transparency.notice-published`: met only while the register shows the system's
published record. Before publication, after a retraction and while the record is withheld it
is unmet; a withheld record passes the gate only with a waiver recorded by a governance lead,
and withholding needs a real legal ground."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ombuds.core import controls
from ombuds.registry import lifecycle
from ombuds.registry import services as registry
from ombuds.transparency import services
from ombuds.transparency.models import PublicRecordVersion
from tests.transparency.helpers import publish

GROUND = "National security act s. 3"


def _check(system):
    control = next(c for c in controls.registered() if c.id == "transparency.notice-published")
    return control.check(system, "deployed")


def _state(system) -> str:
    found = [
        s for s in lifecycle.gate(system, "deployed") if s.id == "transparency.notice-published"
    ]
    return found[0].state if found else "not applicable"


def test_the_notice_follows_the_record(world):
    system = world.system_a
    assert "no public record is published" in _check(system)
    services.save_draft(world.users["system_owner"], system, {"what_it_does": "Ranks."})
    assert _check(system) is not None  # a draft is not a notice
    publish(system, world.users["system_owner"], world.lead)
    assert _check(system) is None
    services.retract(world.lead, system, "Out of date.")
    assert "retracted" in _check(system)


def test_a_withheld_record_is_not_a_notice(world):
    system = world.system_a
    publish(system, world.users["system_owner"], world.lead)
    services.withhold(world.lead, system, GROUND)
    missing = _check(system)
    assert missing is not None
    assert "withheld" in missing and GROUND in missing
    assert "waiver of transparency.notice-published" in missing
    control = next(c for c in controls.registered() if c.id == "transparency.notice-published")
    assert "/waivers/new/" in control.fix(system)


def test_a_withheld_record_passes_the_gate_only_with_a_waiver(world):
    system = world.system_a
    services.withhold(world.lead, system, GROUND)
    assert _state(system) == controls.UNMET
    with pytest.raises(ValidationError) as refused:
        registry.grant_waiver(
            world.lead,
            system,
            "transparency.notice-published",
            "Secret",
            timezone.localdate() + dt.timedelta(days=90),
        )
    assert "justification" in refused.value.message_dict
    assert _state(system) == controls.UNMET
    registry.grant_waiver(
        world.lead,
        system,
        "transparency.notice-published",
        "The security act forbids naming this system's purpose.",
        timezone.localdate() + dt.timedelta(days=90),
    )
    assert _state(system) == controls.WAIVED


@pytest.mark.parametrize("ground", ["", "x", "   x   ", "Security act"])
def test_withholding_needs_a_legal_ground_of_twenty_characters(world, ground):
    with pytest.raises(ValidationError) as refused:
        services.withhold(world.lead, world.system_a, ground)
    assert "Legal ground" in refused.value.message_dict["legal_ground"][0]
    assert not PublicRecordVersion.objects.exists()
