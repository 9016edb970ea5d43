"""The register through the API, as a script would use it."""

from __future__ import annotations

import pytest

from ombuds.core.models import ApiToken
from ombuds.registry.models import AISystem


@pytest.fixture
def lead_headers(world, token_for):
    return token_for(world.lead)


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_create_with_only_the_required_fields(world, client, lead_headers):
    response = post(
        client,
        "/api/v1/systems",
        {
            "agency": "agency-a",
            "name": "Fraud triage",
            "short_description": "Ranks files",
            "sector": "justice",
        },
        lead_headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == AISystem.objects.get(name="Fraud triage").pk
    assert body["stage"] == "design" and body["agency"] == "agency-a"
    assert body["decision_role"] == "other" and body["eu_annex_iii_area"] is None
    assert body["high_impact"]["determination"] is None


def test_create_with_every_field(world, client, lead_headers):
    payload = {
        "agency": "agency-a",
        "name": "Eligibility",
        "short_description": "Scores applications",
        "detailed_description": "Long text",
        "purpose_and_benefits": "Faster decisions",
        "outputs": "A score",
        "sector": "public_benefits",
        "decision_role": "recommendation",
        "eu_annex_iii_area": 5,
        "legal_basis": [{"title": "Benefits Act s. 12", "url": "https://laws.example.org/ba#12"}],
        "rights_instruments": ["ICCPR Art. 26"],
        "team": "Data",
        "senior_responsible_owner": "J. Doe",
        "public_contact": "ai@example.org",
        "vendor_name": "",
        "uses_personal_data": True,
        "demographic_features": ["age", "disability"],
        "code_url": "https://git.example.org/x",
        "review_due": "2027-01-31",
        "stage": "design",
    }
    response = post(client, "/api/v1/systems", payload, lead_headers)
    assert response.status_code == 201, response.content
    body = response.json()
    for key, value in payload.items():
        assert body[key] == value, key
    assert body["high_impact"]["proposed"] == "rights"


@pytest.mark.parametrize("missing", ["agency", "name", "short_description", "sector"])
def test_a_missing_required_field_is_named(world, client, lead_headers, missing):
    payload = {"agency": "agency-a", "name": "X", "short_description": "Y", "sector": "other"}
    del payload[missing]
    response = post(client, "/api/v1/systems", payload, lead_headers)
    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [missing]
    assert body["title"] and body["status"] == 422 and missing in body["detail"]
    assert not AISystem.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    "field,value",
    [
        ("sector", "space"),
        ("decision_role", "oracle"),
        ("eu_annex_iii_area", 9),
        ("demographic_features", ["shoe_size"]),
        ("code_url", "not a url"),
        ("stage", "deployed"),
        ("legal_basis", [{"title": ""}]),
        ("name", "x" * 201),
    ],
)
def test_bad_values_are_named_and_nothing_is_saved(world, client, lead_headers, field, value):
    payload = {
        "agency": "agency-a",
        "name": "Bad",
        "short_description": "Y",
        "sector": "other",
        field: value,
    }
    response = post(client, "/api/v1/systems", payload, lead_headers)
    assert response.status_code == 422, response.content
    assert any(e["field"].split(".")[0] == field for e in response.json()["errors"])
    assert AISystem.objects.count() == 2


def test_nul_characters_are_refused_not_crashed_on(world, client, lead_headers):
    response = post(
        client,
        "/api/v1/systems",
        {"agency": "agency-a", "name": "A\x00B", "short_description": "Y", "sector": "other"},
        lead_headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


def test_unknown_agency_is_named(world, client, lead_headers):
    response = post(
        client,
        "/api/v1/systems",
        {"agency": "nope", "name": "X", "short_description": "Y", "sector": "other"},
        lead_headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "agency"


def test_patch_changes_only_what_is_sent(world, client, lead_headers):
    url = f"/api/v1/systems/{world.system_a.pk}"
    response = client.patch(
        url,
        {"team": "Analytics", "review_due": "2027-03-01"},
        content_type="application/json",
        headers=lead_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["team"] == "Analytics" and body["review_due"] == "2027-03-01"
    assert body["name"] == "Alpha"


def test_other_agencies_records_do_not_leak(world, client, lead_headers):
    listed = client.get("/api/v1/systems", headers=lead_headers).json()
    assert [s["name"] for s in listed["items"]] == ["Alpha"] and listed["count"] == 1
    response = client.get(f"/api/v1/systems/{world.system_b.pk}", headers=lead_headers)
    assert response.status_code == 404
    missing = client.get("/api/v1/systems/999999", headers=lead_headers)
    assert missing.status_code == 404 and missing.json() == response.json()


def test_list_filters_and_pagination(world, client, lead_headers, make_system):
    for i in range(5):
        make_system(world.a, f"S{i}", sector="healthcare" if i % 2 else "justice")
    page = client.get(
        "/api/v1/systems?limit=2&offset=1&sector=healthcare", headers=lead_headers
    ).json()
    assert page["count"] == 2 and [s["name"] for s in page["items"]] == ["S3"]
    assert client.get("/api/v1/systems?q=s4", headers=lead_headers).json()["count"] == 1
    bad = client.get("/api/v1/systems?limit=0", headers=lead_headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "limit"


def test_tokens_are_stored_hashed_and_can_be_revoked(world, client):
    token, raw = ApiToken.issue(world.lead)
    assert raw not in token.digest and len(token.digest) == 64
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).json()["username"] == "a-governance_lead"
    token.revoked_at = token.created_at
    token.save()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_agencies_lists_only_mine_with_roles(world, client, lead_headers):
    body = client.get("/api/v1/agencies", headers=lead_headers).json()
    assert body == {
        "items": [
            {
                "slug": "agency-a",
                "name": "Agency A",
                "country": "CA",
                "parent": None,
                "roles": ["governance_lead"],
            }
        ],
        "count": 1,
    }


def test_cards_through_the_api(world, client, lead_headers):
    url = f"/api/v1/systems/{world.system_a.pk}/cards/data"
    response = client.put(
        url,
        {"fields": {"provenance": "Case files 2019–2024", "retention": "7 years"}},
        content_type="application/json",
        headers=lead_headers,
    )
    assert response.status_code == 200
    assert client.get(url, headers=lead_headers).json()["fields"] == {
        "provenance": "Case files 2019–2024",
        "retention": "7 years",
    }
    bad = client.put(
        url, {"fields": {"colour": "blue"}}, content_type="application/json", headers=lead_headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "colour"


def test_session_users_need_csrf_for_writes(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.lead)
    assert client.get("/api/v1/systems").status_code == 200
    response = client.patch(
        f"/api/v1/systems/{world.system_a.pk}", {"team": "x"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
