"""From a critical alert to a suspended system in one action, and back only through the gate."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from ombuds.core.models import AuditEvent
from ombuds.monitoring import runner
from ombuds.monitoring.models import Alert
from ombuds.registry import lifecycle
from ombuds.registry.models import AISystem

TODAY = dt.date(2026, 3, 2)


def deployed(world, impact="neither"):
    AISystem.objects.filter(pk=world.system_a.pk).update(
        stage="deployed", impact_determination=impact
    )
    world.system_a.refresh_from_db()
    return world.system_a


def test_critical_alert_suspend_in_one_action_and_resume_through_the_gate(
    world, make_monitor, client, django_capture_on_commit_callbacks
):
    system = deployed(world, impact="rights")
    make_monitor("performance")
    runner.run_monitor(system.monitors.get(), today=TODAY)
    client.force_login(world.lead)
    page = client.get(f"/systems/{system.pk}/monitoring/").content.decode()
    assert "Suspension recommended" in page
    assert client.get("/monitoring/").content.decode().count(system.name) >= 1

    # A reason is required.
    refused = client.post(f"/systems/{system.pk}/suspend/", {"reason": ""})
    assert refused.status_code == 200
    system.refresh_from_db()
    assert system.stage == "deployed"
    mail.outbox.clear()
    client.post(f"/systems/{system.pk}/suspend/", {"reason": "Accuracy fell for women."})
    system.refresh_from_db()
    assert system.stage == "suspended"
    event = AuditEvent.objects.filter(action="system.transition").latest("id")
    assert event.changes["stage"] == {"from": "deployed", "to": "suspended"}
    assert any("Suspended" in m.subject for m in mail.outbox)

    # Resuming passes the gate: open critical alerts block it until acknowledged with a note.
    statuses = {s.id: s for s in lifecycle.gate(system, "deployed")}
    assert statuses["monitoring.no-open-critical"].state == "unmet"
    assert "not yet acknowledged" in statuses["monitoring.no-open-critical"].detail
    for alert in Alert.objects.filter(severity="critical"):
        response = client.post(
            f"/systems/{system.pk}/monitoring/alerts/{alert.pk}/acknowledge/",
            {"note": "Retrained with corrected labels; fairness audit attached."},
        )
        assert response.status_code == 302
    statuses = {s.id: s for s in lifecycle.gate(system, "deployed")}
    assert statuses["monitoring.no-open-critical"].state == "met"
    assert statuses["monitoring.active"].state == "met"


def test_only_the_governance_lead_suspends(world, make_monitor, client):
    system = deployed(world)
    client.force_login(world.users["system_owner"])
    assert client.post(f"/systems/{system.pk}/suspend/", {"reason": "x"}).status_code == 403
    client.force_login(world.other_lead)
    assert client.post(f"/systems/{system.pk}/suspend/", {"reason": "x"}).status_code == 404
    system.refresh_from_db()
    assert system.stage == "deployed"


def test_another_agency_sees_nothing_of_these_monitors(world, make_monitor, client):
    system = deployed(world)
    monitor = make_monitor("performance")
    runner.run_monitor(monitor, today=TODAY)
    client.force_login(world.other_lead)
    assert client.get(f"/systems/{system.pk}/monitoring/").status_code == 404
    assert client.get(f"/systems/{system.pk}/monitoring/monitors/{monitor.pk}/").status_code == 404
    overview = client.get("/monitoring/").content.decode()
    assert system.name not in overview and "accuracy_drop" not in overview


def test_the_time_series_page_draws_each_figure_with_its_table(world, make_monitor, client):
    monitor = make_monitor("performance")
    runner.run_monitor(monitor, today=TODAY)
    client.force_login(world.users["viewer"])
    page = client.get(f"/systems/{world.system_a.pk}/monitoring/monitors/{monitor.pk}/")
    text = page.content.decode()
    assert text.count("<svg") >= 4  # accuracy, tpr, fpr, accuracy_drop, …
    assert "critical (above) 0.1" in text  # the threshold line, labelled
    assert "<td>2026-02-23</td>" in text  # the table twin
