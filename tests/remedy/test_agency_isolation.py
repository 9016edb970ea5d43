"""Another agency's staff can never open a case or a notice: they get 404, as for a case that
does not exist."""

from __future__ import annotations

import pytest


@pytest.fixture
def case(appeal):
    return appeal[0]


def test_another_agencys_lead_gets_404_on_every_page_of_a_case(world, client, case, notice):
    client.force_login(world.other_lead)
    urls = [
        f"/agencies/{world.a.slug}/appeals/",
        f"/agencies/{world.a.slug}/appeals/{case.pk}/",
        f"/agencies/{world.a.slug}/notices/{notice.pk}/",
        f"/systems/{world.system_a.pk}/appeal-statistics/",
        # Their own agency's address with the other agency's case number.
        f"/agencies/{world.b.slug}/appeals/{case.pk}/",
        f"/agencies/{world.b.slug}/notices/{notice.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    step = client.post(f"/agencies/{world.b.slug}/appeals/{case.pk}/step/", {"to": "withdrawn"})
    assert step.status_code == 404
    case.refresh_from_db()
    assert case.state == "received"


def test_and_404_through_the_api(world, client, case, notice, token_for):
    headers = token_for(world.other_lead)
    assert client.get(f"/api/v1/appeals/{case.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/notices/{notice.pk}", headers=headers).status_code == 404
    moved = client.post(
        f"/api/v1/appeals/{case.pk}/transitions",
        {"to": "withdrawn"},
        content_type="application/json",
        headers=headers,
    )
    assert moved.status_code == 404


def test_the_queue_shows_own_cases_only(world, client, case, make_user):
    from ombuds.remedy import services

    other, _t = services.enter_appeal(
        world.other_lead,
        world.system_b,
        {"channel": "post", "grounds": "x", "contact_address": "Paris"},
    )
    client.force_login(world.other_lead)
    page = client.get(f"/agencies/{world.b.slug}/appeals/").content.decode()
    assert other.reference in page and case.reference not in page
