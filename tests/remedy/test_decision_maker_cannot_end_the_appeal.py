"""The person who took the original decision may neither review the appeal nor end or block it:
no withdrawing, no recording the remedy, no closing with the remedy refused. Staff may record who
decided (or link the notice) before the review; when nobody knows, the reviewer declares it was
not them, and the audit log says so. Withdrawing needs a note and the appellant's request."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ombuds.core.models import AuditEvent
from ombuds.remedy import services

from .helpers import APPELLANT


@pytest.fixture
def no_notice(world):
    case, _token = services.enter_appeal(
        world.lead, world.system_a, {**APPELLANT, "channel": "phone"}
    )
    return case


def test_the_decision_maker_may_not_withdraw(world, appeal):
    case, _token = appeal
    lead = world.lead
    # The lead took the first decision, recorded before the review.
    services.link_appeal(world.users["case_worker"], case, decision_maker=lead.username)
    with pytest.raises(ValidationError) as err:
        services.transition(lead, case, "withdrawn", note="Asked by phone.", appellant_asked=True)
    assert "different person" in str(err.value)
    case.refresh_from_db()
    assert case.state == "received"


def test_withdrawing_needs_a_note_and_the_appellants_request(world, appeal):
    case, _token = appeal
    worker = world.users["case_worker"]
    with pytest.raises(ValidationError) as err:
        services.transition(worker, case, "withdrawn")
    assert {"note", "appellant_asked"} <= set(err.value.message_dict)
    services.transition(worker, case, "withdrawn", note="Asked by phone.", appellant_asked=True)
    event = AuditEvent.objects.get(action="appeal.withdrawn")
    assert event.changes["appellant_asked"] is True


def test_the_decision_maker_may_not_record_or_refuse_the_remedy(world, no_notice, t0):
    worker = world.users["case_worker"]
    services.link_appeal(worker, no_notice, decision_maker=world.lead.username)
    services.transition(worker, no_notice, "acknowledged", now=t0)
    services.transition(worker, no_notice, "in_review", now=t0)
    services.transition(worker, no_notice, "decided", outcome="overturned", reasons="r", now=t0)
    with pytest.raises(ValidationError):
        services.transition(
            world.lead,
            no_notice,
            "remedy_done",
            remedy_kinds=["payment"],
            remedy_done_on="2026-03-02",
            now=t0,
        )
    with pytest.raises(ValidationError):
        services.transition(
            world.lead, no_notice, "closed", refuse_remedy=True, note="No money.", now=t0
        )
    no_notice.refresh_from_db()
    assert no_notice.state == "decided"


def test_nobody_known_the_reviewer_declares_it_was_not_them(world, no_notice, t0):
    services.transition(world.lead, no_notice, "acknowledged", now=t0)
    with pytest.raises(ValidationError) as err:
        services.transition(world.lead, no_notice, "in_review", now=t0)
    assert "not_original_decision_maker" in err.value.message_dict
    services.transition(world.lead, no_notice, "in_review", not_original_decision_maker=True)
    event = AuditEvent.objects.get(action="appeal.in_review")
    assert event.changes["declared_not_original_decision_maker"] is True


def test_the_declaration_box_on_the_case_page(world, client, no_notice):
    services.transition(world.lead, no_notice, "acknowledged")
    client.force_login(world.lead)
    url = f"/agencies/{world.a.slug}/appeals/{no_notice.pk}/step/"
    refused = client.post(url, {"to": "in_review"})
    assert refused.status_code == 400 and "confirm that it was not you" in refused.content.decode()
    assert (
        client.post(url, {"to": "in_review", "not_original_decision_maker": "on"}).status_code
        == 302
    )


def test_staff_link_a_notice_before_review_and_not_after(world, client, notice, no_notice):
    client.force_login(world.users["case_worker"])
    url = f"/agencies/{world.a.slug}/appeals/{no_notice.pk}/link/"
    assert client.post(url, {"notice_reference": notice.reference}).status_code == 302
    no_notice.refresh_from_db()
    assert no_notice.notice == notice  # the notice names the operator as the decision-maker
    services.transition(world.lead, no_notice, "acknowledged")
    with pytest.raises(ValidationError):
        services.transition(world.users["operator"], no_notice, "in_review")
    services.transition(world.lead, no_notice, "in_review")
    again = client.post(url, {"decision_maker": world.lead.username})
    assert again.status_code == 400 and "review has started" in again.content.decode()


def test_the_api_records_the_original_decision_maker(world, client, token_for, no_notice):
    response = client.post(
        f"/api/v1/appeals/{no_notice.pk}/link",
        {"decision_maker": world.users["operator"].username},
        content_type="application/json",
        headers=token_for(world.users["case_worker"]),
    )
    assert response.status_code == 200, response.content
    services.transition(world.lead, no_notice, "acknowledged")
    with pytest.raises(ValidationError):
        services.transition(world.users["operator"], no_notice, "in_review")
