"""The agency page gathers the agency-wide work — appeals, opt-out requests, training,
procurements, settings — and shows each person only the pages their role opens."""

from __future__ import annotations

import re

import pytest

from ombuds.core.roles import PERMISSIONS


def links(client, slug):
    html = client.get(f"/agencies/{slug}/").content.decode()
    main = html[html.index("<main") :]
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', main)


@pytest.mark.parametrize(
    "role", ["case_worker", "procurement_officer", "governance_lead", "viewer"]
)
def test_each_role_sees_the_pages_it_may_open_and_they_open(world, client, role):
    user = world.users[role]
    client.force_login(user)
    found = links(client, world.a.slug)
    titles = {t for _u, t in found}
    assert ("Appeals" in titles) == (role in PERMISSIONS["appeal.view"])
    assert ("Procurements" in titles) == (role in PERMISSIONS["procurement.view"])
    assert ("Training compliance" in titles) == (role in PERMISSIONS["compliance.view"])
    assert ("Name and colour" in titles) == (role in PERMISSIONS["agency.brand"])
    for url, title in found:
        assert client.get(url).status_code == 200, (role, title, url)


def test_the_nav_leads_there_and_another_agency_is_not_found(world, client):
    client.force_login(world.users["case_worker"])
    assert f'href="/agencies/{world.a.slug}/"' in client.get("/dashboard/").content.decode()
    assert client.get(f"/agencies/{world.b.slug}/").status_code == 404
