"""A CSV batch the csv module cannot read, or one too large, is refused with a message naming the
row or the limit: no traceback, nothing issued."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.remedy.models import Notice

HEADER = "case_reference,outcome,factors,language,decided_on,person_identifier\n"


def upload(client, world, data: bytes):
    client.force_login(world.users["case_worker"])
    return client.post(
        f"/systems/{world.system_a.pk}/notices/upload/",
        {"file": SimpleUploadedFile("batch.csv", data, "text/csv")},
    )


def test_a_field_beyond_the_csv_limit_names_the_row(world, client):
    good = "C-1,Refused,Income,en,2026-03-01,P-1\n"
    huge = 'C-2,"' + "x" * 200_000 + '",Income,en,2026-03-01,P-2\n'
    response = upload(client, world, (HEADER + good + huge).encode())
    assert response.status_code == 400
    page = response.content.decode()
    assert "field larger than field limit" in page and ">3<" in page
    assert not Notice.objects.exists()


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(world, client, settings):
    settings.OMBUDS_NOTICE_BATCH_MAX_BYTES = 1024
    rows = "".join(f"C-{n},Refused,Income,en,2026-03-01,P-{n}\n" for n in range(100))
    response = upload(client, world, (HEADER + rows).encode())
    page = response.content.decode()
    assert "larger than 1 KB" in page
    assert not Notice.objects.exists()
