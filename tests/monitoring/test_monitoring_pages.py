"""Pointing a monitor at a decision log from the web: upload or path, mapping checked, errors
named on the form and nothing saved."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.monitoring.models import DecisionSource, Monitor

from .conftest import decision_log

FORM = {
    "name": "Weekly export",
    "kind": "upload",
    "time": "decided_at",
    "prediction": "approved",
    "label": "eligible",
    "protected": "sex",
    "features": "income, region",
}


def parquet_upload(**columns_renamed):
    buffer = io.BytesIO()
    decision_log(weeks=5).rename(columns=columns_renamed).to_parquet(buffer)
    return SimpleUploadedFile("decisions.parquet", buffer.getvalue(), "application/octet-stream")


def test_upload_a_log_and_add_a_monitor(world, client):
    client.force_login(world.users["system_owner"])
    url = f"/systems/{world.system_a.pk}/monitoring/sources/new/"
    response = client.post(url, {**FORM, "file": parquet_upload()})
    assert response.status_code == 302, response.content.decode()[:3000]
    source = DecisionSource.objects.get()
    assert source.kind == "upload" and source.mapping["features"] == ["income", "region"]
    response = client.post(
        f"/systems/{world.system_a.pk}/monitoring/monitors/new/",
        {
            "source": source.pk,
            "kind": "fairness",
            "window": "weekly",
            "reference_start": "2026-01-05",
            "reference_end": "2026-02-02",
        },
    )
    assert response.status_code == 302
    assert Monitor.objects.get().thresholds[0]["metric"] == "min_selection_rate_ratio"


def test_a_mapping_that_does_not_fit_is_named_on_the_form(world, client, settings):
    client.force_login(world.users["system_owner"])
    url = f"/systems/{world.system_a.pk}/monitoring/sources/new/"
    page = client.post(url, {**FORM, "file": parquet_upload(eligible="outcome")})
    text = page.content.decode()
    assert page.status_code == 200
    assert "the label column &#x27;eligible&#x27; is not in the source" in text
    assert not DecisionSource.objects.exists()
    from pathlib import Path

    kept = list((Path(settings.MEDIA_ROOT) / "monitoring").rglob("*.parquet"))
    assert kept == []  # the refused upload is not left behind
    page = client.post(url, {**FORM, "kind": "path", "location": "/nowhere/*.parquet"})
    assert "the location must lie inside" in page.content.decode()  # not any folder of the server


def test_a_viewer_reads_the_monitoring_page_but_adds_nothing(world, client):
    client.force_login(world.users["viewer"])
    assert client.get(f"/systems/{world.system_a.pk}/monitoring/").status_code == 200
    url = f"/systems/{world.system_a.pk}/monitoring/sources/new/"
    assert client.post(url, {**FORM, "file": parquet_upload()}).status_code == 403
    assert not DecisionSource.objects.exists()
