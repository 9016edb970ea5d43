"""Vendor claims checked on the agency's own data with known truth: refuted for one group,
supported, inconclusive; each verdict kept as an evaluation of the system, linked to the claim."""

from __future__ import annotations

from ombuds.core.models import AuditEvent
from ombuds.evaluations.models import Evaluation
from ombuds.procurement import services

from .helpers import csv_upload, make_procurement, synthetic, two_vendor_data


def _claim(user, bid, **values):
    return services.add_claim(user, bid, {"metric": "accuracy", "material": True, **values})


def test_95_percent_for_everyone_is_refuted_for_the_group_at_85(world):
    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    data = services.upload_dataset(officer, p, csv_upload(two_vendor_data()), "label")
    claim = _claim(officer, bid, value=0.95, every_group=True, protected_attribute="group")
    v = services.verify_claim(officer, claim, data, prediction="pred_a")
    assert v.verdict == "refuted"
    groups = {g["attributes"]["group"]: g for g in v.result["groups"]}
    assert groups["B"]["verdict"] == "refuted"
    assert groups["B"]["value"] == 0.85 and groups["B"]["n"] == 2000
    assert groups["B"]["ci_high"] < 0.95
    # Group A sits exactly on the claim: neither side, and no sample size settles it.
    assert groups["A"]["value"] == 0.95 and groups["A"]["verdict"] == "inconclusive"
    claim.refresh_from_db()
    assert claim.verdict == "refuted" and not claim.settled
    # The verdict is evidence of the system, linked to the claim.
    evaluation = v.evaluations.get()
    assert evaluation.system == world.system_a and evaluation.kind == "claim"
    assert evaluation.result["config"]["claim"] == claim.pk
    assert evaluation.flagged  # a refuted claim needs a response
    assert AuditEvent.objects.filter(action="procurement.claim.verify").exists()


def test_a_claim_that_holds_is_supported(world):
    assessor = world.users["assessor"]
    p, bid = make_procurement(world)
    data = services.upload_dataset(assessor, p, csv_upload(two_vendor_data()), "label")
    claim = _claim(world.lead, bid, value=0.93, every_group=True, protected_attribute="group")
    v = services.verify_claim(assessor, claim, data, prediction="pred_b")
    assert v.verdict == "supported"
    assert all(g["verdict"] == "supported" for g in v.result["groups"])
    assert v.result["overall"]["ci_low"] >= 0.93
    claim.refresh_from_db()
    assert claim.settled
    assert Evaluation.objects.filter(system=world.system_a, kind="claim").count() == 1


def test_too_little_data_is_inconclusive_with_the_rows_needed(world):
    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    data = services.upload_dataset(officer, p, csv_upload(synthetic({"all": (100, 0.95)})), "label")
    claim = _claim(officer, bid, value=0.93)
    v = services.verify_claim(officer, claim, data, prediction="pred")
    overall = v.result["overall"]
    assert v.verdict == "inconclusive"
    assert overall["ci_low"] < 0.93 < overall["ci_high"]
    assert overall["needed_rows"] > 100


def test_a_claim_only_about_everyone_ignores_groups(world):
    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    data = services.upload_dataset(officer, p, csv_upload(two_vendor_data()), "label")
    claim = _claim(officer, bid, value=0.88)  # overall accuracy is 0.90
    v = services.verify_claim(officer, claim, data, prediction="pred_a")
    assert v.verdict == "supported" and v.result["groups"] == []


def test_accepting_an_unsupported_claim_needs_a_real_justification(world):
    import pytest
    from django.core.exceptions import ValidationError

    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    claim = _claim(officer, bid, value=0.95)
    with pytest.raises(ValidationError):
        services.accept_claim(officer, claim, "fine")
    services.accept_claim(officer, claim, "Verified by the national lab in 2026; report attached.")
    claim.refresh_from_db()
    assert claim.settled and claim.verdict == ""
    event = AuditEvent.objects.get(action="procurement.claim.accept")
    assert event.changes["verdict"] == "unverified"
