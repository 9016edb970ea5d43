"""Other apps add sections to a system's public page through a hook, without this app knowing
them: the page renders each registered section and its JSON twin carries the section's data."""

from __future__ import annotations

import pytest

from ombuds.transparency import sections
from tests.transparency.helpers import publish


@pytest.fixture
def appeals_section():
    def appeals(system):
        if system.name != "Alpha":
            return None
        return (
            "Appeals against decisions",
            "transparency/public/_section_facts.html",
            {"facts": [{"label": "Appeals decided", "value": 42}], "text": "<b>bold</b>"},
        )

    def broken(system):
        raise RuntimeError("a section that fails")

    sections.register("remedy.appeals", appeals)
    sections.register("broken", broken)
    yield
    sections.unregister("remedy.appeals")
    sections.unregister("broken")


def test_a_registered_section_shows_on_the_page_and_in_json(world, client, appeals_section):
    publish(world.system_a, world.users["system_owner"], world.lead)
    publish(world.system_b, world.admin, world.other_lead)
    response = client.get(f"/public/systems/{world.system_a.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Appeals against decisions" in page and "Appeals decided" in page and "42" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    data = client.get(f"/public/systems/{world.system_a.pk}/?format=json").json()
    assert data["sections"]["remedy.appeals"]["data"]["facts"][0]["value"] == 42
    assert "broken" not in data["sections"]
    # A section with nothing to say about a system is left out.
    other = client.get(f"/public/systems/{world.system_b.pk}/?format=json").json()
    assert other["sections"] == {}
    assert (
        "Appeals against decisions"
        not in client.get(f"/public/systems/{world.system_b.pk}/").content.decode()
    )
