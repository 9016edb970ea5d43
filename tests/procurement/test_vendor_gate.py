"""The gate's procurement control: a procured system is blocked until its vendor is assured; a
system built in-house is not concerned."""

from __future__ import annotations

import pytest

from ombuds.core import controls
from ombuds.procurement import services
from ombuds.procurement.controls import CONTROL_ID, vendor_assured_state
from ombuds.registry import lifecycle
from ombuds.registry.models import AISystem
from tests.assessments.builders import Team, ready_system

from .helpers import accept_everything, answer_everything, csv_upload, two_vendor_data


@pytest.fixture
def team(world, make_user):
    return Team(world, make_user)


def state(system):
    return {s.id: s for s in lifecycle.gate(system, "deployed")}[CONTROL_ID]


def test_a_system_not_bought_is_not_applicable_and_never_blocks(world, team):
    system = ready_system(world, team)
    assert vendor_assured_state(system) == (controls.NOT_APPLICABLE, [])
    assert CONTROL_ID not in {s.id for s in lifecycle.gate(system, "deployed")}
    listed = {s.id: s for s in lifecycle.gate(system, "deployed", include_not_applicable=True)}
    assert listed[CONTROL_ID].state == "not_applicable"
    assert not [s for s in lifecycle.gate(system, "deployed") if s.blocks]


def test_a_procured_system_is_blocked_until_assured(world, team):
    system = ready_system(world, team)
    officer = world.users["procurement_officer"]
    vendor = services.create_vendor(officer, world.a, {"name": "Acme Analytics"})
    p = services.create_procurement(
        officer, world.a, {"title": "Triage", "procedure": "open", "systems": [system.pk]}
    )
    bid = services.add_bid(officer, p, vendor, {})
    s = state(system)
    assert s.state == "unmet" and "not been awarded" in s.detail
    assert f"/procurements/{p.pk}/" in s.fix_url

    services.start_market_engagement(officer, p)
    services.start_evaluation(officer, p)
    services.award(officer, p, bid)
    assert "no due-diligence request" in state(system).detail

    request, _t = services.send_due_diligence(officer, bid)
    answer_everything(request)
    assert "incomplete" in state(system).detail
    accept_everything(officer, request)
    bad = request.answers.get(question_id="grievance-mechanism")
    services.review_answer(
        officer, bad, "unacceptable", "No mechanism for subcontracted labellers."
    )
    assert "unacceptable" in state(system).detail
    services.review_answer(officer, bad, "accepted", "Mechanism described in the new annex.")

    # A material claim refuted on local data keeps the gate shut until it is answered.
    claim = services.add_claim(
        officer,
        bid,
        {"metric": "accuracy", "value": 0.95, "every_group": True, "protected_attribute": "group"},
    )
    services.add_claim(officer, bid, {"metric": "tpr", "value": 0.99, "material": False})
    data = services.upload_dataset(officer, p, csv_upload(two_vendor_data()), "label")
    services.verify_claim(officer, claim, data, prediction="pred_a")
    s = state(system)
    assert s.state == "unmet" and "1 material claim" in s.detail
    assert "lacks clauses" not in s.detail  # the level's clauses were preselected

    services.accept_claim(
        world.lead, claim, "Group B accuracy gap covered by contract remedy and monthly tests."
    )
    # Everything is in order but the contract: not met until it is signed.
    s = state(system)
    assert s.state == "unmet" and "not signed" in s.detail
    services.sign_contract(officer, p)
    assert state(system).state == "met"
    assert vendor_assured_state(system) == (controls.MET, [])
    lifecycle.transition(system, "deployed", "Pilot evaluated, vendor assured.", team.lead)


def test_a_register_vendor_without_a_procurement_is_unmet(world, team):
    system = ready_system(world, team)
    AISystem.objects.filter(pk=system.pk).update(vendor_name="Acme Analytics")
    system.refresh_from_db()
    s = state(system)
    assert s.state == "unmet" and "no procurement records it" in s.detail


def test_dropping_a_required_clause_from_the_contract_blocks(world, team):
    system = ready_system(world, team)
    from .helpers import make_procurement

    p, bid = make_procurement(world, system=system)
    services.start_market_engagement(world.lead, p)
    services.start_evaluation(world.lead, p)
    services.award(world.lead, p, bid)
    request, _t = services.send_due_diligence(world.lead, bid)
    answer_everything(request)
    accept_everything(world.lead, request)
    services.sign_contract(world.lead, p)
    assert state(system).state == "met"
    p.clauses.filter(clause_id="labour-standards").delete()  # e.g. an older contract
    assert "Labour standards" in state(system).detail
