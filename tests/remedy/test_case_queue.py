"""The agency's case queue filters by state, system and overdue cases."""

from __future__ import annotations

import datetime as dt

from ombuds.remedy import services


def test_filters(world, client, make_system):
    other = make_system(world.a, "Gamma", stage="deployed")
    old = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    late, _t = services.enter_appeal(
        world.lead,
        world.system_a,
        {"channel": "phone", "grounds": "x", "contact_phone": "0123456789"},
        now=old,
    )
    fresh, _t = services.enter_appeal(
        world.lead, other, {"channel": "post", "grounds": "y", "contact_address": "Ottawa"}
    )
    services.transition(world.lead, fresh, "acknowledged")
    client.force_login(world.users["case_worker"])
    url = f"/agencies/{world.a.slug}/appeals/"
    both = client.get(url).content.decode()
    assert late.reference in both and fresh.reference in both and "overdue" in both
    overdue = client.get(url, {"overdue": "1"}).content.decode()
    assert late.reference in overdue and fresh.reference not in overdue
    by_state = client.get(url, {"state": "acknowledged"}).content.decode()
    assert fresh.reference in by_state and late.reference not in by_state
    by_system = client.get(url, {"system": other.pk}).content.decode()
    assert fresh.reference in by_system and late.reference not in by_system
