"""Card attachments: size limit, and the type is judged by content, never by the file name."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.registry.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 60


@pytest.fixture
def page(world, client):
    client.force_login(world.users["system_owner"])
    return f"/systems/{world.system_a.pk}/cards/model/"


def upload(client, page, name, content):
    return client.post(page, {"att-file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    "name,content,ctype",
    [
        ("model-card.pdf", PDF, "application/pdf"),
        ("diagram.png", PNG, "image/png"),
        ("notes.md", "# Notes – naïve\n".encode(), "text/markdown"),
    ],
)
def test_accepted_files(client, page, name, content, ctype):
    response = upload(client, page, name, content)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == ctype and attachment.original_name == name
    download = client.get(f"/systems/{attachment.system_id}/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == content


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("card.pdf", ELF, "not accepted"),
        ("card.pdf", b"\x00\x01\x02binary\xff\xfe", "not a recognised document type"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_refused_files_save_nothing(client, page, name, content, message, settings):
    response = upload(client, page, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_oversized_file_is_refused(client, page, settings):
    settings.OMBUDS_MAX_UPLOAD_BYTES = 1024
    response = upload(client, page, "big.pdf", PDF + b"0" * 2048)
    assert "the limit is" in response.content.decode()
    assert not Attachment.objects.exists()


def test_api_upload_refusal_names_the_file_field(world, client, token_for):
    response = client.post(
        f"/api/v1/systems/{world.system_a.pk}/cards/model/attachments",
        {"file": SimpleUploadedFile("x.pdf", ELF)},
        headers=token_for(world.lead),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
