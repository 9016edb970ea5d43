"""Staff download the exports of their own agency: the roles with export.download get the
file, others are refused (403), another agency's exports do not exist for them (404), an
unknown format is a 400 page naming it, and the choice page lists what is missing."""

from __future__ import annotations

import json

import pytest

from ombuds.core.roles import PERMISSIONS, ROLES
from tests.transparency.helpers import publish


@pytest.fixture
def published(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    publish(world.system_b, world.admin, world.other_lead)
    return world


def url(slug, fmt="nl-register"):
    return f"/exports/{slug}/download?format={fmt}"


@pytest.mark.parametrize("role", ROLES)
def test_download_by_role(published, client, role):
    client.force_login(published.users[role])
    response = client.get(url("agency-a"))
    if role in PERMISSIONS["export.download"]:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        names = [r["name"] for r in json.loads(response.content)["registrations"]]
        assert names == ["Alpha"]  # only the agency's own published records
    else:
        assert response.status_code == 403


def test_other_agency_is_404(published, client):
    client.force_login(published.users["viewer"])
    assert client.get(url("agency-b")).status_code == 404
    assert client.get(url("no-such-agency")).status_code == 404


def test_anonymous_is_sent_to_login(published, client):
    response = client.get(url("agency-a"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unknown_format_is_400_naming_it(published, client):
    client.force_login(published.lead)
    response = client.get(url("agency-a", "xlsx-2099"))
    assert response.status_code == 400
    assert "xlsx-2099" in response.content.decode()


def test_each_format_downloads(published, client):
    client.force_login(published.lead)
    for fmt, kind in [
        ("omb-2025", "text/csv"),
        ("csv", "text/csv"),
        ("atrs", "application/json"),
        ("eu-annex-viii-c", "application/json"),
        ("eurocities", "application/json"),
        ("json", "application/json"),
    ]:
        response = client.get(url("agency-a", fmt))
        assert response.status_code == 200, fmt
        assert response["Content-Type"].startswith(kind), fmt
        body = response.content.decode("utf-8-sig")
        assert "Alpha" in body and "Beta" not in body, fmt
        assert "agency-a" in response["Content-Disposition"], fmt


def test_choice_page_lists_missing_information(published, client):
    client.force_login(published.users["viewer"])
    page = client.get("/exports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="agency"' in html and "omb-2025" in html and "Agency B" not in html
    result = client.get("/exports/?agency=agency-a&format=omb-2025")
    html = result.content.decode()
    assert result.status_code == 200
    assert "Missing information" in html and "agency_bureau" in html and "Alpha" in html
    assert url("agency-a", "omb-2025") in html.replace("&amp;", "&")


def test_choice_page_refuses_another_agency_and_unknown_format(published, client):
    client.force_login(published.users["viewer"])
    response = client.get("/exports/?agency=agency-b&format=bogus")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Beta" not in html


def test_roles_without_the_permission_cannot_open_the_page(published, client):
    client.force_login(published.users["case_worker"])
    assert client.get("/exports/").status_code == 403
