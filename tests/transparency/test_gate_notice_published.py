"""The gate's `transparency.notice-published`: met while the register shows the system (a
published record, or one withheld with its legal ground); unmet before publication and after a
retraction."""

from __future__ import annotations

from ombuds.core import controls
from ombuds.transparency import services
from tests.transparency.helpers import publish


def _check(system):
    control = next(c for c in controls.registered() if c.id == "transparency.notice-published")
    return control.check(system, "deployed")


def test_the_notice_follows_the_record(world):
    system = world.system_a
    assert "no public record is published" in _check(system)
    services.save_draft(world.users["system_owner"], system, {"what_it_does": "Ranks."})
    assert _check(system) is not None  # a draft is not a notice
    publish(system, world.users["system_owner"], world.lead)
    assert _check(system) is None
    services.retract(world.lead, system, "Out of date.")
    assert "retracted" in _check(system)
    services.withhold(world.lead, system, "National security act s. 3")
    assert _check(system) is None
