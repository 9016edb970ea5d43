"""A vendor's link opens that vendor's request for that bid and nothing else; wrong and expired
links are the same 404."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from ombuds.procurement import services
from ombuds.procurement.models import DueDiligenceRequest

from .helpers import make_procurement


def test_each_token_shows_only_its_own_request(world):
    p, bid_x = make_procurement(world, vendor="Xylo Systems")
    vendor_y = services.create_vendor(world.lead, world.a, {"name": "Yonder Labs"})
    bid_y = services.add_bid(world.lead, p, vendor_y, {"product": "Y-Rank"})
    _rx, token_x = services.send_due_diligence(world.lead, bid_x)
    _ry, token_y = services.send_due_diligence(world.lead, bid_y)
    services.vendor_answer(_ry, {"licensing": "Y's secret licence terms"})

    page_x = Client().get(f"/public/vendor-requests/{token_x}/").content.decode()
    assert "Xylo Systems" in page_x
    assert "Yonder Labs" not in page_x and "secret licence terms" not in page_x
    page_y = Client().get(f"/public/vendor-requests/{token_y}/").content.decode()
    assert "Yonder Labs" in page_y and "Xylo Systems" not in page_y

    # X's token cannot answer Y's questions: the POST only ever touches X's request.
    Client().post(f"/public/vendor-requests/{token_x}/", {"q-components": "X's components"})
    assert not _ry.answers.filter(text="X's components").exists()


def test_wrong_and_expired_links_are_the_same_404(world):
    p, bid = make_procurement(world)
    request, token = services.send_due_diligence(world.lead, bid)
    client = Client()
    wrong = client.get(f"/public/vendor-requests/{token[:-2]}xx/")
    DueDiligenceRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = client.get(f"/public/vendor-requests/{token}/")
    assert wrong.status_code == expired.status_code == 404
    assert wrong.content == expired.content
    assert client.post(f"/public/vendor-requests/{token}/", {"q-licensing": "x"}).status_code == 404


def test_sending_a_new_link_retires_the_old_one(world):
    p, bid = make_procurement(world)
    _r, old = services.send_due_diligence(world.lead, bid)
    _r, new = services.send_due_diligence(world.lead, bid)
    assert Client().get(f"/public/vendor-requests/{old}/").status_code == 404
    assert Client().get(f"/public/vendor-requests/{new}/").status_code == 200
