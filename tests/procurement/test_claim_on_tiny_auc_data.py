"""An AUC claim checked on a couple of rows does not settle the claim (it used to be "supported"
on two rows because DeLong's variance is 0 at perfect separation)."""

from __future__ import annotations

from ombuds.procurement import services

from .helpers import csv_upload, make_procurement


def test_an_auc_claim_on_two_rows_is_not_settled(world):
    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    data = services.upload_dataset(
        officer, p, csv_upload(b"label,score\n1,0.9\n0,0.1\n", "tiny.csv"), "label"
    )
    claim = services.add_claim(officer, bid, {"metric": "auc", "value": 0.7, "material": True})
    v = services.verify_claim(officer, claim, data, score="score")
    assert v.verdict == "inconclusive"
    assert "too few" in v.result["overall"]["reason"]
    claim.refresh_from_db()
    assert not claim.settled
