"""Moderating a comment writes to the audit log which comment, its move and whether a reason was
given, never the reason's words (they may quote the commenter). A comment is moderated once;
taking a published one down is its own act with its own audit event."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from ombuds.core.models import AuditEvent
from ombuds.transparency import services
from ombuds.transparency.models import CommentStatus
from tests.transparency.helpers import open_consultation, publish

REASON = "Mentions Mrs Quentina Blackwood of 12 Elm Road"
TAKEDOWN = "It names Mr Ignatius Foulkes and his claim"


def _everything_in(event: AuditEvent) -> str:
    return json.dumps(
        [
            event.action,
            event.actor_label,
            event.object_type,
            event.object_id,
            event.object_repr,
            event.changes,
        ]
    )


@pytest.fixture
def comments(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    consultation = open_consultation(world.system_a, world.lead)
    first = services.submit_comment(consultation, answers={None: "One."})[0]
    second = services.submit_comment(consultation, answers={0: "Two."})[0]
    return first, second


def test_the_reason_stays_with_the_comment_not_in_the_log(world, comments):
    kept_back, published = comments
    services.moderate(world.lead, kept_back, False, REASON)
    services.moderate(world.lead, published, True)
    services.unpublish_comment(world.lead, published, TAKEDOWN)
    kept_back.refresh_from_db()
    published.refresh_from_db()
    assert kept_back.reject_reason == REASON and published.reject_reason == TAKEDOWN
    assert published.status == CommentStatus.REJECTED
    events = AuditEvent.objects.filter(action__startswith="consultation.comment.")
    for event in events:
        text = _everything_in(event)
        for words in (REASON, TAKEDOWN, "Blackwood", "Foulkes"):
            assert words not in text, event.action
    moderated = events.filter(action="consultation.comment.moderate").order_by("id")
    assert [e.changes for e in moderated] == [
        {
            "comment": kept_back.pk,
            "status": {"from": "pending", "to": "rejected"},
            "reason_given": True,
        },
        {
            "comment": published.pk,
            "status": {"from": "pending", "to": "approved"},
            "reason_given": False,
        },
    ]
    takedown = events.get(action="consultation.comment.unpublish")
    assert takedown.changes["comment"] == published.pk and takedown.changes["reason_given"]


def test_a_moderated_comment_is_not_moderated_again(world, comments):
    kept_back, published = comments
    services.moderate(world.lead, kept_back, False, "Off topic.")
    services.moderate(world.lead, published, True)
    with pytest.raises(services.PublicationRefused):
        services.moderate(world.lead, kept_back, True)
    with pytest.raises(services.PublicationRefused):
        services.moderate(world.lead, published, False, "Changed my mind.")
    kept_back.refresh_from_db()
    published.refresh_from_db()
    assert kept_back.status == CommentStatus.REJECTED
    assert published.status == CommentStatus.APPROVED
    assert AuditEvent.objects.filter(action="consultation.comment.moderate").count() == 2


def test_taking_down_needs_a_reason_and_a_published_comment(world, comments, client):
    kept_back, published = comments
    services.moderate(world.lead, published, True)
    with pytest.raises(ValidationError):
        services.unpublish_comment(world.lead, published, "  ")
    with pytest.raises(services.PublicationRefused):
        services.unpublish_comment(world.lead, kept_back, "Not published yet.")
    consultation = published.consultation
    public = f"/public/systems/{world.system_a.pk}/consultations/{consultation.pk}/"
    assert "Two." in client.get(public).content.decode()
    client.force_login(world.users["system_owner"])
    base = f"/systems/{world.system_a.pk}/consultations/{consultation.pk}/comments/"
    client.post(f"{base}{published.pk}/unpublish/", {"reason": TAKEDOWN})
    client.logout()
    assert "Two." not in client.get(public).content.decode()
    client.force_login(world.users["viewer"])
    assert client.post(f"{base}{published.pk}/unpublish/", {"reason": "x"}).status_code == 403
