"""The system's protected characteristics: which ones a bias audit must cover, and for one not
collected, why and how it is assessed instead."""

from __future__ import annotations

import pytest

from ombuds.registry.models import AUDIT_CHARACTERISTICS


@pytest.fixture
def url(world):
    return f"/systems/{world.system_a.pk}/protected-characteristics/"


def test_the_statement_s_characteristics_are_proposed(world, client, url):
    client.force_login(world.users["system_owner"])
    html = client.get(url).content.decode()
    for code in AUDIT_CHARACTERISTICS:
        assert f'name="{code}-applies" id="id_{code}-applies" checked' in html
    assert 'name="age-applies" id="id_age-applies">' in html  # listed, not ticked
    assert "Not filled in yet" in html


def test_save_collected_and_not_collected(world, client, url):
    client.force_login(world.users["system_owner"])
    response = client.post(
        url,
        {
            "sex_gender-applies": "on",
            "sex_gender-collected": "yes",
            "race-applies": "on",
            "race-collected": "no",
            "race-why_not": "The law forbids asking applicants about race.",
            "race-alternative": "BISG proxy from surname and postcode, reviewed yearly.",
            "age-applies": "on",
            "age-collected": "yes",
        },
    )
    assert response.status_code == 302
    world.system_a.refresh_from_db()
    assert world.system_a.protected_characteristics == [
        {
            "id": "race",
            "collected": False,
            "why_not": "The law forbids asking applicants about race.",
            "alternative": "BISG proxy from surname and postcode, reviewed yearly.",
        },
        {"id": "sex_gender", "collected": True, "why_not": "", "alternative": ""},
        {"id": "age", "collected": True, "why_not": "", "alternative": ""},
    ]
    html = client.get(url).content.decode()
    assert "BISG proxy" in html and 'name="disability-applies" id="id_disability-applies">' in html


def test_not_collected_needs_a_reason_and_an_alternative(world, client, url):
    client.force_login(world.lead)
    response = client.post(url, {"disability-applies": "on", "disability-collected": "no"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not collected: say why, and how disparities for it are assessed instead" in html
    assert 'href="#id_disability-why_not"' in html
    response = client.post(url, {"race-applies": "on"})
    assert 'href="#id_race-collected_0"' in response.content.decode()
    world.system_a.refresh_from_db()
    assert world.system_a.protected_characteristics == []


def test_others_read_it_without_changing_it(world, client, url):
    world.system_a.protected_characteristics = [
        {"id": "race", "collected": True, "why_not": "", "alternative": ""}
    ]
    world.system_a.save()
    client.force_login(world.users["assessor"])
    html = client.get(url).content.decode()
    assert '<form method="post" novalidate>' not in html and "Race" in html
    assert client.post(url, {"age-applies": "on", "age-collected": "yes"}).status_code == 403
    world.system_a.refresh_from_db()
    assert [e["id"] for e in world.system_a.protected_characteristics] == ["race"]
    client.force_login(world.other_lead)
    assert client.get(url).status_code == 404
