"""The reviewer must be a different person from the one who took the first decision, and must
hold what the system asks of its reviewers (core.qualifications: the people app's training)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ombuds.core import qualifications
from ombuds.remedy import services


@pytest.fixture
def acknowledged(world, appeal):
    case, _token = appeal
    services.transition(world.users["case_worker"], case, "acknowledged")
    return case


@pytest.fixture
def training_rule(world):
    """The people app's contract: a rule answering a reason when someone lacks training."""

    def rule(user, system):
        if user.username == world.lead.username:
            return None
        return f"{user.username} has not completed the training required for {system.name}"

    qualifications.register("test.training", rule)
    yield
    qualifications.unregister("test.training")


def test_the_original_decision_maker_may_not_review(world, acknowledged):
    operator = world.users["operator"]  # took the first decision (see the notice fixture)
    with pytest.raises(ValidationError) as err:
        services.transition(operator, acknowledged, "in_review")
    assert "different person" in str(err.value.message_dict["reviewer"])
    acknowledged.refresh_from_db()
    assert acknowledged.state == "acknowledged" and acknowledged.reviewer is None


def test_nor_decide_after_someone_else_started_the_review(world, acknowledged):
    services.transition(world.users["case_worker"], acknowledged, "in_review")
    with pytest.raises(ValidationError):
        services.transition(
            world.users["operator"], acknowledged, "decided", outcome="upheld", reasons="Fine."
        )


def test_a_reviewer_without_the_training_is_refused_with_the_reason(
    world, acknowledged, training_rule
):
    with pytest.raises(ValidationError) as err:
        services.transition(world.users["case_worker"], acknowledged, "in_review")
    assert "has not completed the training" in str(err.value.message_dict["reviewer"])
    services.transition(world.lead, acknowledged, "in_review")
    acknowledged.refresh_from_db()
    assert acknowledged.reviewer == world.lead


def test_the_case_page_tells_a_conflicted_reviewer_why(world, client, acknowledged):
    client.force_login(world.users["operator"])
    page = client.get(f"/agencies/{world.a.slug}/appeals/{acknowledged.pk}/").content.decode()
    assert "You took the original decision" in page
    response = client.post(
        f"/agencies/{world.a.slug}/appeals/{acknowledged.pk}/step/", {"to": "in_review"}
    )
    assert response.status_code == 400
    assert "different person must review" in response.content.decode()
