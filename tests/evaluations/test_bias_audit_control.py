"""The bias-audit control: met only when an audit covers every protected characteristic the
record says applies, a characteristic not collected says why and how it is assessed instead, and
the findings of the audit are addressed."""

from __future__ import annotations

import pytest

from ombuds.evaluations import services
from ombuds.registry import lifecycle

from .conftest import audit_result

CONTROL = "evaluations.bias-audit"


def gate_status(system):
    system.refresh_from_db()
    return next(s for s in lifecycle.gate(system, "pilot") if s.id == CONTROL)


def collected(*codes):
    return [{"id": c, "collected": True, "why_not": "", "alternative": ""} for c in codes]


@pytest.fixture
def system(world):
    return world.system_a


def test_unmet_until_the_record_says_which_characteristics_apply(world, system, clean_audit):
    services.record_result(world.lead, system, clean_audit)
    status = gate_status(system)
    assert status.state == "unmet"
    assert "does not say which protected characteristics" in status.detail
    assert status.fix_url == f"/systems/{system.pk}/protected-characteristics/"


def test_a_collected_characteristic_no_audit_covers_is_named(world, system):
    system.protected_characteristics = collected("sex_gender", "disability")
    system.save()
    assert gate_status(system).detail == "no bias audit covers Sex or gender, Disability"
    services.record_result(world.lead, system, audit_result(("sex",)))
    status = gate_status(system)
    assert status.state == "unmet" and status.detail == "no bias audit covers Disability"
    assert status.fix_url == f"/systems/{system.pk}/evaluations/"


def test_met_when_covered_or_explained(world, system, clean_audit):
    system.protected_characteristics = collected("sex_gender", "ethnicity") + [
        {
            "id": "disability",
            "collected": False,
            "why_not": "The benefit form does not ask about disability.",
            "alternative": "Yearly survey of 2,000 claimants, weighted to the caseload.",
        }
    ]
    system.save()
    services.record_result(world.lead, system, clean_audit)
    assert gate_status(system).state == "met"


def test_not_collected_without_a_reason_is_unmet(world, system, clean_audit):
    """The registry refuses such a record; the gate re-checks what is stored."""
    system.protected_characteristics = collected("sex_gender") + [
        {"id": "race", "collected": False, "why_not": "Not asked.", "alternative": ""}
    ]
    system.save()
    services.record_result(world.lead, system, clean_audit)
    status = gate_status(system)
    assert status.state == "unmet"
    assert "why Race is not collected and how disparities for it are assessed" in status.detail


def test_flagged_findings_need_a_response(world, system, gap_audit):
    system.protected_characteristics = collected("sex_gender")
    system.save()
    evaluation = services.record_result(world.users["assessor"], system, gap_audit)
    status = gate_status(system)
    assert status.state == "unmet"
    assert status.detail == (
        f"the findings of bias audit #{evaluation.pk} (Ethnicity, Sex or gender) are not "
        "addressed yet"
    )
    services.respond_to_findings(
        world.users["assessor"],
        evaluation,
        "The threshold was recalibrated per group; a re-audit is scheduled in three months.",
    )
    assert gate_status(system).state == "met"


def test_a_newer_audit_supersedes_an_older_one(world, system, gap_audit, clean_audit):
    system.protected_characteristics = collected("sex_gender")
    system.save()
    services.record_result(world.lead, system, gap_audit)
    assert gate_status(system).state == "unmet"
    services.record_result(world.lead, system, clean_audit)
    assert gate_status(system).state == "met"


def test_the_gate_blocks_a_pilot_without_a_covering_audit(world, system):
    system.protected_characteristics = collected("race")
    system.stage = "development"
    system.save()
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.check_move(system, "pilot")
    assert (CONTROL, "no bias audit covers Race") in refused.value.blockers
