"""A verification cannot be rigged, and the comparison says how each claim was measured: not
against the labels themselves, not split by another column than the claim's protected
attribute, not against another vendor's predictions; the data and the column are shown."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ombuds.procurement import services

from .helpers import csv_upload, make_procurement, two_vendor_data


@pytest.fixture
def setup(world):
    officer = world.users["procurement_officer"]
    p, bid = make_procurement(world)
    data = services.upload_dataset(officer, p, csv_upload(two_vendor_data(), "own.csv"), "label")
    return officer, p, bid, data


def _claim(officer, bid, **values):
    return services.add_claim(officer, bid, {"metric": "accuracy", "value": 0.9, **values})


def test_the_label_as_prediction_is_refused(setup):
    officer, _p, bid, data = setup
    claim = _claim(officer, bid)
    with pytest.raises(ValidationError) as caught:
        services.verify_claim(officer, claim, data, prediction="label")
    assert "label column" in caught.value.message_dict["prediction"][0]
    claim.refresh_from_db()
    assert claim.verdict == ""


def test_the_group_column_as_prediction_is_refused(setup):
    officer, _p, bid, data = setup
    claim = _claim(officer, bid, every_group=True, protected_attribute="group")
    with pytest.raises(ValidationError) as caught:
        services.verify_claim(officer, claim, data, prediction="group")
    assert "group column" in caught.value.message_dict["prediction"][0]


def test_an_every_group_claim_is_checked_by_its_own_attribute(setup):
    officer, _p, bid, data = setup
    claim = _claim(officer, bid, every_group=True, protected_attribute="group")
    with pytest.raises(ValidationError) as caught:
        services.verify_claim(officer, claim, data, prediction="pred_a", by="pred_b")
    assert "'group'" in caught.value.message_dict["by"][0]


def test_a_bid_is_checked_against_its_own_column_only(world, setup):
    officer, p, bid, data = setup
    other_vendor = services.create_vendor(officer, world.a, {"name": "Borealis"})
    other = services.add_bid(officer, p, other_vendor, {"prediction_column": "pred_b"})
    claim_b = _claim(officer, other)
    with pytest.raises(ValidationError) as caught:
        services.verify_claim(officer, claim_b, data, prediction="pred_a")
    assert "pred_b" in caught.value.message_dict["prediction"][0]
    # The first check of a bid without a column records the column used.
    claim_a = _claim(officer, bid)
    services.verify_claim(officer, claim_a, data, prediction="pred_a")
    bid.refresh_from_db()
    assert bid.prediction_column == "pred_a"
    second = _claim(officer, bid, value=0.8)
    with pytest.raises(ValidationError):
        services.verify_claim(officer, second, data, prediction="pred_b")


def test_each_verification_and_comparison_row_names_the_data_and_column(world, client, setup):
    officer, p, bid, data = setup
    claim = _claim(officer, bid)
    v = services.verify_claim(officer, claim, data, prediction="pred_a")
    assert v.column == "pred_a" and v.result["config"]["dataset"] == "own.csv"
    row = services.comparison(p)[0]["claims"][0]
    assert row["dataset"] == "own.csv" and row["column"] == "pred_a"
    client.force_login(officer)
    for name in ("procurement_comparison", "procurement_claim"):
        args = [world.a.slug, p.pk] + ([claim.pk] if name == "procurement_claim" else [])
        page = client.get(reverse(name, args=args)).content.decode()
        assert "own.csv" in page and "pred_a" in page
