"""Completion imports match people exactly (two usernames differing only in capitals are never
guessed between), report problems on the file's own line numbers, refuse a completion older
than the agency module it claims, and say "1 problem" in words in the API."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from ombuds.people import modules, services
from ombuds.people.models import AgencyModule, Certificate

MODULE = "general.automation-bias"


def test_usernames_differing_only_in_capitals_are_not_guessed(world, make_user):
    make_user("Bob", world.a, "operator")
    bob = make_user("bob", world.a, "case_worker")
    rows = [{"username": "BOB", "module": MODULE, "completed_on": "2026-01-10"}]
    with pytest.raises(services.ImportRejected) as exc:
        services.import_completions(world.lead, world.a, rows)
    assert exc.value.errors[0].column == "username"
    assert "only in capitals" in exc.value.errors[0].message
    # Written exactly, it names one person.
    services.import_completions(world.lead, world.a, [{**rows[0], "username": "bob"}])
    assert Certificate.objects.get().user == bob


def test_problems_are_reported_on_the_files_lines():
    text = (
        b"username,module,completed_on\n"
        b'a-operator,general.automation-bias,"2026-01-10"\n'
        b'"a-\ncase_worker",general.automation-bias,2026-01-10\n'  # a value over two lines
        b"a-viewer,nope,2026-01-10\n"
    )
    rows = services.read_csv(text)
    assert [r[services.LINE] for r in rows] == [2, 4, 5]


def test_the_import_names_the_line_of_the_bad_row(world):
    text = (
        b"username,module,completed_on\n"
        b'"a-\noperator",general.automation-bias,2026-01-10\n'
        b"a-viewer,nope,2026-01-10\n"
    )
    with pytest.raises(services.ImportRejected) as exc:
        services.import_completions(world.lead, world.a, services.read_csv(text))
    assert {(e.row, e.column) for e in exc.value.errors} == {(3, "username"), (4, "module")}


def test_a_completion_older_than_the_agency_module_is_refused(world):
    data = yaml.safe_load(modules.source_text(MODULE))
    data["id"] = "agency-a.local"
    services.save_module(world.lead, world.a, yaml.safe_dump(data))
    written = timezone.now() - dt.timedelta(days=30)
    AgencyModule.objects.update(created_at=written)
    before = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    after = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    row = {"username": "a-operator", "module": "agency-a.local", "completed_on": before}
    with pytest.raises(services.ImportRejected) as exc:
        services.import_completions(world.lead, world.a, [row])
    assert exc.value.errors[0].column == "completed_on"
    assert "only written on" in exc.value.errors[0].message
    services.import_completions(world.lead, world.a, [{**row, "completed_on": after}])
    assert Certificate.objects.count() == 1


def test_the_api_counts_problems_in_words(world, client, token_for):
    path = f"/api/v1/agencies/{world.a.slug}/training/completions"
    body = {
        "completions": [{"username": "a-operator", "module": "nope", "completed_on": "2026-01-10"}]
    }
    response = client.post(
        path, body, content_type="application/json", headers=token_for(world.lead)
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "1 problem in the completions: nothing was imported."
