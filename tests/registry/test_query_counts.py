"""List pages and list endpoints use a constant number of queries however many rows there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.registry import determination


def grow(world, make_system, n):
    for i in range(n):
        s = make_system(
            world.a,
            f"Grown {len(world.grown) + i:03d}",
            decision_role="recommendation",
            review_due="2020-01-01",
        )
        determination.determine(s, world.lead, answers={}, determination="rights")
    world.grown.extend(range(n))


def count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/systems/", "/dashboard/", "/api/v1/systems?limit=500", "HISTORY"]
)
def test_queries_do_not_grow_with_rows(world, make_system, client, token_for, url):
    world.grown = []
    headers = token_for(world.lead)
    client.force_login(world.lead)
    from ombuds.registry import services

    def get():
        target = url
        if url == "HISTORY":
            target = f"/api/v1/systems/{world.system_a.pk}/history"
        return client.get(target, headers=headers)

    grow(world, make_system, 3)
    services.update_system(world.lead, world.system_a, {"team": "t1"})
    get()  # the first call stamps the token's last use; measure steady state
    small = count_queries(get)
    grow(world, make_system, 30)
    for i in range(20):
        services.update_system(world.lead, world.system_a, {"team": f"t{i + 2}"})
    large = count_queries(get)
    assert small == large, f"{url}: {small} queries with few rows, {large} with many"
