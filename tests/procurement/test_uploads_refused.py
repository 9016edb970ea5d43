"""Uploads are checked by size and by content, not by name: vendor evidence and test data."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ombuds.procurement import services
from ombuds.procurement.models import Evidence, LocalDataset

from .helpers import csv_upload, make_procurement, synthetic

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def test_vendor_evidence_too_big_or_of_the_wrong_type_is_refused(world, settings):
    p, bid = make_procurement(world)
    request, token = services.send_due_diligence(world.lead, bid)
    client = Client()
    url = f"/public/vendor-requests/{token}/"
    response = client.post(
        url,
        {
            "q-model-card": "Attached.",
            "f-model-card": SimpleUploadedFile("card.pdf", EXE, "application/pdf"),
        },
    )
    assert response.status_code == 422
    assert "not a recognised document type" in response.content.decode() or (
        "not accepted" in response.content.decode()
    )
    settings.OMBUDS_MAX_UPLOAD_BYTES = 1024
    response = client.post(
        url,
        {
            "q-model-card": "Attached.",
            "f-model-card": SimpleUploadedFile("card.md", b"x" * 2048, "text/markdown"),
        },
    )
    assert response.status_code == 422
    assert "the limit is" in response.content.decode()
    assert not Evidence.objects.exists()
    assert request.answers.get(question_id="model-card").status == "open"


def test_test_data_too_big_or_not_a_table_is_refused(world, settings):
    p, _bid = make_procurement(world)
    settings.OMBUDS_PROCUREMENT_MAX_DATA_BYTES = 1000
    with pytest.raises(ValidationError) as err:
        services.upload_dataset(world.lead, p, csv_upload(synthetic({"a": (200, 0.9)})), "label")
    assert "limit" in " ".join(err.value.message_dict["file"])
    settings.OMBUDS_PROCUREMENT_MAX_DATA_BYTES = 10_000_000
    with pytest.raises(ValidationError) as err:
        services.upload_dataset(
            world.lead, p, SimpleUploadedFile("d.parquet", b"not parquet"), "label"
        )
    assert "not Parquet" in " ".join(err.value.message_dict["file"])
    with pytest.raises(ValidationError):
        services.upload_dataset(world.lead, p, SimpleUploadedFile("d.exe", EXE), "label")
    assert not LocalDataset.objects.exists()


def test_test_data_is_kept_under_the_procurement_folder(world, settings):
    p, _bid = make_procurement(world)
    data = services.upload_dataset(world.lead, p, csv_upload(synthetic({"a": (50, 0.9)})), "label")
    assert data.file.name.startswith(f"procurement/{p.pk}/")
    assert data.rows == 50 and "pred" in data.columns


SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_evidence_is_stored_under_a_name_the_server_chooses(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p, bid = make_procurement(world)
    request, _token = services.send_due_diligence(world.lead, bid)
    services.vendor_answer(
        request,
        {"system-card": "Attached."},
        {"system-card": [SimpleUploadedFile("card.exe", PNG, "application/octet-stream")]},
    )
    png = Evidence.objects.get()
    assert png.original_name == "card.exe"  # the vendor's name is kept as a label only
    assert png.file.name.startswith(f"procurement/{p.pk}/evidence/")
    assert png.file.name.endswith(".png")
    # Markup with script: refused by the type check, or kept as text, never as .html or .svg.
    for question, upload in (
        ("model-card", SimpleUploadedFile("x.html", SCRIPT, "text/html")),
        ("data-card", SimpleUploadedFile("x.svg", SVG, "image/svg+xml")),
    ):
        try:
            services.vendor_answer(request, {question: "Attached."}, {question: [upload]})
        except ValidationError:
            continue
        kept = Evidence.objects.get(answer__question_id=question)
        assert kept.file.name.endswith(".txt")
    for evidence in Evidence.objects.all():
        assert not evidence.file.name.endswith((".html", ".svg", ".exe"))


def test_too_many_files_are_refused_with_a_message(world):
    p, bid = make_procurement(world)
    request, _token = services.send_due_diligence(world.lead, bid)

    def files(n, prefix):
        return [
            SimpleUploadedFile(f"{prefix}{i}.md", b"# Evidence\n", "text/markdown")
            for i in range(n)
        ]

    with pytest.raises(ValidationError) as caught:
        services.vendor_answer(request, {"model-card": "Six files."}, {"model-card": files(6, "m")})
    assert "at most 5 files" in caught.value.message_dict["model-card"][0]
    questions = ["model-card", "data-card", "system-card", "instructions-for-use", "bias-testing"]
    with pytest.raises(ValidationError) as caught:
        services.vendor_answer(
            request,
            {q: "Attached." for q in questions},
            {q: files(5, q) for q in questions},  # 25 in one request
        )
    assert "at most 20 files" in " ".join(caught.value.messages)
    assert not Evidence.objects.exists()
