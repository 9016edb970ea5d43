"""Triage: received → acknowledged → investigating → resolved / not reproducible, every step with
a note, and a response deadline per agency (10 days from receipt unless the agency sets another).
Time is passed in, never waited for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ombuds.core.models import AuditEvent
from ombuds.feedback import services
from ombuds.feedback.models import Report, ReportEvent

pytestmark = pytest.mark.django_db


def receive(agency, now, **kw):
    report, _token = services.submit_public_report(
        agency=agency,
        system=None,
        kind=kw.pop("kind", "vulnerability"),
        description="d",
        client_address=kw.pop("ip", ""),
        now=now,
    )
    return report


def test_the_deadline_is_ten_days_from_receipt_by_default(world, t0):
    report = receive(world.a, t0)
    assert report.respond_by == dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC)
    assert not report.is_overdue(dt.datetime(2026, 3, 12, 9, 29, tzinfo=dt.UTC))
    assert report.is_overdue(dt.datetime(2026, 3, 12, 9, 31, tzinfo=dt.UTC))
    left = services.countdown(report.respond_by, dt.datetime(2026, 3, 5, 17, 0, tzinfo=dt.UTC))
    assert (left.overdue, left.days) == (False, 7)
    late = services.countdown(report.respond_by, dt.datetime(2026, 3, 15, 8, 0, tzinfo=dt.UTC))
    assert (late.overdue, late.days) == (True, 3)


def test_each_agency_sets_its_own_response_time(world, t0, client):
    client.force_login(world.lead)
    response = client.post("/agencies/agency-a/report-settings/", {"response_days": "3"})
    assert response.status_code == 302
    assert services.response_days(world.a) == 3
    assert services.response_days(world.b) == 10
    assert receive(world.a, t0).respond_by == t0 + dt.timedelta(days=3)
    assert receive(world.b, t0, ip="x").respond_by == t0 + dt.timedelta(days=10)
    assert AuditEvent.objects.filter(action="report.settings").count() == 1
    bad = client.post("/agencies/agency-a/report-settings/", {"response_days": "0"})
    assert bad.status_code == 200 and "error-summary" in bad.content.decode()
    # A system owner may not change it.
    client.force_login(world.users["system_owner"])
    assert client.get("/agencies/agency-a/report-settings/").status_code == 403


def test_the_steps_go_in_order_each_with_a_note(world, t0):
    report = receive(world.a, t0)
    with pytest.raises(ValidationError) as skipped:
        services.triage(world.lead, report, "resolved", "fixed", now=t0)
    assert "can move to: Acknowledged" in str(skipped.value)
    with pytest.raises(ValidationError) as no_note:
        services.triage(world.lead, report, "acknowledged", "  ", now=t0)
    assert "note" in no_note.value.message_dict
    later = t0 + dt.timedelta(days=2)
    services.triage(world.lead, report, "acknowledged", "Seen; passing to the vendor.", now=later)
    report.refresh_from_db()
    assert report.status == "acknowledged" and report.acknowledged_at == later
    assert not report.is_overdue(t0 + dt.timedelta(days=30))  # acknowledged: no longer due
    services.triage(world.users["assessor"], report, "investigating", "Reproducing", now=later)
    services.triage(
        world.lead, report, "resolved", "Patched in 2.1", "Fixed, thank you.", now=later
    )
    report.refresh_from_db()
    assert report.status == "resolved" and report.closed_at == later
    # A closed report can be reopened for investigation, with a note.
    services.triage(world.lead, report, "investigating", "It came back", now=later)
    report.refresh_from_db()
    assert report.status == "investigating" and report.closed_at is None
    steps = list(ReportEvent.objects.filter(report=report).values_list("from_status", "to_status"))
    assert steps == [
        ("received", "acknowledged"),
        ("acknowledged", "investigating"),
        ("investigating", "resolved"),
        ("resolved", "investigating"),
    ]
    actions = AuditEvent.objects.filter(object_id=str(report.pk), object_type="feedback.report")
    assert actions.filter(action="report.triage").count() == 4


def test_only_triage_roles_move_a_report(world, t0):
    from django.core.exceptions import PermissionDenied

    report = receive(world.a, t0)
    for role in ("operator", "viewer", "case_worker", "procurement_officer"):
        with pytest.raises(PermissionDenied):
            services.triage(world.users[role], report, "acknowledged", "n", now=t0)
    services.triage(world.users["system_owner"], report, "acknowledged", "n", now=t0)


def test_the_overdue_list_puts_late_reports_first(world, client):
    from django.utils import timezone

    now = timezone.now()  # the page reads the clock
    fresh = receive(world.a, now, ip="1")
    late = receive(world.a, now - dt.timedelta(days=20), ip="2")
    done = receive(world.a, now - dt.timedelta(days=30), ip="3")
    services.triage(world.lead, done, "acknowledged", "n", now=now - dt.timedelta(days=29))
    client.force_login(world.users["viewer"])
    html = client.get("/reports/").content.decode()
    assert html.index(late.reference) < html.index(fresh.reference) < html.index(done.reference)
    assert "overdue by" in html
    only = client.get("/reports/?overdue=1").content.decode()
    assert late.reference in only and fresh.reference not in only and done.reference not in only


def test_triage_on_the_web(world, client, t0):
    report = receive(world.a, t0)
    client.force_login(world.users["assessor"])
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert f'action="/reports/{report.pk}/triage/"' in page
    response = client.post(
        f"/reports/{report.pk}/triage/",
        {"to_status": "acknowledged", "note": "Checked.", "public_response": "Thanks."},
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == "acknowledged"
    refused = client.post(f"/reports/{report.pk}/triage/", {"to_status": "resolved", "note": "n"})
    assert refused.status_code == 200 and "error-summary" in refused.content.decode()


def test_a_staff_member_enters_a_report_from_a_phone_call(world, client):
    client.force_login(world.users["operator"])
    response = client.post(
        "/reports/new/",
        {
            "agency": world.a.pk,
            "system": world.system_a.pk,
            "kind": "misuse",
            "description": "A caller says the system is used to screen tenants.",
        },
    )
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.channel == "internal" and report.submitted_by == world.users["operator"]
    assert report.reference in response.content.decode()
    assert f"/public/report/{report.reference}/" in response.content.decode()
    # Not in another agency's name.
    other = client.post(
        "/reports/new/", {"agency": world.b.pk, "kind": "misuse", "description": "d"}
    )
    assert other.status_code == 200 and Report.objects.count() == 1
