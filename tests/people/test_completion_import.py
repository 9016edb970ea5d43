"""Completions from an external learning system: every row checked, a report naming row and
column for each problem, and nothing imported while any row is wrong — on the page and in the
API."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ombuds.people.models import Certificate

MODULE = "general.automation-bias"


def upload(client, world, text: str):
    f = SimpleUploadedFile("completions.csv", text.encode(), "text/csv")
    return client.post(reverse("training_import", args=[world.a.slug]), {"file": f}, follow=True)


def test_a_clean_file_is_imported_with_expiry(world, client):
    client.force_login(world.lead)
    response = upload(
        client,
        world,
        "username,module,completed_on,score\n"
        f"a-operator,{MODULE},2026-01-31,88\n"
        "a-case_worker,general.override-escalate,2026-02-10,\n",
    )
    assert "2 certificate(s) recorded from 2 row(s)" in response.content.decode()
    cert = Certificate.objects.get(user=world.users["operator"])
    assert cert.expires_on == dt.date(2027, 1, 31) and cert.score == 88
    assert cert.source == "import" and cert.recorded_by == world.lead
    # The same file again adds nothing.
    upload(
        client, world, f"username,module,completed_on,score\na-operator,{MODULE},2026-01-31,88\n"
    )
    assert Certificate.objects.count() == 2


def test_every_bad_row_is_reported_and_nothing_is_imported(world, client):
    client.force_login(world.lead)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    text = (
        "username,email,module,completed_on,score\n"
        f"a-operator,,{MODULE},2026-01-10,90\n"  # row 2: fine
        f"nobody,,{MODULE},2026-01-10,90\n"  # row 3: unknown person
        "a-operator,,general.no-such-module,2026-01-10,90\n"  # row 4: unknown module
        f"a-operator,,{MODULE},2026-02-30,90\n"  # row 5: impossible date
        f"a-operator,,{MODULE},{future},90\n"  # row 6: future date
        f"a-operator,,{MODULE},2026-01-11,140\n"  # row 7: bad score
        f",nobody@example.org,{MODULE},2026-01-10,\n"  # row 8: unknown e-mail
        f"b-lead,,{MODULE},2026-01-10,90\n"  # row 9: a person of another agency
        f"a-viewer,,{MODULE},2026-01-12,40\n"  # row 10: below the pass mark
    )
    response = upload(client, world, text)
    html = response.content.decode()
    assert "nothing was imported" in html
    expected = [
        ("3", "username"),
        ("4", "module"),
        ("5", "completed_on"),
        ("6", "completed_on"),
        ("7", "score"),
        ("8", "email"),
        ("9", "username"),
        ("10", "score"),
    ]
    for row, column in expected:
        assert f'<td class="num">{row}</td><td><code>{column}</code></td>' in html, (row, column)
    assert '<td class="num">2</td>' not in html
    assert "The date is in the future" in html and "2026-02-30 is not a date" in html
    assert not Certificate.objects.exists()


def test_a_file_without_the_needed_columns_says_which(world, client):
    client.force_login(world.lead)
    html = upload(client, world, "person,course\nx,y\n").content.decode()
    assert "must have a module column" in html and "username or an email column" in html
    assert not Certificate.objects.exists()


def test_the_api_imports_all_or_nothing(world, client, token_for):
    path = f"/api/v1/agencies/{world.a.slug}/training/completions"
    headers = token_for(world.lead)
    bad = {
        "completions": [
            {"username": "a-operator", "module": MODULE, "completed_on": "2026-01-10"},
            {"username": "a-operator", "module": "nope", "completed_on": "2026-13-01"},
        ]
    }
    response = client.post(path, bad, content_type="application/json", headers=headers)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"rows[2].module", "rows[2].completed_on"}
    assert not Certificate.objects.exists()
    good = {"completions": bad["completions"][:1]}
    response = client.post(path, good, content_type="application/json", headers=headers)
    assert response.status_code == 201 and response.json() == {"rows": 1, "certificates": 1}
    # An operator may not import.
    response = client.post(
        path, good, content_type="application/json", headers=token_for(world.users["operator"])
    )
    assert response.status_code == 403
