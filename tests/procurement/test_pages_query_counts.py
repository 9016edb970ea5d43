"""The comparison and procurement pages (and the API's views of them) read a fixed number of
queries however many bids and claims there are: no query per claim or per bid."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ombuds.procurement import services
from ombuds.procurement.models import Verification

from .helpers import csv_upload, make_procurement, synthetic


def _grow(world, p, data, bids: int, claims: int):
    for b in range(bids):
        vendor = services.create_vendor(world.lead, world.a, {"name": f"Vendor {p.bids.count()}"})
        bid = services.add_bid(world.lead, p, vendor, {})
        services.send_due_diligence(world.lead, bid)
        for c in range(claims):
            claim = services.add_claim(world.lead, bid, {"metric": "accuracy", "value": 0.9})
            result = {
                "overall": {
                    "attributes": {},
                    "value": 0.91,
                    "ci_low": 0.9,
                    "ci_high": 0.92,
                    "n": 100,
                    "verdict": "supported",
                },
                "groups": [],
                "config": {"prediction": f"pred{b}{c}"},
                "confidence": 0.95,
            }
            Verification.objects.create(
                claim=claim, dataset=data, verdict="supported", column=f"pred{b}{c}", result=result
            )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_bids_and_claims(
    world, client, django_assert_max_num_queries
):
    p, _bid = make_procurement(world)
    data = services.upload_dataset(
        world.lead, p, csv_upload(synthetic({"all": (50, 0.9)})), "label"
    )
    _grow(world, p, data, bids=1, claims=1)
    client.force_login(world.lead)
    urls = [
        reverse("procurement_comparison", args=[world.a.slug, p.pk]),
        reverse("procurement_detail", args=[world.a.slug, p.pk]),
    ]
    small = {url: _count(client, url) for url in urls}
    _grow(world, p, data, bids=3, claims=4)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            client.get(url)
