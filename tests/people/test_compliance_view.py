"""The governance lead's compliance view: per system who operates it and their status; per
person their certificates, also as CSV. Nobody else sees it."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from ombuds.people.models import Assignment, Certificate


def setup(world):
    operator = world.users["operator"]
    Assignment.objects.create(
        system=world.system_a, user=operator, duty="decisions", assigned_by=world.lead
    )
    Certificate.objects.create(
        user=operator,
        module="general.automation-bias",
        module_version=1,
        completed_on=dt.date(2024, 1, 10),
        expires_on=dt.date(2025, 1, 10),
        score=80,
        source="import",
        recorded_by=world.lead,
    )
    today = timezone.localdate()
    Certificate.objects.create(
        user=world.users["case_worker"],
        module="general.override-escalate",
        module_version=1,
        completed_on=today,
        expires_on=today + dt.timedelta(days=365),
        source="app",
        recorded_by=world.users["case_worker"],
    )


def test_the_lead_sees_operators_and_certificates(world, client):
    setup(world)
    client.force_login(world.lead)
    html = client.get(f"/agencies/{world.a.slug}/compliance/").content.decode()
    assert "Alpha" in html and "a-operator" in html
    assert "Automation bias and how to resist it: 2024-01-10 → 2025-01-10" in html
    assert "Expired" in html and "Certified" in html
    response = client.get(f"/agencies/{world.a.slug}/compliance/certificates.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(r["username"], r["module"], r["status"]) for r in rows} == {
        ("a-operator", "general.automation-bias", "expired"),
        ("a-case_worker", "general.override-escalate", "certified"),
    }


def test_others_do_not(world, client):
    setup(world)
    client.force_login(world.users["system_owner"])
    assert client.get(f"/agencies/{world.a.slug}/compliance/").status_code == 403
    client.force_login(world.other_lead)
    assert client.get(f"/agencies/{world.a.slug}/compliance/certificates.csv").status_code == 404


def test_certificates_of_another_agencys_modules_are_left_out(world, client):
    """A member of two agencies: agency A's lead does not see B's own modules of theirs."""
    from ombuds.core.models import Membership

    operator = world.users["operator"]
    Membership.objects.create(user=operator, agency=world.b, role="operator")
    Certificate.objects.create(
        user=operator,
        module="agency-b.secret-casework",
        module_version=1,
        completed_on=dt.date(2026, 1, 10),
        source="import",
        recorded_by=world.other_lead,
    )
    setup(world)
    client.force_login(world.lead)
    html = client.get(f"/agencies/{world.a.slug}/compliance/").content.decode()
    assert "agency-b.secret-casework" not in html
    response = client.get(f"/agencies/{world.a.slug}/compliance/certificates.csv")
    assert "agency-b.secret-casework" not in response.content.decode()
