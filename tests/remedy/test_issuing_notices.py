"""The agency's case system issues notices through the API (or staff upload a CSV batch): a
reference, the appeal deadline and the letter come back; the person's identifier is kept only as
a keyed hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ombuds.remedy.models import Notice

from .helpers import NOTICE


def test_issuing_a_notice_returns_reference_deadline_and_letter(world, client, token_for):
    response = client.post(
        f"/api/v1/systems/{world.system_a.pk}/notices",
        {**NOTICE, "decision_maker": world.users["operator"].username},
        content_type="application/json",
        headers=token_for(world.users["case_worker"]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("N-")
    # Decided on 2 March, issued today: 30 calendar days from today (the later of the two).
    appeal_by = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert body["appeal_by"] == appeal_by
    letter = body["letter_html"]
    assert "Housing benefit refused" in letter and "Two missing payslips" in letter
    assert "/public/appeal/" in letter and body["reference"] in letter and appeal_by in letter
    assert "right to ask for this decision to be reviewed by a person" in letter
    client.force_login(world.users["case_worker"])
    page = client.get(body["letter_url"])
    assert page.status_code == 200 and "Alpha" in page.content.decode()
    pdf = client.get(body["pdf_url"])
    assert pdf.status_code in (200, 503)
    if pdf.status_code == 200:
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    else:
        assert body["letter_url"] in pdf.content.decode()  # the page offers the HTML letter
    again = client.get(f"/api/v1/notices/{body['id']}", headers=token_for(world.lead))
    assert again.status_code == 200 and again.json()["reference"] == body["reference"]


def test_the_identifier_is_stored_only_as_a_keyed_hash(world, settings):
    from ombuds.remedy import services

    notice = services.issue_notice(world.lead, world.system_a, dict(NOTICE))
    expected = hmac.new(
        settings.OMBUDS_PSEUDONYM_KEY.encode(), b"pn123456789", hashlib.sha256
    ).hexdigest()
    assert notice.person_hash == expected
    stored = Notice.objects.filter(pk=notice.pk).values()[0]
    assert not any("123 456 789" in str(v) for v in stored.values())


def test_production_mode_without_a_key_refuses_to_hash(
    world, settings, monkeypatch, client, token_for
):
    settings.OMBUDS_PSEUDONYM_KEY = ""
    monkeypatch.setenv("OMBUDS_DEBUG", "0")
    response = client.post(
        f"/api/v1/systems/{world.system_a.pk}/notices",
        NOTICE,
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 422
    assert "OMBUDS_PSEUDONYM_KEY" in response.json()["detail"]
    assert not Notice.objects.exists()


def test_development_without_a_key_derives_one(world, settings, monkeypatch):
    from ombuds.remedy import services

    settings.OMBUDS_PSEUDONYM_KEY = ""
    monkeypatch.setenv("OMBUDS_DEBUG", "1")
    notice = services.issue_notice(world.lead, world.system_a, dict(NOTICE))
    assert len(notice.person_hash) == 64


def test_bad_fields_are_named(world, client, token_for):
    response = client.post(
        f"/api/v1/systems/{world.system_a.pk}/notices",
        {**NOTICE, "decided_on": "2999-01-01", "decision_maker": "b-lead"},
        content_type="application/json",
        headers=token_for(world.lead),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"decided_on", "decision_maker"}


CSV_HEADER = "case_reference,outcome,factors,language,decided_on,person_identifier\n"


def upload(client, world, text):
    client.force_login(world.users["case_worker"])
    return client.post(
        f"/systems/{world.system_a.pk}/notices/upload/",
        {"file": SimpleUploadedFile("batch.csv", text.encode(), "text/csv")},
    )


def test_a_csv_batch_issues_every_row(world, client):
    text = CSV_HEADER + (
        "C-1,Refused,Income|Savings,en,2026-03-01,P-1\nC-2,Reduced,Household,fr,2026-03-02,P-2\n"
    )
    response = upload(client, world, text)
    assert response.status_code == 200
    assert Notice.objects.count() == 2
    assert set(Notice.objects.values_list("language", flat=True)) == {"en", "fr"}
    assert Notice.objects.get(case_reference="C-1").factors == ["Income", "Savings"]


def test_a_csv_batch_with_one_bad_row_issues_nothing_and_names_row_and_column(world, client):
    text = CSV_HEADER + "C-1,Refused,Income,en,2026-03-01,P-1\nC-2,Reduced,Household,de,03/02/26,\n"
    response = upload(client, world, text)
    assert response.status_code == 400
    page = response.content.decode()
    assert Notice.objects.count() == 0
    for column in ("language", "decided_on", "person_identifier"):
        assert f"<td>3</td><td>{column}</td>" in page


def test_a_csv_batch_without_a_column_is_refused(world, client):
    response = upload(client, world, "case_reference,outcome\nC-1,Refused\n")
    assert response.status_code == 400 and Notice.objects.count() == 0
    assert "factors" in response.content.decode()


@pytest.mark.parametrize("who", ["viewer", "assessor"])
def test_only_those_who_issue_notices_may(world, client, token_for, who):
    response = client.post(
        f"/api/v1/systems/{world.system_a.pk}/notices",
        NOTICE,
        content_type="application/json",
        headers=token_for(world.users[who]),
    )
    assert response.status_code == 403
