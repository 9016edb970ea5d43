"""Every rule of the gate: a system with all its evidence passes; take one piece away and exactly
that control blocks, through the lifecycle, the API and the web page alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ombuds.assessments import services as assessments
from ombuds.assessments.models import Assessment
from ombuds.core import controls
from ombuds.registry import lifecycle
from ombuds.registry import services as registry
from ombuds.registry.models import AISystem, Card
from tests.app_helpers import app_helpers
from tests.assessments.builders import Team, ready_system


@pytest.fixture
def team(world, make_user):
    return Team(world, make_user)


def unmet(system, to="deployed"):
    return [s.id for s in lifecycle.gate(system, to) if s.state == "unmet"]


def test_a_system_with_all_its_evidence_passes_the_gate(world, team):
    system = ready_system(world, team)
    assert unmet(system, "deployed") == []
    states = {s.id: s.state for s in lifecycle.gate(system, "deployed")}
    assert states["evaluations.bias-audit"] == "met"
    lifecycle.transition(system, "deployed", "Pilot evaluated, all signed.", team.lead)
    system.refresh_from_db()
    assert system.stage == "deployed" and system.impact_level == 4


def _drop_card_field(kind, name):
    def breaker(system, team):
        card = Card.objects.get(system=system, kind=kind)
        card.fields[name] = ""
        card.save()

    return breaker


def _latest(system):
    return Assessment.objects.filter(system=system, status="approved").latest("approved_at")


def _undetermine(system, team):
    AISystem.objects.filter(pk=system.pk).update(impact_determination="")


def _automated(system, team):
    AISystem.objects.filter(pk=system.pk).update(decision_role="automated")


def _no_approved(system, team):
    Assessment.objects.filter(system=system).update(status="in_review")


def _do_not_deploy(system, team):
    Assessment.objects.filter(system=system).update(decision="do_not_deploy")


def _open_condition(system, team):
    _latest(system).conditions.create(text="Publish the explanation letter", before_deployment=True)


def _one_approver(system, team):
    _latest(system).signoffs.filter(approver=team.lead2).delete()


def _one_reviewer(system, team):
    _latest(system).reviews.filter(reviewer=team.assessor2).delete()


def _data_gap(system, team):
    _drop_card_field("data", "provenance")(system, team)


def _no_risks(system, team):
    _latest(system).risks.all().delete()


def _riskless_owner(system, team):
    _latest(system).risks.update(owner="")


def _no_engagement(system, team):
    _latest(system).engagements.all().delete()


def _no_pilot_evaluation(system, team):
    system.pilot_plan.__class__.objects.filter(system=system).update(evaluated_at=None)


def _pilot_failed(system, team):
    system.pilot_plan.__class__.objects.filter(system=system).update(criteria_met=False)


def _no_audit(system, team):
    system.evaluations.filter(kind="bias_audit").delete()


def _uncovered_characteristic(system, team):
    registry.save_protected_characteristics(
        team.owner,
        system,
        [*system.protected_characteristics, {"id": "age", "collected": True}],
    )


def _one_peer_review(system, team):
    system.evaluations.filter(kind="peer_review").order_by("id").first().delete()


def _unwatched(system, team):
    system.monitors.all().delete()


def _critical_alert(system, team):
    from ombuds.monitoring.models import Alert

    Alert.objects.create(
        system=system,
        monitor=system.monitors.first(),
        severity="critical",
        metric="accuracy_drop",
        message="accuracy fell",
    )


BREAKS = {
    "monitoring.no-open-critical": _critical_alert,
    "monitoring.active": _unwatched,
    "registry.determination-confirmed": _undetermine,
    "registry.human-final-decision": _automated,
    "registry.system-documented": _drop_card_field("model", "limitations"),
    "registry.contingency-plan": _drop_card_field("system", "contingency"),
    "assessments.assessment-approved": _no_approved,
    "assessments.decision-permits-use": _do_not_deploy,
    "assessments.conditions-met": _open_condition,
    "assessments.approval-rank": _one_approver,
    "assessments.independent-review": _one_reviewer,
    "assessments.data-evaluation": _data_gap,
    "assessments.risk-register": _no_risks,
    "assessments.stakeholder-engagement": _no_engagement,
    "assessments.pilot-evaluated": _no_pilot_evaluation,
    "evaluations.bias-audit": _no_audit,
    "evaluations.peer-review": _one_peer_review,
}
# Controls of other apps: each app's tests say how to break its evidence (GATE_BREAKS).
for _helpers in app_helpers():
    BREAKS.update(getattr(_helpers, "GATE_BREAKS", {}))


def test_a_suspended_system_with_an_open_critical_alert_goes_nowhere_in_use(world, team):
    system = ready_system(world, team, stage="suspended")
    _critical_alert(system, team)
    from ombuds.registry import determination

    determination.determine(
        system, team.lead, answers={}, determination="neither", justification="Only sorts mail."
    )
    system.refresh_from_db()
    for to in ("pilot", "deployed"):
        assert "monitoring.no-open-critical" in unmet(system, to)


def test_every_control_in_force_has_a_rule_here():
    in_force = {c.id for c in controls.registered()}
    checked_before_deploying = {
        i.id for i in controls.catalogue().items.values() if "deployed" in i.stages
    }
    assert (in_force & checked_before_deploying) - set(BREAKS) == set()


@pytest.mark.parametrize("control", sorted(BREAKS))
def test_each_missing_piece_blocks_with_its_own_control(world, team, control):
    system = ready_system(world, team)
    BREAKS[control](system, team)
    system.refresh_from_db()
    found = unmet(system, "deployed")
    if control == "assessments.assessment-approved":
        # With no approved assessment nothing that rests on one can be met either.
        assert control in found and "assessments.decision-permits-use" in found
    elif control == "registry.determination-confirmed":
        # Undetermined means treated as high-impact: the rest still holds.
        assert found == [control]
    else:
        assert found == [control]
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.transition(system, "deployed", "try", team.lead)
    assert control in [cid for cid, _ in refused.value.blockers]


@pytest.mark.parametrize(
    "breaker,control",
    [
        (_uncovered_characteristic, "evaluations.bias-audit"),
        (_riskless_owner, "assessments.risk-register"),
        (_pilot_failed, "assessments.pilot-evaluated"),
    ],
)
def test_half_done_evidence_does_not_count(world, team, breaker, control):
    system = ready_system(world, team)
    breaker(system, team)
    system.refresh_from_db()
    assert unmet(system) == [control]


def test_pilot_needs_a_plan_and_the_assessment_but_not_yet_the_pilot_results(world, team):
    system = ready_system(world, team, stage="development")
    assert unmet(system, "pilot") == []
    system.pilot_plan.delete()
    system = AISystem.objects.get(pk=system.pk)
    assert unmet(system, "pilot") == ["assessments.pilot-plan"]


def test_a_system_that_is_not_high_impact_needs_only_the_determination(world):
    system = world.system_a
    system.stage = "development"
    system.impact_determination = "neither"
    system.save()
    assert unmet(system, "pilot") == []


def test_controls_follow_the_level(world, team):
    """Stakeholder engagement, human decision and peer review apply from level III."""
    system = ready_system(world, team)
    _no_engagement(system, team)
    _automated(system, team)
    system.evaluations.filter(kind="peer_review").delete()
    AISystem.objects.filter(pk=system.pk).update(impact_level=2)
    Assessment.objects.filter(system=system).update(level=2)
    system.refresh_from_db()
    # Level II needs one reviewer and one approver: the level IV sign-offs still satisfy it.
    assert unmet(system) == []


# --- the do-not-deploy decision and material changes --------------------------------------------


def test_a_do_not_deploy_decision_holds_until_a_new_assessment_is_approved(world, team):
    system = ready_system(world, team, stage="development")
    first = _latest(system)
    second = assessments.new_version(team.owner, first)
    assessments.submit(team.owner, second)
    for r in (team.assessor, team.assessor2):
        assessments.review(r, second, "do_not_deploy", "Disparities for disability unknown.")
    for a in (team.lead, team.lead2):
        assessments.sign_off(
            a, second, "do_not_deploy", "Cannot show it is fair to disabled people."
        )
    system.refresh_from_db()
    assert "assessments.decision-permits-use" in unmet(system, "pilot")
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.transition(system, "pilot", "we need it", team.lead)
    # Waiving it is not possible either.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        registry.grant_waiver(
            team.lead,
            system,
            "assessments.decision-permits-use",
            "We accept the risk for this quarter, honestly.",
            timezone.localdate() + dt.timedelta(days=30),
        )
    assert "cannot be waived" in str(refused.value)
    third = assessments.new_version(team.owner, second)
    for a in [third]:
        assessments.submit(team.owner, a)
        for r in (team.assessor, team.assessor2):
            assessments.review(r, a, "deploy", "The survey sample now covers disability.")
        for lead in (team.lead, team.lead2):
            assessments.sign_off(lead, a, "deploy")
    system.refresh_from_db()
    assert unmet(system, "pilot") == []


def test_a_material_change_reopens_the_assessment(world, team, client):
    system = ready_system(world, team)
    registry.save_card(team.owner, system, "model", {"version": "1.0"})  # filling in: no change
    assert unmet(system) == []
    registry.save_card(team.owner, system, "model", {"version": "2.0"})  # retrained: a change
    system.refresh_from_db()
    assert unmet(system) == ["assessments.assessment-approved"]
    detail = [s for s in lifecycle.gate(system, "deployed") if s.state == "unmet"][0].detail
    assert "model card edited: version" in detail
    client.force_login(team.owner)
    page = client.post(
        f"/systems/{system.pk}/material-change/",
        {"kind": "population", "description": "Extended to applicants abroad"},
    )
    assert page.status_code == 302


def test_editing_the_purpose_needs_review_too(world, team):
    system = ready_system(world, team)
    registry.update_system(team.owner, system, {"outputs": "A score only"})
    registry.update_system(team.owner, system, {"outputs": "A score and a ranking"})
    assert unmet(system) == ["assessments.assessment-approved"]


# --- waivers ------------------------------------------------------------------------------------


def test_a_waiver_lets_the_system_pass_until_it_expires(world, team):
    system = ready_system(world, team)
    _no_engagement(system, team)
    waiver = registry.grant_waiver(
        team.lead,
        system,
        "assessments.stakeholder-engagement",
        "Workshops are booked for next month; the pilot regions' advocates were briefed.",
        timezone.localdate() + dt.timedelta(days=20),
    )
    states = {s.id: s.state for s in lifecycle.gate(system, "deployed")}
    assert states["assessments.stakeholder-engagement"] == "waived"
    assert unmet(system) == []
    # Time passes: the waiver expires and the control blocks again.
    type(waiver).objects.filter(pk=waiver.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert unmet(system) == ["assessments.stakeholder-engagement"]


def test_a_revoked_waiver_stops_counting(world, team):
    system = ready_system(world, team)
    _no_engagement(system, team)
    waiver = registry.grant_waiver(
        team.lead,
        system,
        "assessments.stakeholder-engagement",
        "Workshops are booked for next month; the advocates were briefed.",
        timezone.localdate() + dt.timedelta(days=20),
    )
    registry.revoke_waiver(team.lead, waiver)
    assert unmet(system) == ["assessments.stakeholder-engagement"]


@pytest.mark.parametrize(
    "who,control,justification,days,error",
    [
        ("system_owner", "assessments.stakeholder-engagement", "x" * 30, 10, "403"),
        ("governance_lead", "assessments.stakeholder-engagement", "too short", 10, "justification"),
        ("governance_lead", "assessments.stakeholder-engagement", "x" * 30, 0, "expires_on"),
        ("governance_lead", "assessments.stakeholder-engagement", "x" * 30, 400, "expires_on"),
        ("governance_lead", "registry.determination-confirmed", "x" * 30, 10, "control_id"),
        ("governance_lead", "assessments.assessment-approved", "x" * 30, 10, "control_id"),
        ("governance_lead", "no.such-control", "x" * 30, 10, "control_id"),
    ],
)
def test_a_waiver_needs_the_lead_a_justification_and_an_expiry(
    world, who, control, justification, days, error
):
    from django.core.exceptions import PermissionDenied, ValidationError

    user = world.users[who]
    expiry = timezone.localdate() + dt.timedelta(days=days)
    if error == "403":
        with pytest.raises(PermissionDenied):
            registry.grant_waiver(user, world.system_a, control, justification, expiry)
        return
    with pytest.raises(ValidationError) as refused:
        registry.grant_waiver(user, world.system_a, control, justification, expiry)
    assert error in refused.value.message_dict
    assert not world.system_a.waivers.exists()


# --- the refused move, as a user meets it ------------------------------------------------------


def test_the_refused_move_through_the_api_lists_the_unmet_controls(world, team, client, token_for):
    system = ready_system(world, team)
    _no_engagement(system, team)
    _one_peer_review(system, team)
    response = client.post(
        f"/api/v1/systems/{system.pk}/transitions",
        {"to": "deployed", "reason": "go"},
        content_type="application/json",
        headers=token_for(team.lead),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "gate"
    assert sorted(body["unmet_controls"]) == [
        "assessments.stakeholder-engagement",
        "evaluations.peer-review",
    ]
    gate = client.get(
        f"/api/v1/systems/{system.pk}/gate?to=deployed", headers=token_for(world.users["viewer"])
    ).json()
    assert gate["passes"] is False and gate["impact_level"] == 4
    assert sorted(gate["unmet_controls"]) == sorted(body["unmet_controls"])
    states = {c["id"]: c for c in gate["controls"]}
    assert states["evaluations.peer-review"]["fix_url"].startswith("http")
    assert (
        "OMB" in " ".join(states["assessments.stakeholder-engagement"]["maps"])
        or states["assessments.stakeholder-engagement"]["maps"]["omb-m-25-21"]
    )


def test_the_refused_move_on_the_web_shows_what_to_fix(world, team, client):
    system = ready_system(world, team)
    _no_engagement(system, team)
    client.force_login(team.lead)
    page = client.post(f"/systems/{system.pk}/transition/", {"to": "deployed", "reason": "go"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "engagement log does not show affected people taking part" in text
    system.refresh_from_db()
    assert system.stage == "pilot"
    gate_page = client.get(f"/systems/{system.pk}/gate/?to=deployed").content.decode()
    assert 'id="control-assessments.stakeholder-engagement"' in gate_page
    assert f"/assessments/{_latest(system).pk}/" in gate_page  # the link to fix it
    assert (
        f"/systems/{system.pk}/waivers/new/?control=assessments.stakeholder-engagement" in gate_page
    )


# --- decommissioning and onboarding -------------------------------------------------------------


def test_retiring_a_system_that_was_used_needs_its_checklist(world, team, client):
    system = ready_system(world, team)
    lifecycle.transition(system, "deployed", "go", team.lead)
    system.vendor_name = "Acme"
    system.save()
    assert unmet(system, "decommissioned") == [
        "registry.decommission-data",
        "registry.decommission-people-told",
        "registry.decommission-public-record",
        "registry.decommission-vendor-data",
    ]
    client.force_login(team.owner)
    form = {f"{k}_done": "on" for k in ("data", "people_told", "public_record")}
    form["data_note"] = "Deleted on 2026-11-01, certificate in the file"
    form["people_told_note"] = "Letters sent"
    page = client.post(f"/systems/{system.pk}/decommissioning/", form)
    assert page.status_code == 200  # public_record is ticked without saying how
    assert "Say how it was done" in page.content.decode()
    form["public_record_note"] = "Register entry marked retired"
    assert client.post(f"/systems/{system.pk}/decommissioning/", form).status_code == 302
    system.refresh_from_db()
    assert unmet(system, "decommissioned") == ["registry.decommission-vendor-data"]


def test_a_system_already_in_use_is_onboarded_and_listed_until_it_passes(world, team, client):
    system = world.system_a
    lifecycle.onboard_in_use(system, "deployed", "In use since 2021 in all offices.", team.lead)
    system.refresh_from_db()
    assert system.stage == "deployed"
    client.force_login(team.lead)
    dashboard = client.get("/dashboard/").content.decode()
    assert "In use without having passed the gate" in dashboard and system.name in dashboard
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.confirm_through_gate(system, team.lead)
    with pytest.raises(lifecycle.TransitionRefused) as again:
        lifecycle.onboard_in_use(system, "pilot", "again", team.lead)
    assert again.value.rule == "onboard_history"


# --- no way around a decision ------------------------------------------------------------------


def test_a_system_being_assessed_cannot_be_onboarded_past_the_gate(world, team):
    system = world.system_a
    assessments.start(team.owner, system, "ombuds-impact-assessment")
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.onboard_in_use(system, "deployed", "It is in use, trust me.", team.lead)
    assert refused.value.rule == "onboard_assessed"
    system.refresh_from_db()
    assert system.stage == "design"


def test_reclassifying_as_not_high_impact_does_not_lift_a_do_not_deploy(world, team):
    from ombuds.registry import determination

    system = ready_system(world, team, stage="development")
    Assessment.objects.filter(system=system).update(decision="do_not_deploy")
    determination.determine(
        system,
        team.lead,
        answers={},
        determination="neither",
        justification="On reflection it only orders the queue.",
    )
    system.refresh_from_db()
    assert unmet(system, "pilot") == ["assessments.decision-permits-use"]


def test_an_onboarded_system_stays_listed_when_suspended(world, team, client):
    system = world.system_a
    lifecycle.onboard_in_use(system, "deployed", "In use since 2021.", team.lead)
    lifecycle.transition(system, "suspended", "Complaints", team.lead)
    system.refresh_from_db()
    assert lifecycle.never_passed_gate(system)
    client.force_login(team.lead)
    assert system.name in client.get("/dashboard/").content.decode()


def test_the_dashboard_lists_expired_waivers_of_systems_in_use(world, team, client):
    system = ready_system(world, team)
    waiver = registry.grant_waiver(
        team.lead,
        system,
        "assessments.stakeholder-engagement",
        "Workshops are booked for next month; the advocates were briefed.",
        timezone.localdate() + dt.timedelta(days=20),
    )
    client.force_login(team.lead)
    assert (
        "No system in use relies on an expired waiver" in client.get("/dashboard/").content.decode()
    )
    type(waiver).objects.filter(pk=waiver.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=2)
    )
    page = client.get("/dashboard/").content.decode()
    section = page.split("Expired waivers on systems in use")[1].split("</section>")[0]
    assert system.name in section and "assessments.stakeholder-engagement" in section


def test_adding_a_demographic_feature_after_approval_is_a_material_change(world, team):
    system = ready_system(world, team)
    registry.update_system(team.owner, system, {"demographic_features": ["age"]})
    assert unmet(system) == ["assessments.assessment-approved"]
