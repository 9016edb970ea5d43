"""Uploading the JSON file `ombuds audit` wrote, on the web: the evaluation is kept, its
findings and disparities are shown as tables, the raw result downloads as it was uploaded."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.evaluations.models import Evaluation


@pytest.fixture
def assessor(world, client):
    client.force_login(world.users["assessor"])
    return client


def upload(name: str, content: bytes):
    return SimpleUploadedFile(name, content, "application/json")


def test_upload_an_audit_and_read_it(world, assessor, gap_audit):
    system = world.system_a
    response = assessor.post(
        f"/systems/{system.pk}/evaluations/upload/",
        {"file": upload("audit.json", json.dumps(gap_audit).encode()), "note": "March log"},
    )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/systems/{system.pk}/evaluations/{evaluation.pk}/"
    assert evaluation.source == "upload" and evaluation.created_by == world.users["assessor"]
    assert evaluation.covers == ["ethnicity", "sex_gender"]

    page = assessor.get(response["Location"]).content.decode()
    assert f"Bias audit #{evaluation.pk}" in page
    assert "The selection rate for sex=M is 5.00×" in page  # a finding, in words
    assert '<th scope="row">sex=M</th>' in page  # the disparity table
    assert "Not addressed yet" in page
    assert evaluation.data_fingerprint in page and "March log" in page

    download = assessor.get(f"/systems/{system.pk}/evaluations/{evaluation.pk}/result.json")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert json.loads(download.content) == gap_audit

    listing = assessor.get(f"/systems/{system.pk}/evaluations/").content.decode()
    assert f'href="/systems/{system.pk}/evaluations/{evaluation.pk}/"' in listing
    assert "To address" in listing


@pytest.mark.parametrize(
    "content,message",
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not an engine result"),
        (json.dumps({"schema": "acme.audit/1"}).encode(), "is not a result schema Ombuds knows"),
    ],
)
def test_a_file_that_is_not_a_result_is_refused(world, assessor, content, message):
    response = assessor.post(
        f"/systems/{world.system_a.pk}/evaluations/upload/",
        {"file": upload("x.json", content)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'href="#id_file"' in html
    assert not Evaluation.objects.exists()


def test_correct_the_characteristic_a_column_holds(world, assessor, clean_audit):
    clean_audit["config"]["protected"] = ["grp", "sex"]  # "grp" says nothing of what it holds
    for group in clean_audit["groups"]:
        group["attributes"] = {
            "grp" if k == "ethnicity" else k: v for k, v in group["attributes"].items()
        }
    assessor.post(
        f"/systems/{world.system_a.pk}/evaluations/upload/",
        {"file": upload("audit.json", json.dumps(clean_audit).encode())},
    )
    evaluation = Evaluation.objects.get()
    assert evaluation.characteristics == {"sex": "sex_gender"}
    url = f"/systems/{world.system_a.pk}/evaluations/{evaluation.pk}/characteristics/"
    response = assessor.post(url, {"col_0": "race", "col_1": "sex_gender"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.covers == ["race", "sex_gender"]


def test_a_viewer_reads_but_does_not_upload(world, client, clean_audit):
    from ombuds.evaluations import services

    evaluation = services.record_result(world.lead, world.system_a, clean_audit)
    client.force_login(world.users["viewer"])
    base = f"/systems/{world.system_a.pk}/evaluations/"
    assert client.get(f"{base}{evaluation.pk}/").status_code == 200
    assert client.get(f"{base}upload/").status_code == 403
    page = client.get(base).content.decode()
    assert "Upload a result" not in page and "Bias audit" in page
    client.force_login(world.other_lead)
    assert client.get(f"{base}{evaluation.pk}/").status_code == 404
