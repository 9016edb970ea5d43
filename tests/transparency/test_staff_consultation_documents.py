"""Staff open the documents of their consultations whatever the public may see (before the
consultation opens, while the record is not published), and take a mistaken upload away: the
file leaves storage, the public link answers "not found", and the audit log keeps only the
document's id and the hashes of its name and content."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ombuds.core.models import AuditEvent
from ombuds.transparency import services
from ombuds.transparency.models import ConsultationDocument
from tests.transparency.helpers import open_consultation, publish

NAME = "claimants-Jorunn-Vestergaard.txt"
CONTENT = b"The list of claimants, uploaded by mistake."


@pytest.fixture
def upcoming(world):
    """A consultation not open yet, on a system whose record is not published."""
    today = timezone.localdate()
    consultation = open_consultation(
        world.system_a,
        world.lead,
        opens_on=today + dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=20),
    )
    doc = services.add_document(
        world.lead, consultation, SimpleUploadedFile(NAME, CONTENT, "text/plain")
    )
    return consultation, doc


def _urls(world, consultation, doc):
    staff = f"/systems/{world.system_a.pk}/consultations/{consultation.pk}/documents/{doc.pk}/"
    public = (
        f"/public/systems/{world.system_a.pk}/consultations/{consultation.pk}/documents/{doc.pk}/"
    )
    return staff, public


def test_staff_open_a_document_the_public_cannot_see_yet(world, client, upcoming):
    consultation, doc = upcoming
    staff, public = _urls(world, consultation, doc)
    assert client.get(public).status_code == 404
    client.force_login(world.users["viewer"])
    response = client.get(staff)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert "attachment" in response["Content-Disposition"]
    page = client.get(f"/systems/{world.system_a.pk}/consultations/{consultation.pk}/")
    assert f'href="{staff}"' in page.content.decode()
    client.force_login(world.other_lead)
    assert client.get(staff).status_code == 404


def test_removing_a_mistaken_upload(world, client, upcoming, django_capture_on_commit_callbacks):
    consultation, doc = upcoming
    publish(world.system_a, world.users["system_owner"], world.lead)
    consultation.opens_on = timezone.localdate()
    consultation.save()
    staff, public = _urls(world, consultation, doc)
    assert client.get(public).status_code == 200
    stored = doc.file.name
    storage = doc.file.storage
    assert storage.exists(stored)

    client.force_login(world.users["viewer"])
    assert client.post(staff + "remove/", {"reason": "Wrong file."}).status_code == 403
    client.force_login(world.users["system_owner"])
    kept = client.post(staff + "remove/", {"reason": ""}, follow=True).content.decode()
    assert "Say why the document is removed." in kept and storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once committed
        client.post(staff + "remove/", {"reason": "It lists claimants by name."})

    assert not ConsultationDocument.objects.filter(pk=doc.pk).exists()
    assert not storage.exists(stored)
    client.logout()
    assert client.get(public).status_code == 404
    data = client.get(
        f"/public/systems/{world.system_a.pk}/consultations/{consultation.pk}/?format=json"
    ).json()
    assert data["documents"] == []

    event = AuditEvent.objects.get(action="consultation.document.remove")
    assert event.changes == {
        "document": doc.pk,
        "name_sha256": hashlib.sha256(NAME.encode()).hexdigest(),
        "sha256": hashlib.sha256(CONTENT).hexdigest(),
    }
    for logged in AuditEvent.objects.filter(action__startswith="consultation.document"):
        assert "Vestergaard" not in str(logged.changes) + logged.object_repr, logged.action
    assert "claimants by name" not in str(event.changes)
