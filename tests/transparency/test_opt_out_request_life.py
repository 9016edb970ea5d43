"""An opt-out request from the public page to its outcome: a reference and a secret status
link, the agency's queue, how it was honoured, and the counts on the public page. Personal
contact details never reach the audit log."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from ombuds.core.models import AuditEvent
from ombuds.transparency import services
from ombuds.transparency.models import OptOutRequest
from tests.transparency.helpers import publish

EMAIL = "maria.private@example.net"
PHONE = "+33 6 12 34 56 78"
NAME = "Maria Privata"


@pytest.fixture
def system(world):
    publish(
        world.system_a, world.users["system_owner"], world.lead, human_alternative_available=True
    )
    return world.system_a


def _send(client, system, **data):
    return client.post(f"/public/systems/{system.pk}/opt-out/", data)


def test_request_follow_and_honour(world, system, client):
    page = client.get(f"/public/systems/{system.pk}/").content.decode()
    assert f"/public/systems/{system.pk}/opt-out/" in page
    response = _send(
        client, system, name=NAME, contact_email=EMAIL, contact_phone=PHONE, details="Case 12"
    )
    assert response.status_code == 200
    body = response.content.decode()
    reference = re.search(r'id="reference">([^<]+)<', body).group(1)
    link = re.search(r'id="status-link" href="([^"]+)"', body).group(1)
    assert response["Cache-Control"] == "no-store"
    request = OptOutRequest.objects.get(reference=reference)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert request.token_digest != token and token not in request.token_digest
    # The receipt went to the person, the notice to the agency's staff (without the details).
    receipt = [m for m in mail.outbox if m.to == [EMAIL]]
    assert len(receipt) == 1 and link in receipt[0].body
    staff = [m for m in mail.outbox if m.to != [EMAIL]]
    assert staff and world.users["case_worker"].email in staff[0].to
    assert EMAIL not in staff[0].body and NAME not in staff[0].body

    status = client.get(link)
    assert status.status_code == 200 and "Received" in status.content.decode()
    assert NAME not in status.content.decode()
    wrong = link.replace(token, "x" * len(token))
    assert client.get(wrong).status_code == 404
    assert client.get(f"/public/opt-out/{reference}/").status_code == 404

    # The agency's queue lists it for the case worker, with the contact details.
    staff_client = client.__class__()
    staff_client.force_login(world.users["case_worker"])
    queue = staff_client.get("/agencies/agency-a/opt-out-requests/").content.decode()
    assert reference in queue
    detail_url = f"/systems/{system.pk}/opt-out-requests/{request.pk}/"
    assert EMAIL in staff_client.get(detail_url).content.decode()
    missing_how = staff_client.post(detail_url, {"status": "honoured"})
    assert missing_how.status_code == 400
    assert "Say how the request was honoured." in missing_how.content.decode()
    staff_client.post(detail_url, {"status": "honoured", "how": "person", "note": "Done."})
    request.refresh_from_db()
    assert request.status == "honoured" and request.how == "person"

    body = client.get(link).content.decode()
    assert "Honoured" in body and "The case was handled by a person" in body

    data = client.get(f"/public/systems/{system.pk}/?format=json").json()
    assert data["opt_out"]["requests_received"] == 1
    assert data["opt_out"]["requests_honoured"] == 1
    assert data["opt_out"]["human_alternative_available"] is True

    events = " ".join(str(e.changes) + e.object_repr for e in AuditEvent.objects.all())
    for personal in (EMAIL, NAME, PHONE, "Case 12"):
        assert personal not in events


def test_counts_show_received_and_honoured_plainly(world, system, client):
    for i in range(3):
        services.request_opt_out(system, {"contact_email": f"p{i}@example.net"})
    first = OptOutRequest.objects.order_by("pk").first()
    services.handle_opt_out(world.lead, first, {"status": "refused", "note": "Not eligible."})
    second = OptOutRequest.objects.order_by("pk")[1]
    services.handle_opt_out(world.lead, second, {"status": "honoured", "how": "retaken"})
    page = client.get(f"/public/systems/{system.pk}/").content.decode()
    assert re.search(r"Opt-out requests received</dt><dd>3</dd>", page)
    assert re.search(r"Opt-out requests honoured</dt><dd>1</dd>", page)


def test_at_least_one_way_to_answer_is_needed(system, client):
    response = _send(client, system, name=NAME)
    assert response.status_code == 400
    assert "Give at least one way to answer you" in response.content.decode()
    bad = _send(client, system, contact_phone="call me maybe")
    assert bad.status_code == 400 and "telephone number" in bad.content.decode()
    post_only = _send(client, system, contact_post="1 Main Street, Springfield")
    assert post_only.status_code == 200
    assert OptOutRequest.objects.count() == 1


def test_no_form_when_the_record_offers_no_opt_out(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    assert client.get(f"/public/systems/{world.system_a.pk}/opt-out/").status_code == 404
    page = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert "/opt-out/" not in page


def test_an_agency_deadline_sets_the_answer_date(world, system):
    services.save_policy(world.lead, world.a, {"text": "", "optout_days": 15})
    request, _token = services.request_opt_out(system, {"contact_email": EMAIL})
    assert (request.respond_by - request.received_at).days == 15


def test_a_refusal_needs_its_reason_and_a_handled_request_stays_handled(world, system):
    from django.core.exceptions import ValidationError

    request, _token = services.request_opt_out(system, {"contact_email": EMAIL})
    with pytest.raises(ValidationError):
        services.handle_opt_out(world.lead, request, {"status": "refused"})
    services.handle_opt_out(world.lead, request, {"status": "refused", "note": "Not eligible."})
    with pytest.raises(services.PublicationRefused):
        services.handle_opt_out(world.lead, request, {"status": "honoured", "how": "person"})


def test_other_agencies_do_not_see_the_request(world, system, client):
    request, _token = services.request_opt_out(system, {"contact_email": EMAIL})
    client.force_login(world.other_lead)
    assert client.get(f"/systems/{system.pk}/opt-out-requests/{request.pk}/").status_code == 404
    assert client.get("/agencies/agency-a/opt-out-requests/").status_code == 404
