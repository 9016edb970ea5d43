"""A consultation from opening to its published response: the public comments without an
account, only approved comments are published, the response shows with the system's record, and
a closed consultation takes no more comments."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ombuds.transparency import services
from ombuds.transparency.models import CommentStatus, ConsultationComment
from tests.transparency.helpers import open_consultation, publish


def _url(c) -> str:
    return f"/public/systems/{c.system_id}/consultations/{c.pk}/"


def test_open_comment_moderate_respond_close(world, client):
    system = world.system_a
    publish(system, world.users["system_owner"], world.lead)
    owner = world.users["system_owner"]
    staff = client.__class__()
    staff.force_login(owner)
    today = timezone.localdate()
    response = staff.post(
        f"/systems/{system.pk}/consultations/new/",
        {
            "title": "Ranking claims",
            "description": "Tell us what you think.",
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=14)).isoformat(),
            "questions": "Is the ranking fair?\nWhat should a person check?",
        },
    )
    assert response.status_code == 302
    consultation = system.consultations.get()
    assert consultation.questions == ["Is the ranking fair?", "What should a person check?"]

    # The system page lists it as open; the consultation page shows the questions and a form.
    page = client.get(f"/public/systems/{system.pk}/").content.decode()
    assert "Ranking claims" in page and "Open for comments until" in page
    page = client.get(_url(consultation)).content.decode()
    assert "Is the ranking fair?" in page and 'name="answer_0"' in page

    response = client.post(
        _url(consultation),
        {"answer_0": "Mostly fair.", "general": "Keep a person in charge.", "name": "Ana"},
    )
    assert response.status_code == 200
    assert "Comments received" in response.content.decode()
    comments = list(ConsultationComment.objects.filter(consultation=consultation))
    assert {c.question for c in comments} == {0, None}
    assert all(c.status == CommentStatus.PENDING for c in comments)
    assert not any(c.show_name for c in comments)
    # Waiting for moderation: not published.
    assert "Mostly fair." not in client.get(_url(consultation)).content.decode()

    # Moderation from the agency's queue: one published, one kept back with a reason.
    queue = staff.get("/agencies/agency-a/consultations/moderation/").content.decode()
    assert "Mostly fair." in queue and "Keep a person in charge." in queue
    answer = next(c for c in comments if c.question == 0)
    general = next(c for c in comments if c.question is None)
    base = f"/systems/{system.pk}/consultations/{consultation.pk}/comments/"
    assert staff.post(f"{base}{answer.pk}/moderate/", {"decision": "approve"}).status_code == 302
    staff.post(f"{base}{general.pk}/moderate/", {"decision": "reject"})
    general.refresh_from_db()
    assert general.status == CommentStatus.PENDING  # a rejection needs its reason
    staff.post(f"{base}{general.pk}/moderate/", {"decision": "reject", "reason": "Off topic."})
    general.refresh_from_db()
    assert general.status == CommentStatus.REJECTED and general.reject_reason == "Off topic."
    assert ConsultationComment.objects.filter(consultation=consultation).count() == 2

    page = client.get(_url(consultation)).content.decode()
    assert "Mostly fair." in page and "Keep a person in charge." not in page
    assert "Ana" not in page  # the name was given without consent to show it
    data = client.get(_url(consultation) + "?format=json").json()
    assert [c["text"] for c in data["comments"]] == ["Mostly fair."]
    assert data["comments"][0]["question"] == "Is the ranking fair?"

    # Closed: read-only.
    staff.post(f"/systems/{system.pk}/consultations/{consultation.pk}/close/")
    page = client.get(_url(consultation)).content.decode()
    assert 'name="answer_0"' not in page and "Mostly fair." in page
    refused = client.post(_url(consultation), {"general": "Too late?"})
    assert refused.status_code == 409
    assert "closed" in refused.content.decode()
    assert ConsultationComment.objects.filter(consultation=consultation).count() == 2

    # Once closed, the response is published with the system's record.
    staff.post(
        f"/systems/{system.pk}/consultations/{consultation.pk}/response/",
        {"heard": "People want a person to check.", "changed": "A person reads every claim."},
    )
    page = client.get(f"/public/systems/{system.pk}/").content.decode()
    assert "People want a person to check." in page and "A person reads every claim." in page
    data = client.get(f"/public/systems/{system.pk}/?format=json").json()
    assert data["consultations"][0]["response"]["what_we_changed"] == "A person reads every claim."


def test_a_consultation_past_its_closing_day_refuses_comments(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    today = timezone.localdate()
    consultation = open_consultation(
        world.system_a,
        world.lead,
        opens_on=today - dt.timedelta(days=10),
        closes_on=today - dt.timedelta(days=1),
    )
    assert client.post(_url(consultation), {"general": "Hello"}).status_code == 409
    assert not ConsultationComment.objects.exists()


def test_a_consultation_not_yet_open_is_not_public(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    today = timezone.localdate()
    consultation = open_consultation(
        world.system_a, world.lead, opens_on=today + dt.timedelta(days=3)
    )
    assert client.get(_url(consultation)).status_code == 404


def test_consultations_of_a_retracted_record_are_gone_from_the_public(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    consultation = open_consultation(world.system_a, world.lead)
    services.retract(world.lead, world.system_a, "Rewriting it.")
    assert client.get(_url(consultation)).status_code == 404


def test_questions_do_not_change_once_answered(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    consultation = open_consultation(world.system_a, world.lead)
    services.submit_comment(consultation, answers={0: "Yes."})
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.edit_consultation(
            world.lead,
            consultation,
            {
                "title": consultation.title,
                "opens_on": consultation.opens_on,
                "closes_on": consultation.closes_on,
                "questions": ["Another question?"],
            },
        )
    assert "questions" in refused.value.message_dict


def test_other_agencies_and_viewers_cannot_manage_or_moderate(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    consultation = open_consultation(world.system_a, world.lead)
    comment = services.submit_comment(consultation, answers={None: "Hello."})[0]
    url = f"/systems/{world.system_a.pk}/consultations/{consultation.pk}/comments/{comment.pk}/"
    client.force_login(world.other_lead)
    assert client.post(url + "moderate/", {"decision": "approve"}).status_code == 404
    client.force_login(world.users["viewer"])
    assert client.post(url + "moderate/", {"decision": "approve"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
