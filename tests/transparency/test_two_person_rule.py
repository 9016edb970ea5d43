"""One person drafts and submits a public record; a governance lead who did not write it
publishes it — on the web and through the API (409 with a reason otherwise)."""

from __future__ import annotations

import pytest

from ombuds.core.models import AuditEvent
from ombuds.transparency import services
from ombuds.transparency.models import PublicRecordVersion
from tests.transparency.helpers import FIELDS


def test_drafter_cannot_publish_own_record(world):
    services.save_draft(world.lead, world.system_a, FIELDS)
    services.submit(world.lead, world.system_a)
    with pytest.raises(services.PublicationRefused) as refused:
        services.publish(world.lead, world.system_a)
    assert refused.value.rule == "record-two-person"
    assert not PublicRecordVersion.objects.exists()


def test_an_editor_cannot_publish_either(world, make_user):
    other_lead = make_user("lead-2", world.a, "governance_lead")
    services.save_draft(world.lead, world.system_a, FIELDS)
    services.save_draft(world.users["system_owner"], world.system_a, {"risks": "Reviewed."})
    services.submit(world.users["system_owner"], world.system_a)
    with pytest.raises(services.PublicationRefused):
        services.publish(world.lead, world.system_a)
    version = services.publish(other_lead, world.system_a)
    assert version.number == 1 and version.snapshot["fields"]["risks"] == "Reviewed."


def test_only_the_drafter_submits(world):
    services.save_draft(world.users["system_owner"], world.system_a, FIELDS)
    with pytest.raises(services.PublicationRefused) as refused:
        services.submit(world.lead, world.system_a)
    assert refused.value.rule == "record-drafter-submits"


def test_unsubmitted_draft_cannot_be_published(world):
    services.save_draft(world.users["system_owner"], world.system_a, FIELDS)
    with pytest.raises(services.PublicationRefused) as refused:
        services.publish(world.lead, world.system_a)
    assert refused.value.rule == "record-not-submitted"


def test_second_person_publishes_with_audit_events(world):
    owner = world.users["system_owner"]
    services.save_draft(owner, world.system_a, FIELDS)
    services.submit(owner, world.system_a)
    services.publish(world.lead, world.system_a)
    actions = list(
        AuditEvent.objects.filter(action__startswith="record.").values_list("action", flat=True)
    )
    assert actions == ["record.draft", "record.submit", "record.publish"]


def test_web_pages_refuse_the_drafter_and_let_another_lead_publish(world, client):
    lead = world.lead
    client.force_login(lead)
    page = client.get(f"/systems/{world.system_a.pk}/public-record/edit/")
    assert page.status_code == 200
    data = {**FIELDS, "last_reviewed": "2026-01-31"}
    response = client.post(f"/systems/{world.system_a.pk}/public-record/edit/", data)
    assert response.status_code == 302
    client.post(f"/systems/{world.system_a.pk}/public-record/submit/")
    response = client.post(f"/systems/{world.system_a.pk}/public-record/publish/", follow=True)
    assert "a governance lead who did not write it" in response.content.decode()
    assert not PublicRecordVersion.objects.exists()
    client.force_login(world.admin)
    client.post(f"/systems/{world.system_a.pk}/public-record/publish/")
    assert PublicRecordVersion.objects.get().kind == "published"


def test_edit_page_is_prefilled_from_the_register(world, client):
    world.system_a.purpose_and_benefits = "Faster answers for urgent claims."
    world.system_a.public_contact = "help@agency.example"
    world.system_a.save()
    client.force_login(world.users["system_owner"])
    html = client.get(f"/systems/{world.system_a.pk}/public-record/edit/").content.decode()
    assert "Faster answers for urgent claims." in html and "help@agency.example" in html


def test_api_publish_by_the_drafter_is_409_with_a_reason(world, client, token_for):
    base = f"/api/v1/systems/{world.system_a.pk}/public-record"
    lead = token_for(world.lead)
    response = client.put(base, FIELDS, content_type="application/json", headers=lead)
    assert response.status_code == 200 and response.json()["drafter"] == world.lead.username
    assert (
        client.post(base + "/submit", {}, content_type="application/json", headers=lead).json()[
            "status"
        ]
        == "submitted"
    )
    refused = client.post(base + "/publish", {}, content_type="application/json", headers=lead)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["rule"] == "record-two-person" and "did not write it" in problem["detail"]

    admin = token_for(world.admin)
    done = client.post(base + "/publish", {}, content_type="application/json", headers=admin)
    assert done.status_code == 200 and done.json()["public_state"] == "published"
    again = client.post(base + "/publish", {}, content_type="application/json", headers=admin)
    assert again.status_code == 409 and again.json()["rule"] == "record-not-submitted"

    retract = client.post(
        base + "/retract",
        {"reason": "Being rewritten."},
        content_type="application/json",
        headers=admin,
    )
    assert retract.status_code == 200 and retract.json()["public_state"] == "retracted"
    no_reason = client.post(base + "/retract", {}, content_type="application/json", headers=admin)
    assert no_reason.status_code == 422


def test_api_submit_by_someone_else_is_409(world, client, token_for):
    base = f"/api/v1/systems/{world.system_a.pk}/public-record"
    client.put(base, FIELDS, content_type="application/json", headers=token_for(world.lead))
    owner = token_for(world.users["system_owner"])
    refused = client.post(base + "/submit", {}, content_type="application/json", headers=owner)
    assert refused.status_code == 409 and refused.json()["rule"] == "record-drafter-submits"


def test_api_refuses_an_impossible_date_naming_the_field(world, client, token_for):
    base = f"/api/v1/systems/{world.system_a.pk}/public-record"
    response = client.put(
        base,
        {"last_reviewed": "2026-02-30"},
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "last_reviewed"
