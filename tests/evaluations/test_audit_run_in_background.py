"""An audit run in the web app on an uploaded CSV: queued, shown while it waits, processed by
`ombuds worker`, and stored; bad settings end in a failed status with a one-line message. The
decision log is deleted once the run ends."""

from __future__ import annotations

import io
import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from ombuds.evaluations.models import Evaluation

from .conftest import decision_log

pytestmark = pytest.mark.django_db(transaction=True)


def csv_upload(gap: bool = True) -> SimpleUploadedFile:
    buffer = io.StringIO()
    decision_log(gap=gap, per_group=60).to_csv(buffer, index=False)
    return SimpleUploadedFile("march-log.csv", buffer.getvalue().encode(), "text/csv")


def start(client, system, **fields):
    form = {
        "label": "outcome",
        "prediction": "decision",
        "protected": "sex, ethnicity",
        "min_group_size": "30",
        **fields,
    }
    return client.post(f"/systems/{system.pk}/evaluations/run/", {"file": csv_upload(), **form})


def run_worker() -> str:
    out = io.StringIO()
    call_command("worker", "--batch", "--verbosity", "0", stdout=out, stderr=out)
    return out.getvalue()


def test_an_audit_runs_in_the_background(world, client):
    client.force_login(world.users["assessor"])
    response = start(client, world.system_a)
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/systems/{world.system_a.pk}/evaluations/{evaluation.pk}/"
    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in waiting
    assert 'hx-trigger="every 2s"' in waiting  # the status refreshes itself
    assert "Check again" in waiting  # and can be refreshed without JavaScript
    assert evaluation.data_file and evaluation.data_fingerprint.startswith("sha256:")
    stored_file = evaluation.data_file.path

    run_worker()

    evaluation.refresh_from_db()
    assert evaluation.status == "done", evaluation.error
    assert evaluation.result["schema"] == "ombuds.audit/1"
    assert evaluation.result["rows"] == 240
    assert evaluation.config["protected"] == ["sex", "ethnicity"]
    assert evaluation.covers == ["ethnicity", "sex_gender"]
    assert evaluation.fingerprint_of == "file" and evaluation.engine_version
    assert not evaluation.data_file  # the log is not kept, only the aggregated result
    assert not os.path.exists(stored_file)

    done = client.get(response["Location"])
    page = done.content.decode()
    assert "hx-trigger" not in page and "Waiting for a worker" not in page
    assert "march-log.csv" in page and "The selection rate for sex=M" in page
    status = client.get(response["Location"] + "status/", headers={"HX-Request": "true"})
    assert status["HX-Refresh"] == "true"  # a polling page reloads to show the result
    download = client.get(response["Location"] + "result.json")
    assert json.loads(download.content)["rows"] == 240


def test_bad_settings_fail_with_one_line(world, client):
    client.force_login(world.users["assessor"])
    start(client, world.system_a, protected="sex, religion")
    run_worker()
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "failed"
    assert evaluation.error.startswith("protected attribute 'religion' is not in the data")
    assert "\n" not in evaluation.error and "Traceback" not in evaluation.error
    assert not evaluation.data_file
    page = client.get(f"/systems/{world.system_a.pk}/evaluations/{evaluation.pk}/")
    html = page.content.decode()
    assert "The audit could not be done" in html and "religion" in html


def test_the_form_refuses_what_cannot_run(world, client, settings):
    settings.OMBUDS_EVALUATION_MAX_UPLOAD_MB = 1
    client.force_login(world.users["assessor"])
    url = f"/systems/{world.system_a.pk}/evaluations/run/"
    big = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 300_000, "text/csv")
    response = client.post(
        url, {"file": big, "label": "a", "prediction": "b", "protected": "c", "min_group_size": 30}
    )
    html = response.content.decode()
    assert "the limit is 1 MB" in html
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("log.xlsx", b"PK\x03\x04", "application/zip"),
            "label": "outcome",
            "score": "score",
            "protected": "sex",
            "min_group_size": 30,
        },
    )
    html = response.content.decode()
    assert "Give a CSV or Parquet file" in html
    assert "A score needs a threshold" in html
    assert not Evaluation.objects.exists()
