"""The demo configures the flagship's appeal route and leaves cases in several states, one of
them overturned with its remedy recorded."""

from __future__ import annotations

from ombuds.remedy import demo, services, stats
from ombuds.remedy.models import Appeal, AppealRoute


def people(world):
    return {
        "case-worker": world.users["case_worker"],
        "operator": world.users["operator"],
        "governance-lead": world.lead,
    }


def test_the_demo_configures_the_route_and_fills_the_queue(world):
    AppealRoute.objects.all().delete()
    demo.evidence(world.system_a, people(world))
    assert services.route_gaps(world.system_a) == []
    demo.extras(world.system_a, people(world))
    states = sorted(Appeal.objects.values_list("state", flat=True))
    assert states == ["closed", "closed", "in_review", "received"]
    assert stats.overturn_rate(world.system_a) == (2, 1)
    overturned = Appeal.objects.get(outcome="overturned")
    assert overturned.remedy_kinds == ["decision_reversed", "payment"]
    # Called twice, it adds nothing.
    demo.extras(world.system_a, people(world))
    assert Appeal.objects.count() == 4
