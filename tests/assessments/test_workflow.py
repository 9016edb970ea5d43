"""The assessment workflow: draft → submitted → under review → approved with a decision, four eyes,
reviewers and approvers as the agency's rule for the level says, and the system's level."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ombuds.assessments import rules, services
from ombuds.assessments.models import Condition
from ombuds.core.models import AuditEvent
from tests.assessments.builders import RISK, Team, answers_at, approve


@pytest.fixture
def team(world, make_user):
    return Team(world, make_user)


def drafted(world, team, pick="max", template="ombuds-impact-assessment"):
    a = services.start(team.owner, world.system_a, template)
    services.save_answers(team.owner, a, answers_at(template, pick))
    services.add_risk(team.owner, a, dict(RISK))
    return a


def test_a_draft_cannot_be_submitted_with_questions_unanswered(world, team):
    a = services.start(team.owner, world.system_a, "ombuds-impact-assessment")
    services.add_risk(team.owner, a, dict(RISK))
    with pytest.raises(ValidationError) as refused:
        services.submit(team.owner, a)
    assert "purpose.intended" in refused.value.message_dict


def test_a_high_impact_assessment_needs_a_risk_before_submission(world, team):
    a = services.start(team.owner, world.system_a, "ombuds-impact-assessment")
    services.save_answers(team.owner, a, answers_at(a.template_id, "min"))
    with pytest.raises(ValidationError) as refused:
        services.submit(team.owner, a)
    assert "risks" in refused.value.message_dict


def test_answers_that_are_not_choices_are_named(world, team):
    a = services.start(team.owner, world.system_a, "ombuds-impact-assessment")
    with pytest.raises(ValidationError) as refused:
        services.save_answers(
            team.owner, a, {"impact.decision_effect": "catastrophic", "nope": "x"}
        )
    assert set(refused.value.message_dict) == {"impact.decision_effect", "nope"}
    a.refresh_from_db()
    assert a.answers == {}


def test_the_author_never_reviews_or_approves_their_own(world, team):
    a = drafted(world, team, "min")  # level I: no reviewer needed, one lead approves
    author = team.lead  # a governance lead writes this one
    type(a).objects.filter(pk=a.pk).update(author=author)
    a.refresh_from_db()
    services.submit(author, a)
    with pytest.raises(services.WorkflowRefused) as refused:
        services.sign_off(author, a, "deploy")
    assert refused.value.rule == "four_eyes"
    with pytest.raises(services.WorkflowRefused):
        services.review(author, a, "deploy", "Looks fine to me")
    a = services.sign_off(team.lead2, a, "deploy")
    assert a.status == "approved"


def test_level_one_is_approved_by_one_governance_lead(world, team):
    a = drafted(world, team, "min")
    services.submit(team.owner, a)
    a.refresh_from_db()
    assert a.level == 1
    with pytest.raises(PermissionDenied):
        services.sign_off(team.assessor, a, "deploy")  # not the approvers' role
    a = services.sign_off(team.lead, a, "deploy")
    assert a.status == "approved" and a.decision == "deploy"
    world.system_a.refresh_from_db()
    assert world.system_a.impact_level == 1


def test_level_four_needs_two_reviews_then_two_distinct_leads(world, team):
    a = drafted(world, team, "max")
    services.submit(team.owner, a)
    a.refresh_from_db()
    assert a.level == 4
    with pytest.raises(services.WorkflowRefused) as refused:
        services.sign_off(team.lead, a, "deploy")
    assert "needs 2 independent review(s)" in refused.value.detail
    services.review(team.assessor, a, "deploy", "Evidence is sound.")
    a.refresh_from_db()
    assert a.status == "in_review"
    with pytest.raises(services.WorkflowRefused):
        services.review(team.assessor, a, "deploy", "Again")  # once per round
    services.review(team.assessor2, a, "conditions", "Publish the letter first.")
    a = services.sign_off(team.lead, a, "deploy")
    assert a.status == "in_review"  # one approver of two
    with pytest.raises(services.WorkflowRefused):
        services.sign_off(team.lead, a, "deploy")  # the same lead twice is not two
    a = services.sign_off(
        team.lead2,
        a,
        "conditions",
        conditions=[{"text": "Publish the explanation letter", "before_deployment": True}],
    )
    # The stricter voice holds.
    assert a.status == "approved" and a.decision == "conditions"
    assert [c.text for c in Condition.objects.filter(assessment=a)] == [
        "Publish the explanation letter"
    ]


def test_a_reviewer_is_not_also_an_approver(world, team):
    policy = {"reviewers_required": 1, "reviewer_role": "governance_lead"}
    policy |= {"approvers_required": 1, "approver_role": "governance_lead"}
    services.save_policy(team.lead, world.a, 4, policy)
    a = drafted(world, team, "max")
    services.submit(team.owner, a)
    services.review(team.lead, a, "deploy", "fine")
    a.refresh_from_db()
    assert "you reviewed this assessment" in " ".join(services.approval_blockers(a, team.lead))
    with pytest.raises(services.WorkflowRefused):
        services.sign_off(team.lead, a, "deploy")
    assert services.sign_off(team.lead2, a, "deploy").status == "approved"


def test_the_agency_sets_who_approves_each_level(world, team, make_user):
    services.save_policy(
        team.lead,
        world.a,
        1,
        {
            "reviewers_required": 1,
            "reviewer_role": "governance_lead",
            "approvers_required": 2,
            "approver_role": "governance_lead",
        },
    )
    assert rules.policy_for(world.a, 1).approvers_required == 2
    assert rules.policy_for(world.b, 1).approvers_required == 1  # other agencies keep defaults
    a = drafted(world, team, "min")
    services.submit(team.owner, a)
    with pytest.raises(PermissionDenied):
        services.review(team.assessor, a, "deploy", "fine")  # reviewers must be leads now
    third = make_user("a-lead-3", world.a, "governance_lead")
    services.review(third, a, "deploy", "fine")
    a = services.sign_off(team.lead, a, "deploy")
    assert a.status == "in_review"
    a = services.sign_off(team.lead2, a, "deploy")
    assert a.status == "approved"
    with pytest.raises(PermissionDenied):
        services.save_policy(team.owner, world.a, 2, {})


def test_returning_starts_a_new_round(world, team):
    a = drafted(world, team, "max")
    services.submit(team.owner, a)
    services.review(team.assessor, a, "do_not_deploy", "Data section is thin.")
    services.return_to_author(team.assessor2, a, "Say where the training data comes from.")
    a.refresh_from_db()
    assert a.status == "draft" and a.round == 2
    services.save_answers(team.owner, a, {"purpose.intended": "Triage, now explained."})
    services.submit(team.owner, a)
    a.refresh_from_db()
    # Last round's review no longer counts: two new ones are needed.
    assert "needs 2 independent review(s) first; 0 given" in services.approval_blockers(a)[0]


def test_do_not_deploy_needs_a_reason_and_conditions_need_text(world, team):
    a = drafted(world, team, "min")
    services.submit(team.owner, a)
    with pytest.raises(ValidationError) as refused:
        services.sign_off(team.lead, a, "do_not_deploy")
    assert "comment" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.sign_off(team.lead, a, "conditions", conditions=[])
    assert "conditions" in refused.value.message_dict


def test_the_system_level_is_the_highest_of_the_latest_approved(world, team):
    own = approve(drafted(world, team, "min"), team.owner, [], [team.lead])
    assert own.level == 1
    fria = services.start(team.owner, world.system_a, "eu-ai-act-fria")
    services.save_answers(team.owner, fria, answers_at("eu-ai-act-fria", "max"))
    services.add_risk(team.owner, fria, dict(RISK))
    fria = approve(fria, team.owner, [team.assessor, team.assessor2], [team.lead, team.lead2])
    world.system_a.refresh_from_db()
    assert fria.level == 4 and world.system_a.impact_level == 4
    # A newer approved FRIA at a lower level replaces the older FRIA, not the other template.
    newer = services.new_version(team.owner, fria)
    services.save_answers(team.owner, newer, answers_at("eu-ai-act-fria", "min"))
    approve(newer, team.owner, [team.assessor], [team.lead])
    world.system_a.refresh_from_db()
    assert world.system_a.impact_level == 1


def test_every_step_is_in_the_audit_log(world, team):
    a = approve(drafted(world, team, "min"), team.owner, [], [team.lead])
    actions = list(
        AuditEvent.objects.filter(action__startswith="assessment.").values_list("action", flat=True)
    )
    assert actions == [
        "assessment.start",
        "assessment.answer",
        "assessment.risk_add",
        "assessment.submit",
        "assessment.sign_off",
    ]
    assert AuditEvent.objects.get(action="assessment.sign_off").changes["approved"] == {
        "decision": "deploy",
        "level": a.level,
    }


def test_an_approved_assessment_is_frozen(world, team):
    a = approve(drafted(world, team, "min"), team.owner, [], [team.lead])
    with pytest.raises(services.WorkflowRefused):
        services.save_answers(team.owner, a, {"purpose.intended": "changed"})
    with pytest.raises(services.WorkflowRefused):
        services.add_risk(team.owner, a, dict(RISK))


def test_whoever_wrote_part_of_it_does_not_approve_it(world, team):
    a = services.start(team.owner, world.system_a, "ombuds-impact-assessment")
    # A lead writes the answers into the owner's draft, then tries to approve it.
    services.save_answers(team.lead, a, answers_at(a.template_id, "min"))
    services.add_risk(team.owner, a, dict(RISK))
    services.submit(team.owner, a)
    with pytest.raises(services.WorkflowRefused) as refused:
        services.sign_off(team.lead, a, "deploy")
    assert refused.value.rule == "four_eyes"
    assert services.sign_off(team.lead2, a, "deploy").status == "approved"


def test_what_reviewers_saw_is_what_approvers_sign(world, team):
    a = drafted(world, team, "max")
    services.submit(team.owner, a)
    services.review(team.assessor, a, "deploy", "Risks are well handled.")
    with pytest.raises(services.WorkflowRefused):
        services.add_risk(team.owner, a, dict(RISK, risk="A new, unreviewed risk"))
    with pytest.raises(services.WorkflowRefused):
        services.remove_risk(team.owner, a.risks.first())
    assert a.risks.count() == 1


def test_a_material_change_during_review_sends_it_back(world, team):
    from ombuds.registry import services as registry

    a = drafted(world, team, "max")
    services.submit(team.owner, a)
    registry.record_material_change(team.owner, world.system_a, "model", "Retrained on 2025 data")
    a.refresh_from_db()
    assert a.status == "draft" and a.round == 2


def test_a_condition_is_met_once(world, team):
    a = drafted(world, team, "min")
    services.submit(team.owner, a)
    a = services.sign_off(team.lead, a, "conditions", conditions=[{"text": "Publish the letter"}])
    condition = a.conditions.get()
    services.meet_condition(team.owner, condition, "Published on the website")
    with pytest.raises(services.WorkflowRefused):
        services.meet_condition(team.assessor, condition, "Someone else says so")
    condition.refresh_from_db()
    assert condition.met_by == team.owner


def test_changing_the_pilot_plan_after_its_evaluation_needs_a_new_evaluation(world, team):
    plan = {
        "scope": "Two offices",
        "population": "New applicants",
        "duration": "3 months",
        "success_criteria": "Ratio above 0.8",
        "monitoring": "Weekly",
    }
    services.save_pilot_plan(team.owner, world.system_a, plan)
    services.evaluate_pilot(team.assessor, world.system_a, "Met.", True)
    saved = services.save_pilot_plan(
        team.owner, world.system_a, {**plan, "success_criteria": "Ratio above 0.5"}
    )
    assert saved.evaluated_at is None and saved.criteria_met is None


def test_a_bad_level_on_the_approval_rule_page_is_a_message(world, client):
    client.force_login(world.lead)
    response = client.post(f"/agencies/{world.a.slug}/approval-policy/", {"level": "x"})
    assert response.status_code == 200
    assert "Choose a level from 1 to 4" in response.content.decode()
