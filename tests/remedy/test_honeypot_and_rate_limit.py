"""The public form refuses what automated programs send (a filled honeypot) and more than a few
appeals an hour from one network (keyed hash of the address)."""

from __future__ import annotations

from ombuds.remedy.models import Appeal

from .helpers import APPELLANT


def post(client, world, ip="203.0.113.30", **extra):
    data = {**APPELLANT, "notice_reference": "", "system": world.system_a.pk, "website": ""}
    return client.post("/public/appeal/", {**data, **extra}, REMOTE_ADDR=ip)


def test_a_filled_honeypot_sends_nothing(world, client):
    response = post(client, world, website="http://spam.example")
    assert response.status_code == 400 and not Appeal.objects.exists()


def test_too_many_from_one_network_are_refused(world, client, settings):
    settings.OMBUDS_APPEALS_PER_ADDRESS_PER_HOUR = 2
    assert post(client, world).status_code == 200
    assert post(client, world).status_code == 200
    refused = post(client, world)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert post(client, world, ip="198.51.100.99").status_code == 200
    assert Appeal.objects.count() == 3
    assert "203.0.113.30" not in repr(list(Appeal.objects.values()))
