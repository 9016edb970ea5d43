"""The public register lists every agency's published records, searchable by name and what it
does, filtered by agency, country, sector, high-impact and stage, sorted, and paginated; the JSON
twin gives the same answer."""

from __future__ import annotations

import pytest

from ombuds.registry.models import AISystem
from tests.transparency.helpers import publish


@pytest.fixture
def register(world, make_system):
    owner_a, owner_b = world.users["system_owner"], world.admin
    made = {}
    specs = [
        (world.a, "Claim ranker", "public_benefits", "rights", "deployed", "Ranks benefit claims"),
        (world.a, "Fraud spotter", "public_benefits", "neither", "pilot", "Finds odd invoices"),
        (world.b, "Triage nurse", "healthcare", "safety", "suspended", "Orders the queue"),
        (world.b, "Translator", "other", "", "deployed", "Translates letters"),
    ]
    for agency, name, sector, impact, stage, what in specs:
        system = make_system(agency, name, sector=sector, impact_determination=impact)
        publisher = world.lead if agency == world.a else world.other_lead
        publish(system, owner_a if agency == world.a else owner_b, publisher, what_it_does=what)
        AISystem.objects.filter(pk=system.pk).update(stage=stage)
        made[name] = system
    # A system never published is never listed.
    make_system(world.a, "Secret draft")
    return made


def names(client, query: str) -> list[str]:
    data = client.get(f"/public/?format=json&{query}").json()
    return [i["name"] for i in data["items"]]


def test_every_agency_listed_and_only_published(register, client):
    assert names(client, "") == ["Claim ranker", "Fraud spotter", "Translator", "Triage nurse"]
    html = client.get("/public/").content.decode()
    assert "Secret draft" not in html and "Claim ranker" in html and "Triage nurse" in html


@pytest.mark.parametrize(
    "query,expected",
    [
        ("q=ranker", ["Claim ranker"]),
        ("q=invoices", ["Fraud spotter"]),
        ("agency=agency-b", ["Translator", "Triage nurse"]),
        ("country=FR", ["Translator", "Triage nurse"]),
        ("sector=public_benefits", ["Claim ranker", "Fraud spotter"]),
        ("high_impact=yes", ["Claim ranker", "Triage nurse"]),
        ("high_impact=no", ["Fraud spotter"]),
        ("stage=suspended", ["Triage nurse"]),
        ("stage=deployed&agency=agency-a", ["Claim ranker"]),
        ("sort=-name", ["Triage nurse", "Translator", "Fraud spotter", "Claim ranker"]),
    ],
)
def test_filters_and_sorting(register, client, query, expected):
    assert names(client, query) == expected


def test_html_page_applies_the_same_filters(register, client):
    html = client.get("/public/?sector=healthcare").content.decode()
    assert "Triage nurse" in html and "Claim ranker" not in html
    assert "Suspended: this system is not in use" in html


def test_pagination(world, make_system, client):
    for n in range(30):
        system = make_system(world.a, f"System {n:02d}")
        publish(system, world.users["system_owner"], world.lead)
    first = client.get("/public/?format=json").json()
    assert first["count"] == 30 and first["pages"] == 2 and len(first["items"]) == 25
    second = client.get("/public/?format=json&page=2").json()
    assert [i["name"] for i in second["items"]] == [f"System {n:02d}" for n in range(25, 30)]
    html = client.get("/public/?q=System").content.decode()
    assert "Page 1 of 2" in html and "?q=System&amp;sort=name&amp;page=2" in html
    assert client.get("/public/?page=999").status_code == 200
