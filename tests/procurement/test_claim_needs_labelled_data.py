"""A claim without the agency's labelled test data cannot be marked verified."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ombuds.procurement import services
from ombuds.procurement.models import LocalDataset

from .helpers import csv_upload, make_procurement


def test_verifying_without_data_is_refused(world):
    p, bid = make_procurement(world)
    claim = services.add_claim(world.lead, bid, {"metric": "accuracy", "value": 0.9})
    with pytest.raises(ValidationError) as err:
        services.verify_claim(world.lead, claim, None, prediction="pred")
    assert "dataset" in err.value.message_dict
    claim.refresh_from_db()
    assert claim.verdict == "" and not claim.settled


def test_data_without_the_label_column_is_refused_naming_it(world):
    p, _bid = make_procurement(world)
    data = b"outcome_guess,group,pred\n1,A,1\n0,B,0\n"
    with pytest.raises(ValidationError) as err:
        services.upload_dataset(world.lead, p, csv_upload(data), "label")
    message = " ".join(err.value.message_dict["label_column"])
    assert "'label'" in message and "outcome_guess" in message
    assert not LocalDataset.objects.exists()


def test_the_api_refuses_to_verify_without_data(world, token_for):
    p, bid = make_procurement(world)
    claim = services.add_claim(world.lead, bid, {"metric": "accuracy", "value": 0.9})
    response = Client().post(
        f"/api/v1/claims/{claim.pk}/verify",
        {"prediction": "pred"},
        content_type="application/json",
        headers=token_for(world.users["procurement_officer"]),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "dataset"


def test_the_claim_page_says_data_is_needed(world):
    p, bid = make_procurement(world)
    claim = services.add_claim(world.lead, bid, {"metric": "accuracy", "value": 0.9})
    client = Client()
    client.force_login(world.users["procurement_officer"])
    page = client.get(f"/agencies/{world.a.slug}/procurements/{p.pk}/claims/{claim.pk}/")
    assert "cannot be verified without it" in page.content.decode()
