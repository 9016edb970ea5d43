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
