"""Recording what was done about an evaluation's findings ("findings addressed")."""

from __future__ import annotations

from ombuds.core.models import AuditEvent
from ombuds.evaluations import services


def test_an_assessor_records_the_response(world, client, gap_audit):
    evaluation = services.record_result(world.lead, world.system_a, gap_audit)
    url = f"/systems/{world.system_a.pk}/evaluations/{evaluation.pk}/response/"
    client.force_login(world.users["assessor"])
    too_short = client.post(url, {"findings_response": "Fixed."})
    assert too_short.status_code == 200 and "at least 20 characters" in too_short.content.decode()
    response = client.post(
        url,
        {"findings_response": "Decision threshold recalibrated for women; re-audit in June."},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Decision threshold recalibrated for women" in page
    assert "Not addressed yet" not in page
    event = AuditEvent.objects.get(action="evaluation.respond")
    assert event.actor_label == "a-assessor" and event.changes["evaluation"] == evaluation.pk


def test_only_assessors_and_leads_respond(world, client, gap_audit):
    evaluation = services.record_result(world.lead, world.system_a, gap_audit)
    url = f"/systems/{world.system_a.pk}/evaluations/{evaluation.pk}/response/"
    client.force_login(world.users["system_owner"])
    assert client.get(url).status_code == 403
    client.post(url, {"findings_response": "We decided the gap is acceptable for now."})
    evaluation.refresh_from_db()
    assert evaluation.findings_response == ""
