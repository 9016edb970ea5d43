"""A procurement moves one stage at a time, each move audited; one bid per vendor; the award
goes to one bid; the contract is refused while a required clause is missing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ombuds.core.models import AuditEvent
from ombuds.procurement import services

from .helpers import make_procurement


def test_stages_move_forward_one_at_a_time(world):
    p, bid = make_procurement(world)
    officer = world.users["procurement_officer"]
    with pytest.raises(services.Refused):
        services.start_evaluation(officer, p)  # skipping market engagement
    services.start_market_engagement(officer, p)
    services.start_evaluation(officer, p)
    services.award(officer, p, bid)
    services.sign_contract(officer, p)
    services.start_post_award(officer, p)
    p.refresh_from_db()
    assert p.stage == "post_award" and p.awarded_bid == bid
    actions = list(
        AuditEvent.objects.filter(action__startswith="procurement.stage.").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "procurement.stage.market_engagement",
        "procurement.stage.evaluation",
        "procurement.stage.award",
        "procurement.stage.contract",
        "procurement.stage.post_award",
    ]
    first = p.reviews.get()
    assert (first.due_on - p.created_at.date()).days in range(180, 186)


def test_one_bid_per_vendor(world):
    p, bid = make_procurement(world)
    with pytest.raises(ValidationError) as err:
        services.add_bid(world.lead, p, bid.vendor, {"product": "Again"})
    assert "already has a bid" in err.value.messages[0]


def test_the_contract_waits_for_the_required_clauses(world):
    p, bid = make_procurement(world)
    services.start_market_engagement(world.lead, p)
    services.start_evaluation(world.lead, p)
    services.award(world.lead, p, bid)
    p.clauses.filter(clause_id="audit-inspection").delete()
    with pytest.raises(services.Refused) as err:
        services.sign_contract(world.lead, p)
    assert "Audit and inspection rights" in err.value.detail


def test_roles_and_agencies(world):
    p, bid = make_procurement(world)
    with pytest.raises(PermissionDenied):
        services.start_market_engagement(world.users["viewer"], p)
    with pytest.raises(Http404):
        services.start_market_engagement(world.other_lead, p)
    with pytest.raises(ValidationError):
        services.create_procurement(
            world.lead, world.a, {"title": "x", "procedure": "open", "systems": [world.system_b.pk]}
        )
