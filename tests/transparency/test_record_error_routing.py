"""An error reported in a public record reaches the system's owners and governance leads by
e-mail and on their list, and its answer shows on the sender's secret status link."""

from __future__ import annotations

import re

from django.core import mail

from ombuds.core.models import AuditEvent
from ombuds.transparency.models import RecordErrorReport
from tests.transparency.helpers import publish

SENDER = "sender.private@example.net"


def test_reported_routed_answered(world, client, make_user):
    system = world.system_a
    publish(system, world.users["system_owner"], world.lead)
    second_owner = make_user("a-owner-2", world.a, "system_owner")
    page = client.get(f"/public/systems/{system.pk}/").content.decode()
    assert f"/public/systems/{system.pk}/record-error/" in page
    response = client.post(
        f"/public/systems/{system.pk}/record-error/",
        {"description": "The contact address bounces.", "contact_email": SENDER},
    )
    assert response.status_code == 200
    body = response.content.decode()
    link = re.search(r'id="status-link" href="([^"]+)"', body).group(1)
    report = RecordErrorReport.objects.get()

    staff_mail = [m for m in mail.outbox if SENDER not in m.to]
    assert len(staff_mail) == 1
    assert set(staff_mail[0].to) == {
        world.users["system_owner"].email,
        second_owner.email,
        world.lead.email,
    }
    assert report.reference in staff_mail[0].subject
    assert "The contact address bounces." not in staff_mail[0].body
    assert [m.to for m in mail.outbox if SENDER in m.to] == [[SENDER]]
    # Not the other agency's lead, nor the case worker.
    assert world.other_lead.email not in staff_mail[0].to

    staff = client.__class__()
    staff.force_login(world.users["system_owner"])
    listing = staff.get("/agencies/agency-a/record-errors/").content.decode()
    assert report.reference in listing
    detail = f"/systems/{system.pk}/record-errors/{report.pk}/"
    assert "The contact address bounces." in staff.get(detail).content.decode()
    staff.post(detail, {"status": "corrected", "answer": "Fixed: the new address is live."})

    status = client.get(link).content.decode()
    assert "Corrected" in status and "Fixed: the new address is live." in status
    assert client.get(link[:-3] + "abc/").status_code == 404

    events = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    assert SENDER not in events and "bounces" not in events


def test_other_agencies_cannot_read_or_answer(world, client):
    from ombuds.transparency import services

    publish(world.system_a, world.users["system_owner"], world.lead)
    report, _token = services.report_record_error(world.system_a, description="Typo.")
    client.force_login(world.other_lead)
    url = f"/systems/{world.system_a.pk}/record-errors/{report.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(world.users["viewer"])
    assert client.get(url).status_code == 403
    report.refresh_from_db()
    assert report.status == "received"


def test_no_error_form_for_a_withheld_record(world, client):
    from ombuds.transparency import services

    services.withhold(world.lead, world.system_a, "National security act s. 3")
    assert client.get(f"/public/systems/{world.system_a.pk}/record-error/").status_code == 404
