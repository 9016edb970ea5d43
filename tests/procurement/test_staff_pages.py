"""The staff pages work without JavaScript: create a vendor and a procurement, record a bid,
upload test data, record and verify a claim, accept one with a justification."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ombuds.procurement.models import Bid, Claim, Procurement, Vendor

from .helpers import two_vendor_data


def test_a_procurement_from_the_pages(world):
    web = Client()
    web.force_login(world.users["procurement_officer"])
    base = f"/agencies/{world.a.slug}"
    assert web.post(base + "/vendors/", {"name": "Acme", "country": "CA"}).status_code == 302
    bad = web.post(base + "/vendors/", {"name": "Acme"})
    assert bad.status_code == 200 and "already has a vendor" in bad.content.decode()
    response = web.post(
        base + "/procurements/",
        {
            "title": "Triage",
            "procedure": "open",
            "systems": [world.system_a.pk],
            "review_interval_months": 6,
        },
    )
    p = Procurement.objects.get()
    assert response["Location"].endswith(f"/procurements/{p.pk}/")
    pbase = f"{base}/procurements/{p.pk}/"
    web.post(pbase + "bids/", {"vendor": Vendor.objects.get().pk, "product": "T1"})
    bid = Bid.objects.get()
    web.post(
        pbase + "datasets/",
        {"file": SimpleUploadedFile("d.csv", two_vendor_data()), "label_column": "label"},
    )
    web.post(
        pbase + f"bids/{bid.pk}/claims/",
        {
            "wording": "95 % accurate",
            "metric": "accuracy",
            "value": "0.95",
            "material": "on",
            "every_group": "on",
            "protected_attribute": "group",
        },
    )
    claim = Claim.objects.get()
    dataset = p.datasets.get()
    verified = web.post(
        pbase + f"claims/{claim.pk}/verify/", {"dataset": dataset.pk, "prediction": "pred_a"}
    )
    assert verified.status_code == 302
    page = web.get(pbase + f"claims/{claim.pk}/").content.decode()
    assert 'id="verdict">Refuted' in page and "group=B" in page
    short = web.post(pbase + f"claims/{claim.pk}/accept/", {"justification": "ok"})
    assert short.status_code == 422 and "at least 20 characters" in short.content.decode()
    web.post(
        pbase + f"claims/{claim.pk}/accept/",
        {"justification": "Contract remedy covers the gap for group B."},
    )
    claim.refresh_from_db()
    assert claim.settled
    detail = web.get(pbase).content.decode()
    assert "Acme" in detail and "Market engagement" in detail


def test_a_viewer_sees_but_cannot_change(world):
    from .helpers import make_procurement

    p, _bid = make_procurement(world)
    web = Client()
    web.force_login(world.users["viewer"])
    url = f"/agencies/{world.a.slug}/procurements/{p.pk}/"
    assert web.get(url).status_code == 200
    assert web.post(url + "stage/", {"to": "market_engagement"}).status_code == 403


def test_the_procurement_page_says_what_the_gate_still_needs(world):
    from .helpers import make_procurement

    p, _bid = make_procurement(world)
    web = Client()
    web.force_login(world.lead)
    page = web.get(f"/agencies/{world.a.slug}/procurements/{p.pk}/").content.decode()
    assert "not met" in page and "has not been awarded to a bid" in page
