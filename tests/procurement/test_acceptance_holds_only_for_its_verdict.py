"""Accepting a claim without local support holds for the verdict it was given against: a later,
different verdict (refuted after accepting it unverified) clears it, audited, and the gate is
not met with a refuted material claim."""

from __future__ import annotations

from ombuds.core.models import AuditEvent
from ombuds.procurement import services
from ombuds.procurement.models import Claim

from .helpers import csv_upload, make_procurement, synthetic

REASON = "Vendor's figure comes from a comparable agency; we test it in the pilot."


def test_an_acceptance_of_an_unverified_claim_does_not_survive_a_refutation(world):
    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    claim = services.add_claim(officer, bid, {"metric": "accuracy", "value": 0.95})
    services.accept_claim(world.lead, claim, REASON)
    claim.refresh_from_db()
    assert claim.settled and claim.accepted_against == ""

    data = services.upload_dataset(
        officer, p, csv_upload(synthetic({"all": (2000, 0.80)})), "label"
    )
    v = services.verify_claim(officer, claim, data, prediction="pred")
    assert v.verdict == "refuted"
    claim.refresh_from_db()
    assert not claim.settled
    assert not claim.accepted
    cleared = AuditEvent.objects.get(action="procurement.claim.acceptance_cleared")
    assert cleared.changes["claim"] == claim.pk and cleared.changes["verdict"] == "refuted"


def test_settled_needs_the_verdict_the_acceptance_was_given_against():
    # A claim accepted while inconclusive, whose verdict is now refuted (say, written by an
    # older version), is not settled.
    claim = Claim(metric="accuracy", value=0.9, verdict="refuted")
    claim.accepted_justification = REASON
    claim.accepted_against = "inconclusive"
    assert not claim.settled
    claim.accepted_against = "refuted"
    assert claim.settled


def test_accepting_a_refuted_claim_records_that_verdict(world):
    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    data = services.upload_dataset(
        officer, p, csv_upload(synthetic({"all": (2000, 0.80)})), "label"
    )
    claim = services.add_claim(officer, bid, {"metric": "accuracy", "value": 0.95})
    services.verify_claim(officer, claim, data, prediction="pred")
    stale = Claim.objects.get(pk=claim.pk)
    services.accept_claim(world.lead, stale, REASON)
    claim.refresh_from_db()
    assert claim.accepted_against == "refuted" and claim.settled
    # Checked again on the same data: same verdict, the acceptance stays.
    services.verify_claim(officer, claim, data, prediction="pred")
    claim.refresh_from_db()
    assert claim.settled
