"""Procurement through the API: create, record a claim, verify it on uploaded data, compare."""

from __future__ import annotations

from django.test import Client

from ombuds.procurement import services

from .helpers import csv_upload, make_procurement, two_vendor_data


def test_the_officer_compares_two_bids_through_the_api(world, token_for):
    officer = world.users["procurement_officer"]
    headers = token_for(officer)
    client = Client()
    created = client.post(
        "/api/v1/procurements",
        {
            "agency": world.a.slug,
            "title": "Claims triage",
            "procedure": "open",
            "systems": [world.system_a.pk],
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    pid = body["id"]
    assert body["stage"] == "planning" and body["systems"][0]["vendor_assured"] == "unmet"
    assert "audit-inspection" in body["clauses"]

    from ombuds.procurement.models import Procurement

    p = Procurement.objects.get(pk=pid)
    a = services.add_bid(
        officer, p, services.create_vendor(officer, world.a, {"name": "A Corp"}), {}
    )
    b = services.add_bid(
        officer, p, services.create_vendor(officer, world.a, {"name": "B Corp"}), {}
    )
    data = services.upload_dataset(officer, p, csv_upload(two_vendor_data()), "label")

    claims = {}
    for bid, value in ((a, 0.95), (b, 0.93)):
        response = client.post(
            f"/api/v1/procurements/{pid}/claims",
            {
                "bid_id": bid.pk,
                "metric": "accuracy",
                "value": value,
                "every_group": True,
                "protected_attribute": "group",
            },
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 201
        claims[bid.pk] = response.json()["id"]
    for bid, column in ((a, "pred_a"), (b, "pred_b")):
        response = client.post(
            f"/api/v1/claims/{claims[bid.pk]}/verify",
            {"dataset_id": data.pk, "prediction": column},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200
        assert response.json()["evaluation_ids"]
    comparison = client.get(f"/api/v1/procurements/{pid}/comparison", headers=headers).json()
    by_vendor = {row["vendor"]: row["claims"][0] for row in comparison["bids"]}
    assert by_vendor["A Corp"]["claim"]["verdict"] == "refuted"
    assert by_vendor["B Corp"]["claim"]["verdict"] == "supported"
    groups = {g["attributes"]["group"]: g["verdict"] for g in by_vendor["A Corp"]["groups"]}
    assert groups["B"] == "refuted"

    # The comparison page shows the same, side by side, to anyone who may view procurements.
    web = Client()
    web.force_login(world.users["viewer"])
    page = web.get(f"/agencies/{world.a.slug}/procurements/{pid}/comparison/").content.decode()
    assert "A Corp" in page and "B Corp" in page
    assert page.count("Refuted") >= 1 and "group=B" in page


def test_bad_claims_are_refused_naming_the_field(world, token_for):
    p, bid = make_procurement(world)
    response = Client().post(
        f"/api/v1/procurements/{p.pk}/claims",
        {"bid_id": bid.pk, "metric": "accuracy", "value": 95, "every_group": True},
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 422
    assert "value" in [e["field"] for e in response.json()["errors"]]
    response = Client().post(
        f"/api/v1/procurements/{p.pk}/claims",
        {"bid_id": bid.pk, "metric": "accuracy", "value": 0.95, "every_group": True},
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "protected_attribute"


def test_another_agency_cannot_create_in_yours(world, token_for):
    response = Client().post(
        "/api/v1/procurements",
        {"agency": world.a.slug, "title": "x", "procedure": "open"},
        content_type="application/json",
        headers=token_for(world.other_lead),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "agency"
