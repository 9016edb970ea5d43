"""Nothing from one agency is visible to another: not its incidents, not its reports, not the
e-mails about them. Outside one's agency a record is "not found"; inside it without the role,
"forbidden"."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from ombuds.feedback import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def records_of_b(world):
    incident = services.create_incident(
        world.other_lead,
        world.b,
        {
            "title": "B-only incident",
            "description": "secret of B",
            "harm_category": "health",
            "aware_at": timezone.now(),
            "systems": [world.system_b],
        },
    )
    report, token = services.submit_public_report(
        agency=world.b,
        system=world.system_b,
        kind="vulnerability",
        description="B-only vulnerability details",
        contact_email="finder@example.net",
        client_address="",
    )
    return incident, report


def test_lists_show_only_ones_own_agency(world, client, records_of_b):
    incident, report = records_of_b
    for user in [world.lead, *world.users.values()]:
        client.force_login(user)
        incidents = client.get("/incidents/").content.decode()
        reports = client.get("/reports/").content.decode()
        assert "B-only incident" not in incidents
        assert report.reference not in reports
    client.force_login(world.other_lead)
    assert "B-only incident" in client.get("/incidents/").content.decode()
    assert report.reference in client.get("/reports/").content.decode()


def test_another_agencys_records_are_not_found(world, client, records_of_b):
    incident, report = records_of_b
    client.force_login(world.lead)
    for url in (
        f"/incidents/{incident.pk}/",
        f"/incidents/{incident.pk}/edit/",
        f"/incidents/{incident.pk}/reported/",
        f"/incidents/{incident.pk}/close/",
        f"/reports/{report.pk}/",
        f"/reports/{report.pk}/triage/",
        f"/reports/{report.pk}/incident/",
        "/agencies/agency-b/report-settings/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/reports/{report.pk}/triage/", {"to_status": "acknowledged", "note": "mine now"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == "received"


def test_forms_offer_only_ones_own_agency_and_systems(world, client, records_of_b):
    client.force_login(world.lead)
    for url in ("/incidents/new/", "/reports/new/"):
        html = client.get(url).content.decode()
        assert "Agency B" not in html and "Beta" not in html, url
        assert "Agency A" in html and "Alpha" in html, url


def test_staff_of_another_agency_get_no_email(world, make_user, records_of_b):
    make_user("b-owner", world.b, "system_owner")
    mail.outbox.clear()
    services.submit_public_report(
        agency=world.a, system=world.system_a, kind="harm", description="d", client_address=""
    )
    recipients = {address for m in mail.outbox for address in m.to}
    assert recipients == {world.lead.email, world.users["system_owner"].email}


def test_only_triage_roles_see_a_reporters_email(world, client, make_user, records_of_b):
    _incident, report = records_of_b
    viewer = make_user("b-viewer", world.b, "viewer")
    client.force_login(viewer)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert page.count("B-only vulnerability details") == 1
    assert "finder@example.net" not in page
    client.force_login(world.other_lead)
    assert "finder@example.net" in client.get(f"/reports/{report.pk}/").content.decode()
