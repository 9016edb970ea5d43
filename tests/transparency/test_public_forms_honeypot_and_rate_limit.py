"""The public's forms (comments, error reports, opt-out requests) refuse what automated programs
send: a filled honeypot sends nothing, and one network may send only a few an hour."""

from __future__ import annotations

import pytest

from ombuds.transparency.models import ConsultationComment, OptOutRequest, RecordErrorReport
from tests.transparency.helpers import open_consultation, publish


@pytest.fixture
def published(world):
    publish(world.system_a, world.users["system_owner"], world.lead, opt_out_available=True)
    return world.system_a


@pytest.fixture
def consultation(published, world):
    return open_consultation(published, world.lead)


def _forms(system, consultation):
    return [
        (
            f"/public/systems/{system.pk}/consultations/{consultation.pk}/",
            {"general": "A comment."},
            ConsultationComment,
        ),
        (
            f"/public/systems/{system.pk}/record-error/",
            {"description": "The contact is wrong."},
            RecordErrorReport,
        ),
        (
            f"/public/systems/{system.pk}/opt-out/",
            {"contact_email": "me@example.net"},
            OptOutRequest,
        ),
    ]


def test_a_filled_honeypot_sends_nothing(published, consultation, client):
    for url, data, model in _forms(published, consultation):
        response = client.post(url, {**data, "website": "http://spam.example"})
        assert response.status_code == 400, url
        assert "meant to stay empty" in response.content.decode()
        assert not model.objects.exists(), url


def test_one_network_sends_five_an_hour_then_waits(published, consultation, client, settings):
    settings.OMBUDS_PUBLIC_FORMS_PER_ADDRESS_PER_HOUR = 5
    for url, data, model in _forms(published, consultation):
        for _i in range(5):
            assert client.post(url, data, REMOTE_ADDR="198.51.100.7").status_code == 200, url
        refused = client.post(url, data, REMOTE_ADDR="198.51.100.7")
        assert refused.status_code == 429, url
        assert int(refused["Retry-After"]) > 0
        assert "Too much was sent from your network" in refused.content.decode()
        # Another network is not held back.
        assert client.post(url, data, REMOTE_ADDR="203.0.113.9").status_code == 200
        count = model.objects.values("client_hash").distinct().count()
        assert count == 2, url


def test_the_address_is_kept_only_as_a_keyed_hash(published, consultation, client):
    from ombuds.transparency import services

    for url, data, model in _forms(published, consultation):
        client.post(url, data, REMOTE_ADDR="198.51.100.7")
        row = model.objects.get()
        assert row.client_hash == services.client_hash("198.51.100.7")
        assert row.client_hash != services.client_hash("203.0.113.9")
        stored = model.objects.filter(pk=row.pk).values().get()
        assert not [k for k, v in stored.items() if "198.51.100" in str(v)], model


def test_a_consultation_takes_only_so_many_comments_an_hour(consultation, client, settings):
    settings.OMBUDS_COMMENTS_PER_CONSULTATION_PER_HOUR = 3
    url = f"/public/systems/{consultation.system_id}/consultations/{consultation.pk}/"
    for i in range(3):
        ok = client.post(url, {"general": f"Comment {i}"}, REMOTE_ADDR=f"198.51.100.{i + 1}")
        assert ok.status_code == 200
    refused = client.post(url, {"general": "One more"}, REMOTE_ADDR="203.0.113.50")
    assert refused.status_code == 429
    assert ConsultationComment.objects.count() == 3


def test_the_network_hash_is_forgotten_after_a_day(published, consultation, client):
    import datetime as dt

    from django.utils import timezone

    from ombuds.transparency import services

    for url, data, _model in _forms(published, consultation):
        client.post(url, data, REMOTE_ADDR="198.51.100.7")
    assert services.forget_client_hashes() == 0  # still needed for this hour's limits
    later = timezone.now() + dt.timedelta(days=1, minutes=1)
    assert services.forget_client_hashes(later) == 3
    for _url, _data, model in _forms(published, consultation):
        assert model.objects.get().client_hash == ""
