"""The demo: two bids, vendor A's "95 % accurate" refuted for one group, vendor B's supported,
the contract carrying the clauses the system's level requires."""

from __future__ import annotations

from ombuds.procurement import demo, services
from ombuds.procurement.controls import vendor_assured_state


def test_the_demo_tells_the_story(world):
    people = {
        "procurement-officer": world.users["procurement_officer"],
        "governance-lead": world.lead,
    }
    p = demo.load(world.a, world.system_a, people)
    verdicts = {
        c.bid.vendor.name: c.verdict
        for c in p.bids.first().claims.model.objects.filter(bid__procurement=p)
    }
    assert verdicts == {"Northwind Analytics": "refuted", "Fairbanks Decision Systems": "supported"}
    refuted = p.bids.get(vendor__name="Northwind Analytics").claims.get().verifications.get()
    rural = next(g for g in refuted.result["groups"] if g["attributes"] == {"region": "rural"})
    assert rural["verdict"] == "refuted"
    assert p.awarded_bid.vendor.name == "Fairbanks Decision Systems"
    assert p.stage == "contract"
    assert services.missing_required_clauses(p) == []
    # Undetermined system: treated as level IV, so every clause required from I–IV is in.
    assert {c.id for c in services.required_clauses(p)} <= set(
        p.clauses.values_list("clause_id", flat=True)
    )
    assert vendor_assured_state(world.system_a) == ("met", [])
