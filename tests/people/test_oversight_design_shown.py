"""The oversight design is shown where people look for it: on the system's staff page, and on
its public page once the record is published — without the names of who may override."""

from __future__ import annotations

from ombuds.people import services
from tests.people.helpers import OVERSIGHT
from tests.transparency.helpers import publish


def test_staff_page_and_public_page_show_the_design(world, client):
    system = world.system_a
    design = {**OVERSIGHT, "override_who": "Only Ms Example-Supervisor, badge 4471"}
    services.save_oversight(world.users["system_owner"], system, design)
    client.force_login(world.users["viewer"])
    staff = client.get(f"/systems/{system.pk}/").content.decode()
    assert "Human oversight" in staff and design["fallback"] in staff

    publish(system, world.users["system_owner"], world.lead)
    public = client.get(f"/public/systems/{system.pk}/").content.decode()
    assert design["escalation"] in public and design["fallback"] in public
    assert "badge 4471" not in public
    twin = client.get(f"/public/systems/{system.pk}/?format=json").json()
    assert twin["sections"]["human_oversight"]["data"]["fallback"] == design["fallback"]
    assert "badge 4471" not in str(twin)


def test_no_design_no_section(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    twin = client.get(f"/public/systems/{world.system_a.pk}/?format=json").json()
    assert "human_oversight" not in twin["sections"]
