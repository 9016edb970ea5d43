"""Staff statistics (page and API) apply the same minimum group size as the public ones: with a
date filter a small group could point at one case, and appellants were promised their group is
only counted."""

from __future__ import annotations

import datetime as dt

from ombuds.remedy import services

MON = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def decided_in(world, group):
    case, _t = services.enter_appeal(
        world.lead,
        world.system_a,
        {
            "channel": "phone",
            "grounds": "x",
            "contact_phone": "0612345678",
            "group": group,
            "group_consent": True,
        },
        now=MON,
    )
    services.transition(world.lead, case, "acknowledged", now=MON)
    services.transition(world.lead, case, "in_review", not_original_decision_maker=True, now=MON)
    services.transition(world.lead, case, "decided", outcome="overturned", reasons="r", now=MON)


def test_the_api_names_only_groups_from_the_minimum_size(world, client, settings, token_for):
    settings.OMBUDS_PUBLIC_MIN_GROUP = 10
    services.save_policy(world.lead, world.a, {"groups": ["over 65", "under 25"]})
    for _n in range(10):
        decided_in(world, "over 65")
    decided_in(world, "under 25")
    body = client.get(
        f"/api/v1/systems/{world.system_a.pk}/appeal-statistics",
        headers=token_for(world.users["operator"]),
    ).json()
    assert [g["group"] for g in body["groups"]] == ["over 65"]
    assert body["groups_suppressed"] == 1 and "under 25" not in repr(body)
    client.force_login(world.users["operator"])
    page = client.get(f"/systems/{world.system_a.pk}/appeal-statistics/").content.decode()
    assert "over 65" in page and "under 25" not in page
    assert "1 group with fewer than 10 decided appeals is not shown" in page
