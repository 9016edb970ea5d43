"""The peer-review control: one independent review at level III (and while no level is
approved), two by different reviewers at level IV."""

from __future__ import annotations

import datetime as dt

import pytest

from ombuds.evaluations import services
from ombuds.registry import lifecycle

CONTROL = "evaluations.peer-review"


def status(system):
    system.refresh_from_db()
    return next(s for s in lifecycle.gate(system, "deployed") if s.id == CONTROL)


def review(world, system, name):
    return services.add_peer_review(
        world.users["assessor"],
        system,
        reviewer_name=name,
        organisation="University of Somewhere",
        conclusion="The model is fit for the stated purpose, with two reservations on drift.",
        reviewed_on=dt.date(2025, 3, 1),
        independent=True,
    )


@pytest.mark.parametrize("level,needed", [(None, 2), (3, 1), (4, 2)])
def test_reviews_needed_by_level(world, level, needed):
    system = world.system_a
    system.impact_level = level
    system.save()
    assert status(system).state == "unmet"
    assert status(system).fix_url == f"/systems/{system.pk}/evaluations/peer-review/"
    for i in range(needed):
        assert status(system).state == "unmet"
        review(world, system, f"Reviewer {i}")
    assert status(system).state == "met"


def test_the_same_reviewer_twice_is_one_review(world):
    system = world.system_a
    system.impact_level = 4
    system.save()
    review(world, system, "Ada Lovelace")
    review(world, system, "ada  lovelace")
    assert status(system).detail == (
        "2 independent peer reviews by different reviewers are needed at level IV; 1 recorded"
    )


def test_not_applicable_below_level_three(world, client):
    system = world.system_a
    system.impact_level = 2
    system.save()
    states = {s.id: s.state for s in lifecycle.gate(system, "deployed", True)}
    assert states[CONTROL] == "not_applicable"
    client.force_login(world.users["viewer"])
    page = client.get(f"/systems/{system.pk}/evaluations/").content.decode()
    assert "peer review only of high-impact systems at levels III and IV" in page


def test_a_review_from_inside_the_team_is_refused(world, client):
    client.force_login(world.users["assessor"])
    url = f"/systems/{world.system_a.pk}/evaluations/peer-review/"
    response = client.post(
        url,
        {
            "reviewer_name": "Team member",
            "reviewer_organisation": "Agency A",
            "reviewed_on": "2025-03-01",
            "conclusion": "Looks fine to me after a full read of the code.",
        },
    )
    assert response.status_code == 200
    assert "outside the team" in response.content.decode()
    assert not world.system_a.evaluations.exists()
    response = client.post(
        url,
        {
            "reviewer_name": "Grace Hopper",
            "reviewer_organisation": "Navy Research Lab",
            "reviewed_on": "2025-03-01",
            "conclusion": "Fit for purpose; monitor the false negative rate monthly.",
            "independent": "on",
        },
    )
    evaluation = world.system_a.evaluations.get()
    assert response.status_code == 302
    assert response["Location"] == f"/systems/{world.system_a.pk}/evaluations/{evaluation.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Grace Hopper" in page and "monitor the false negative rate monthly" in page


def test_the_system_owner_does_not_record_peer_reviews_of_their_own_system(world, client):
    client.force_login(world.users["system_owner"])
    response = client.post(
        f"/systems/{world.system_a.pk}/evaluations/peer-review/",
        {
            "reviewer_name": "A friend",
            "reviewer_organisation": "Elsewhere",
            "reviewed_on": "2025-03-01",
            "conclusion": "Fit for purpose; monitor the false negative rate monthly.",
            "independent": "on",
        },
    )
    assert response.status_code == 403
    assert not world.system_a.evaluations.exists()
