"""The demo's flagship system gets trained, assigned operators and a written oversight design,
so that its people controls are met; running the demo twice changes nothing."""

from __future__ import annotations

from ombuds.people import controls, demo
from ombuds.people.models import Assignment, Certificate


def test_demo_evidence_meets_the_people_controls(world):
    system = world.system_a
    system.impact_determination = "rights"
    system.impact_level = 4
    system.save()
    people = {
        "operator": world.users["operator"],
        "case-worker": world.users["case_worker"],
        "governance-lead": world.lead,
        "system-owner": world.users["system_owner"],
    }
    demo.evidence(system, people)
    demo.evidence(system, people)
    assert controls.operators_trained(system, "deployed") is None
    assert controls.oversight_designed(system, "deployed") is None
    assert Assignment.objects.filter(system=system).count() == 2
    assert Certificate.objects.count() == 8
