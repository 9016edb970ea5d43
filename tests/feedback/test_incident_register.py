"""The incident register on the web: record, edit, list overdue first, record the report to the
authority; the audit log says what changed without copying what was written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ombuds.core.models import AuditEvent
from ombuds.feedback import services
from ombuds.feedback.models import Incident

pytestmark = pytest.mark.django_db


def fmt(when):
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def alert_on(system, lead, metric="selection_rate_gap"):
    """An alert of the monitoring app on the system, as a breached threshold raises it."""
    from ombuds.monitoring.models import Alert
    from tests.assessments.builders import watch

    return Alert.objects.create(
        system=system,
        monitor=watch(system, lead),
        severity="critical",
        metric=metric,
        message=f"{metric} above the critical threshold",
    )


def test_record_an_incident_on_the_web(world, client):
    first = alert_on(world.system_a, world.lead)
    second = alert_on(world.system_a, world.lead, "override_rate")
    client.force_login(world.users["system_owner"])
    assert client.get("/incidents/new/").status_code == 200
    aware = timezone.now() - dt.timedelta(days=1)
    response = client.post(
        "/incidents/new/",
        {
            "agency": world.a.pk,
            "title": "Patient triage gave wrong priority",
            "description": "A patient was seen 6 hours late.",
            "systems": [world.system_a.pk],
            "harm_category": "health",
            "aware_at": fmt(aware),
            "alert_ids": f"{first.pk}, #{second.pk}",
            "corrective_actions": "Threshold reverted.",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.alert_ids == [first.pk, second.pk]
    assert incident.created_by == world.users["system_owner"]
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "14 days left" in page
    assert f"Alert #{first.pk}</a> (Alpha, Critical: selection_rate_gap)" in page
    assert f"Alert #{second.pk}</a> (Alpha, Critical: override_rate)" in page
    assert f'href="/systems/{world.system_a.pk}/monitoring/"' in page
    assert f'href="/systems/{world.system_a.pk}/"' in page
    event = AuditEvent.objects.get(action="incident.create")
    assert event.changes["description"] == {"changed": True}  # what was written is not copied
    assert "6 hours late" not in str(event.changes)
    assert event.changes["harm_category"]["to"] == "health"


def test_systems_of_another_agency_are_refused(world, client):
    client.force_login(world.lead)
    response = client.post(
        "/incidents/new/",
        {
            "agency": world.a.pk,
            "title": "t",
            "description": "d",
            "systems": [world.system_b.pk],
            "harm_category": "other",
            "aware_at": fmt(timezone.now()),
        },
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not Incident.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.create_incident(
            world.lead,
            world.a,
            {
                "title": "t",
                "description": "d",
                "harm_category": "other",
                "aware_at": timezone.now(),
                "systems": [world.system_b],
            },
        )
    assert "systems" in refused.value.message_dict


def test_alerts_of_another_agency_or_unknown_are_refused(world):
    theirs = alert_on(world.system_b, world.other_lead)
    mine = alert_on(world.system_a, world.lead)
    values = {"title": "t", "description": "d", "harm_category": "other"}
    with pytest.raises(ValidationError) as refused:
        services.create_incident(
            world.lead,
            world.a,
            {**values, "aware_at": timezone.now(), "alert_ids": [mine.pk, theirs.pk, 999999]},
        )
    assert refused.value.message_dict["alert_ids"] == [
        f"Not alerts of Agency A: #{theirs.pk}, #999999."
    ]
    incident = services.create_incident(
        world.lead, world.a, {**values, "aware_at": timezone.now(), "alert_ids": [mine.pk]}
    )
    assert incident.alert_ids == [mine.pk]


def test_edit_and_record_the_report(world, client):
    now = timezone.now()
    incident = services.create_incident(
        world.lead,
        world.a,
        {
            "title": "t",
            "description": "d",
            "harm_category": "death",
            "aware_at": now - dt.timedelta(hours=2),
        },
    )
    client.force_login(world.lead)
    form = client.get(f"/incidents/{incident.pk}/edit/").content.decode()
    assert 'value="death"' in form and "checked" in form
    response = client.post(
        f"/incidents/{incident.pk}/edit/",
        {
            "title": "Renamed",
            "description": "d",
            "harm_category": "death",
            "aware_at": fmt(incident.aware_at),
            "corrective_actions": "Suspended the system.",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="incident.update").changes == {
        "title": {"changed": True},
        "corrective_actions": {"changed": True},
    }
    response = client.post(
        f"/incidents/{incident.pk}/reported/",
        {"authority": "Market surveillance authority", "authority_reference": "X-1"},
    )
    assert response.status_code == 302
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Market surveillance authority" in page and "on time" in page
    response = client.post(f"/incidents/{incident.pk}/close/", {"closing_note": "Done."})
    assert Incident.objects.get().status == "closed"


def test_the_list_shows_overdue_first(world, client):
    now = timezone.now()

    def make(title, category, days_ago):
        return services.create_incident(
            world.lead,
            world.a,
            {
                "title": title,
                "description": "d",
                "harm_category": category,
                "aware_at": now - dt.timedelta(days=days_ago),
            },
        )

    make("Minor glitch", "service", 0)
    make("Fresh health harm", "health", 1)
    make("Late infrastructure", "critical_infrastructure", 5)
    make("Late death", "death", 12)
    client.force_login(world.users["viewer"])
    html = client.get("/incidents/").content.decode()
    order = [
        html.index(t)
        for t in ("Late infrastructure", "Late death", "Fresh health harm", "Minor glitch")
    ]
    assert order == sorted(order)
    assert "overdue by 3 days" in html and "overdue by 2 days" in html
    assert "not required" in html


def test_viewers_read_but_do_not_record(world, client):
    incident = services.create_incident(
        world.lead,
        world.a,
        {"title": "t", "description": "d", "harm_category": "other", "aware_at": timezone.now()},
    )
    client.force_login(world.users["viewer"])
    assert client.get(f"/incidents/{incident.pk}/").status_code == 200
    assert client.get("/incidents/new/").status_code == 403
    assert client.post(f"/incidents/{incident.pk}/edit/", {"title": "x"}).status_code == 403
    assert client.post(f"/incidents/{incident.pk}/close/", {"closing_note": "x"}).status_code == 403
    assert Incident.objects.get().status == "open"
