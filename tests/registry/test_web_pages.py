"""The staff pages as a person uses them: register, classify, move, see the history; errors name
the field and save nothing; text in French and Spanish without a language prefix."""

from __future__ import annotations

import pytest

from ombuds.registry.models import AISystem


@pytest.fixture
def owner_client(world, client):
    client.force_login(world.users["system_owner"])
    return client


def test_register_a_system_through_the_form(world, owner_client):
    response = owner_client.post(
        "/systems/new/",
        {
            "agency": world.a.pk,
            "name": "Benefit triage",
            "short_description": "Sorts claims",
            "sector": "public_benefits",
            "decision_role": "triage",
            "legal_basis": "Social Security Act s. 4 | https://laws.example.org/ssa\nRegulation 12",
            "rights_instruments": "ICCPR Art. 26\nCRPD",
            "demographic_features": ["age"],
        },
    )
    system = AISystem.objects.get(name="Benefit triage")
    assert response.status_code == 302 and response["Location"] == f"/systems/{system.pk}/"
    assert system.legal_basis == [
        {"title": "Social Security Act s. 4", "url": "https://laws.example.org/ssa"},
        {"title": "Regulation 12"},
    ]
    assert system.rights_instruments == ["ICCPR Art. 26", "CRPD"]
    page = owner_client.get(response["Location"]).content.decode()
    assert "Benefit triage" in page and "Regulation 12" in page


def test_form_errors_link_to_the_fields_and_save_nothing(world, owner_client):
    response = owner_client.post(
        "/systems/new/",
        {"agency": world.a.pk, "name": "", "short_description": "x", "sector": "space"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_name"' in html and 'href="#id_sector"' in html
    assert AISystem.objects.count() == 2


def test_a_bad_legal_basis_link_is_named(world, owner_client):
    response = owner_client.post(
        "/systems/new/",
        {
            "agency": world.a.pk,
            "name": "N",
            "short_description": "x",
            "sector": "other",
            "decision_role": "other",
            "legal_basis": "Act | not-a-link",
        },
    )
    assert 'href="#id_legal_basis"' in response.content.decode()
    assert not AISystem.objects.filter(name="N").exists()


def test_viewers_see_no_edit_buttons(world, client):
    client.force_login(world.users["viewer"])
    html = client.get(f"/systems/{world.system_a.pk}/").content.decode()
    assert "Edit details" not in html and "Change stage" not in html
    assert client.get(f"/systems/{world.system_a.pk}/edit/").status_code == 403


def test_move_a_system_through_the_form(world, owner_client):
    url = f"/systems/{world.system_a.pk}/transition/"
    assert owner_client.post(url, {"to": "development", "reason": ""}).status_code == 200
    world.system_a.refresh_from_db()
    assert world.system_a.stage == "design"
    assert owner_client.post(url, {"to": "development", "reason": "Built"}).status_code == 302
    world.system_a.refresh_from_db()
    assert world.system_a.stage == "development"


def test_dashboard_counts_and_overdue(world, client, make_system):
    make_system(world.a, "Late one", review_due="2001-01-01")
    client.force_login(world.users["viewer"])
    html = client.get("/dashboard/").content.decode()
    assert "Late one" in html and "Beta" not in html
    assert "2 systems you can see" in html


def test_list_filters_by_stage(world, client, make_system):
    make_system(world.a, "Live one", stage="deployed")
    client.force_login(world.users["viewer"])
    html = client.get("/systems/?stage=deployed").content.decode()
    assert "Live one" in html and "Alpha" not in html


@pytest.mark.parametrize("lang,word", [("fr", "Tableau de bord"), ("es", "Panel")])
def test_language_from_parameter_cookie_and_header_without_redirect(world, client, lang, word):
    client.force_login(world.users["viewer"])
    by_param = client.get(f"/dashboard/?lang={lang}")
    assert by_param.status_code == 200 and word in by_param.content.decode()
    assert f'lang="{lang}"' in by_param.content.decode()
    by_header = client.get("/dashboard/", headers={"Accept-Language": lang})
    assert word in by_header.content.decode()
    client.post("/i18n/setlang/", {"language": lang, "next": "/dashboard/"})
    assert word in client.get("/dashboard/").content.decode()


def test_branding_by_the_governance_lead(world, client):
    client.force_login(world.lead)
    response = client.post(
        f"/agencies/{world.a.slug}/branding/",
        {"name": "Agency A Renamed", "brand_colour": "#ffcc00"},
    )
    assert response.status_code == 302
    html = client.get("/dashboard/").content.decode()
    assert "Agency A Renamed" in html and "--brand: #ffcc00; --brand-text: #000000" in html
