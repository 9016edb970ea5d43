"""Nobody operates a high-impact system untrained: assignment is refused until certified (naming
the modules), the gate refuses deployment with an uncertified operator, and from level III a
module taken once is not enough."""

from __future__ import annotations

import datetime as dt

import pytest

from ombuds.core import qualifications
from ombuds.people import services
from ombuds.people.models import Assignment, Certificate
from ombuds.registry import lifecycle
from ombuds.registry.models import AISystem
from tests.assessments.builders import Team, ready_system
from tests.people.helpers import certify


@pytest.fixture
def team(world, make_user):
    return Team(world, make_user)


def unmet(system, to="deployed"):
    return {s.id: s.detail for s in lifecycle.gate(system, to) if s.state == "unmet"}


def test_an_untrained_person_cannot_be_assigned_to_a_high_impact_system(world, team):
    system = ready_system(world, team)
    newcomer = world.users["case_worker"]
    with pytest.raises(services.AssignmentRefused) as exc:
        services.assign(team.owner, system, newcomer, "reviews")
    message = exc.value.detail
    for title in (
        "Automation bias and how to resist it",
        "How to override, escalate and stop",
        "Rights impacts and non-discrimination",
        "What an AI system can and cannot do",
    ):
        assert title in message
    assert not Assignment.objects.filter(user=newcomer).exists()
    certify(newcomer, system)
    services.assign(team.owner, system, newcomer, "reviews")
    assert Assignment.objects.filter(user=newcomer, ended_at__isnull=True).count() == 1


def test_the_assignment_page_shows_the_refusal(world, team, client):
    system = ready_system(world, team)
    client.force_login(team.owner)
    response = client.post(
        f"/systems/{system.pk}/operators/",
        {"user": world.users["case_worker"].pk, "duty": "reviews"},
    )
    assert response.status_code == 200
    assert "cannot be assigned to this high-impact system until certified" in (
        response.content.decode()
    )


def test_a_system_that_is_not_high_impact_takes_anyone(world, make_system):
    from ombuds.registry import determination

    system = make_system(world.a, "Mail sorter")
    determination.determine(
        system, world.lead, answers={}, determination="neither", justification="Sorts mail."
    )
    system.refresh_from_db()
    services.assign(world.lead, system, world.users["viewer"], "decisions")
    assert Assignment.objects.filter(system=system).count() == 1


def test_the_gate_refuses_deployment_with_an_uncertified_operator(world, team):
    system = ready_system(world, team)
    assert "people.operators-trained" not in unmet(system)
    # The operator's automation-bias certificate runs out.
    Certificate.objects.filter(module="general.automation-bias").update(
        completed_on=dt.date(2020, 1, 1), expires_on=dt.date(2021, 1, 1)
    )
    detail = unmet(system)["people.operators-trained"]
    assert "a-operator is not certified for: Automation bias and how to resist it" in detail
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.transition(system, "deployed", "Go live.", team.lead)
    system.refresh_from_db()
    assert system.stage == "pilot"


def test_the_gate_needs_at_least_one_operator(world, team):
    system = ready_system(world, team)
    for a in Assignment.objects.filter(system=system):
        services.end_assignment(team.owner, a)
    assert (
        unmet(system)["people.operators-trained"] == "no active operator is assigned to the system"
    )


def test_from_level_three_a_module_taken_once_does_not_do(world, team):
    system = ready_system(world, team)
    text = """
id: agency-a.alpha-tool
version: 1
title: Using the Alpha tool
objectives: [Read Alpha's ranking screen]
materials:
  - title: The screen
    text: The ranking screen shows the claim's score and the three inputs that moved it most.
check:
  pass_mark: 100
  questions:
    - id: one
      text: What does the screen show?
      choices: [{id: a, text: The score and its main inputs, correct: true}, {id: b, text: The decision}]
    - id: two
      text: Who decides?
      choices: [{id: a, text: You, correct: true}, {id: b, text: The system}]
    - id: three
      text: What if an input is wrong?
      choices: [{id: a, text: Correct it and escalate, correct: true}, {id: b, text: Ignore it}]
"""
    services.save_module(team.lead, world.a, text, [system])
    certify(world.users["operator"], system)  # now holds the new module too
    detail = unmet(system)["people.operators-trained"]
    assert "training must be renewed" in detail and "Using the Alpha tool" in detail
    # At level II a module taken once is fine.
    AISystem.objects.filter(pk=system.pk).update(impact_level=2)
    system.refresh_from_db()
    assert "people.operators-trained" not in unmet(system)


def test_core_hears_who_is_qualified(world, team):
    system = ready_system(world, team)
    assert qualifications.missing(world.users["operator"], system) == []
    reasons = qualifications.missing(world.users["case_worker"], system)
    assert len(reasons) == 1 and reasons[0].startswith("not certified for: ")
    assert "Automation bias and how to resist it" in reasons[0]
