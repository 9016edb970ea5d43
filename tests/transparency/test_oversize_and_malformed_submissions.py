"""Oversize or malformed submissions are refused with a message naming the problem, and
nothing is stored."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ombuds.transparency import services
from ombuds.transparency.models import (
    ConsultationComment,
    ConsultationDocument,
    OptOutRequest,
    RecordErrorReport,
)
from tests.transparency.helpers import open_consultation, publish


@pytest.fixture
def consultation(world):
    publish(world.system_a, world.users["system_owner"], world.lead, opt_out_available=True)
    return open_consultation(world.system_a, world.lead)


def test_a_body_too_big_is_refused_before_it_is_read(consultation, client):
    url = f"/public/systems/{consultation.system_id}/consultations/{consultation.pk}/"
    response = client.post(url, {"general": "x" * 70_000})
    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not ConsultationComment.objects.exists()


def test_too_long_or_empty_comments_are_refused_with_a_message(consultation, client):
    url = f"/public/systems/{consultation.system_id}/consultations/{consultation.pk}/"
    long = client.post(url, {"answer_0": "x" * 3001})
    assert long.status_code == 400
    assert "at most 3000 characters" in long.content.decode()
    empty = client.post(url, {"general": "   "})
    assert empty.status_code == 400
    assert "Write an answer to at least one question" in empty.content.decode()
    nul = client.post(url, {"general": "bad\x00text"})
    assert nul.status_code == 400
    assert not ConsultationComment.objects.exists()


def test_malformed_contact_details_are_refused(consultation, client):
    system = consultation.system
    bad_email = client.post(
        f"/public/systems/{system.pk}/record-error/",
        {"description": "Typo", "contact_email": "not-an-address"},
    )
    assert bad_email.status_code == 400
    assert re.search(r"valid e-?mail address", bad_email.content.decode())
    no_text = client.post(f"/public/systems/{system.pk}/record-error/", {"description": ""})
    assert no_text.status_code == 400 and "required" in no_text.content.decode()
    optout = client.post(
        f"/public/systems/{system.pk}/opt-out/", {"contact_email": "x@", "details": "y" * 6000}
    )
    assert optout.status_code == 400
    body = optout.content.decode()
    assert re.search(r"valid e-?mail address", body) and "5000" in body
    assert not RecordErrorReport.objects.exists() and not OptOutRequest.objects.exists()


def test_a_consultation_must_close_after_it_opens(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.open_consultation(
            world.lead,
            world.system_a,
            {
                "title": "T",
                "opens_on": today,
                "closes_on": today - dt.timedelta(days=1),
                "questions": [],
            },
        )
    assert "closes_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as too_many:
        services.open_consultation(
            world.lead,
            world.system_a,
            {
                "title": "T",
                "opens_on": today,
                "closes_on": today,
                "questions": [f"Q{i}?" for i in range(11)],
            },
        )
    assert "questions" in too_many.value.message_dict


def test_a_document_of_the_wrong_type_or_too_big_is_refused(consultation, world, client, settings):
    url = f"/systems/{consultation.system_id}/consultations/{consultation.pk}/documents/"
    client.force_login(world.lead)
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03" + b"\x00" * 200)
    response = client.post(url, {"file": exe}, follow=True)
    assert "not a recognised document type" in response.content.decode() or (
        "not accepted" in response.content.decode()
    )
    settings.OMBUDS_MAX_UPLOAD_BYTES = 10
    big = SimpleUploadedFile("plan.txt", b"x" * 100, "text/plain")
    response = client.post(url, {"file": big}, follow=True)
    assert "the limit is" in response.content.decode()
    assert not ConsultationDocument.objects.exists()
    settings.OMBUDS_MAX_UPLOAD_BYTES = 10_000
    ok = SimpleUploadedFile("plan.txt", b"The plan.", "text/plain")
    client.post(url, {"file": ok})
    document = ConsultationDocument.objects.get()
    client.logout()
    public = client.get(
        f"/public/systems/{consultation.system_id}/consultations/{consultation.pk}/"
        f"documents/{document.pk}/"
    )
    assert public.status_code == 200 and b"".join(public.streaming_content) == b"The plan."
    assert "attachment" in public["Content-Disposition"]
