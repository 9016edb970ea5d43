"""A report can become an incident in one action; the two then point at each other."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ombuds.core.models import AuditEvent
from ombuds.feedback import services
from ombuds.feedback.models import Incident, ReportEvent

pytestmark = pytest.mark.django_db


def test_one_action_links_both_ways(world, public_report, t0):
    report, _token = public_report
    later = t0 + dt.timedelta(days=1)
    incident = services.report_to_incident(
        world.lead,
        report,
        title="Triage score misused",
        harm_category="fundamental_rights",
        now=later,
    )
    report.refresh_from_db()
    assert report.incident == incident
    assert list(incident.reports.all()) == [report]
    assert list(incident.systems.all()) == [world.system_a]
    assert incident.agency == world.a
    # The agency became aware when the report arrived: the 15 days count from then.
    assert incident.aware_at == t0
    assert incident.report_due_at == dt.datetime(2026, 3, 17, 9, 30, tzinfo=dt.UTC)
    assert report.reference in incident.description
    note = ReportEvent.objects.get(report=report)
    assert incident.reference in note.note and note.from_status == note.to_status == "received"
    assert AuditEvent.objects.filter(action="report.incident", object_id=str(report.pk)).exists()
    assert AuditEvent.objects.filter(action="incident.create", object_id=str(incident.pk)).exists()
    with pytest.raises(ValidationError):
        services.report_to_incident(world.lead, report, title="again", harm_category="other")
    assert Incident.objects.count() == 1


def test_on_the_web(world, public_report, client):
    report, _token = public_report
    client.force_login(world.users["assessor"])
    detail = client.get(f"/reports/{report.pk}/").content.decode()
    assert f'href="/reports/{report.pk}/incident/"' in detail
    form = client.get(f"/reports/{report.pk}/incident/").content.decode()
    assert 'value="2026-03-02T09:30"' in form  # aware since receipt, by default
    response = client.post(
        f"/reports/{report.pk}/incident/",
        {"title": "Misuse of triage", "harm_category": "health", "aware_at": "2026-03-02T09:30"},
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert f'href="/reports/{report.pk}/"' in page
    again = client.get(f"/reports/{report.pk}/").content.decode()
    assert f'href="/incidents/{incident.pk}/"' in again
    assert f'href="/reports/{report.pk}/incident/"' not in again


def test_roles_that_cannot_record_incidents_cannot_convert(world, public_report, client):
    report, _token = public_report
    client.force_login(world.users["viewer"])
    assert client.get(f"/reports/{report.pk}/incident/").status_code == 403
    assert (
        client.post(
            f"/reports/{report.pk}/incident/",
            {"title": "t", "harm_category": "other", "aware_at": "2026-03-02T09:30"},
        ).status_code
        == 403
    )
    assert not Incident.objects.exists()
