"""Who may override can name staff: it stays on staff pages and never reaches the public
summary, even when "how" is left empty."""

from __future__ import annotations

from ombuds.people import rules, services
from tests.people.helpers import OVERSIGHT

NAMES = "Only Jane Roe and Sam Poe, senior case workers."


def test_the_public_summary_never_carries_who_overrides(world, client):
    services.save_oversight(
        world.users["system_owner"],
        world.system_a,
        {**OVERSIGHT, "override_who": NAMES, "override_how": ""},
    )
    public = rules.oversight_public(world.system_a)
    assert NAMES not in repr(public)
    assert not public["override"]
    # Staff still see it beside the operators.
    client.force_login(world.lead)
    html = client.get(f"/systems/{world.system_a.pk}/operators/").content.decode()
    assert "Jane Roe" in html
