"""Build the evidence a system needs, step by step through the services, as the people who would
do it: the gate tests start from a system that passes and take one piece away at a time."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ombuds.assessments import services
from ombuds.assessments import templates_catalogue as catalogue
from ombuds.assessments.questionnaire import visible
from ombuds.registry import determination
from ombuds.registry import services as registry

RISK = {
    "risk": "Eligible applicants with irregular income are screened out",
    "affected_groups": "Seasonal workers, single parents",
    "likelihood": 3,
    "severity": 4,
    "mitigation": "Every refusal is reviewed by an officer; income volatility is a feature",
    "owner": "Head of eligibility",
    "residual": "medium",
}
ENGAGEMENT = {
    "who": "Claimant advocacy groups (3), 12 claimants",
    "when": dt.date(2026, 3, 2),
    "how": "Two workshops and interviews",
    "what_changed": "Added an explanation letter and a phone route to an officer",
}


def answers_at(template_id: str, pick: str = "max") -> dict:
    """Answers to every question shown: the riskiest choice ("max") or the safest ("min")."""
    template = catalogue.get(template_id)
    answers: dict = {}
    for _ in range(3):  # show-if conditions open more questions as answers arrive
        for q in visible(template, answers):
            if q.id in answers:
                continue
            if q.choices:
                key = (
                    (lambda c: (c.risk, -c.mitigation))
                    if pick == "max"
                    else (lambda c: (-c.risk, c.mitigation))
                )
                best = max(q.choices, key=key)
                if q.type == "multiple" and pick == "max":
                    answers[q.id] = [c.id for c in q.choices if c.risk > 0] or [best.id]
                else:
                    answers[q.id] = [best.id] if q.type == "multiple" else best.id
            elif q.type == "number":
                answers[q.id] = 10
            elif q.type == "date":
                answers[q.id] = "2026-05-01"
            else:
                answers[q.id] = f"Answer to {q.id}."
    return answers


def approve(
    assessment,
    author,
    reviewers,
    approvers,
    decision="deploy",
    comment="",
    conditions=None,
):
    services.submit(author, assessment)
    for r in reviewers:
        services.review(r, assessment, decision, "Reviewed the evidence; agree.")
    for a in approvers:
        assessment = services.sign_off(a, assessment, decision, comment, conditions)
    assessment.refresh_from_db()
    return assessment


def fill_cards(system, actor):
    registry.save_card(
        actor,
        system,
        "model",
        {"intended_use": "Pre-screen applications", "limitations": "Not for appeals"},
    )
    registry.save_card(
        actor,
        system,
        "system",
        {
            "inputs": "Application form",
            "outputs": "A score and reasons",
            "human_oversight": "An officer decides every case",
            "contingency": "Manual processing by the regional teams",
        },
    )
    registry.save_card(
        actor,
        system,
        "data",
        {
            "provenance": "Case files 2019-2024",
            "collection": "From the case system",
            "retention": "Seven years",
            "representativeness": "Checked against census",
            "known_gaps": "Rural applicants under-represented",
        },
    )


def audit_result(columns=("race", "sex")) -> dict:
    """A real engine result on a small balanced log: no disparity to flag."""
    from ombuds.assurance.audit import audit

    rng = np.random.default_rng(7)
    n = 4000
    frame = pd.DataFrame(
        {
            "race": rng.choice(["a", "b"], n),
            "sex": rng.choice(["F", "M"], n),
            "label": rng.integers(0, 2, n),
        }
    )
    frame["pred"] = frame["label"]
    return audit(frame, label="label", prediction="pred", protected=list(columns))


class Team:
    """The people of agency A who take part: the world's users plus a second assessor and a
    second governance lead, as level IV needs two of each."""

    def __init__(self, world, make_user):
        self.owner = world.users["system_owner"]
        self.lead = world.lead
        self.lead2 = make_user("a-lead-2", world.a, "governance_lead")
        self.assessor = world.users["assessor"]
        self.assessor2 = make_user("a-assessor-2", world.a, "assessor")


def ready_system(world, team: Team, stage="pilot"):
    """System A, high-impact, at level IV, with everything the gate asks before `deployed`."""
    from ombuds.evaluations import services as evaluations
    from ombuds.registry.models import AISystem

    system = world.system_a
    registry.update_system(team.owner, system, {"decision_role": "recommendation"})
    determination.determine(
        system,
        team.lead,
        answers={},
        determination="rights",
        justification="Affects access to benefits.",
    )
    fill_cards(system, team.owner)
    registry.save_protected_characteristics(
        team.owner,
        system,
        [
            {"id": "race", "collected": True},
            {"id": "sex_gender", "collected": True},
            {
                "id": "disability",
                "collected": False,
                "why_not": "Not recorded on applications",
                "alternative": "An annual survey sample of 2,000 claimants",
            },
        ],
    )
    a = services.start(team.owner, system, "ombuds-impact-assessment")
    services.save_answers(team.owner, a, answers_at(a.template_id, "max"))
    services.add_risk(team.owner, a, dict(RISK))
    services.add_engagement(team.owner, a, dict(ENGAGEMENT))
    a = approve(a, team.owner, [team.assessor, team.assessor2], [team.lead, team.lead2])
    assert a.level == 4 and a.status == "approved"
    services.save_pilot_plan(
        team.owner,
        system,
        {
            "scope": "Two regional offices",
            "population": "New applicants in those regions",
            "duration": "Three months",
            "success_criteria": "No group's approval rate below 0.8 of the highest",
            "monitoring": "Weekly audit of decisions",
        },
    )
    services.evaluate_pilot(team.assessor, system, "All criteria met in 3 months.", True)
    evaluations.record_result(
        team.assessor, system, audit_result(), characteristics={"race": "race", "sex": "sex_gender"}
    )
    for name in ("Dr A. Reviewer", "Prof. B. Second"):
        evaluations.add_peer_review(
            team.assessor,
            system,
            reviewer_name=name,
            organisation="University audit lab",
            conclusion="The system is fit for deployment under the stated conditions.",
            reviewed_on=dt.date(2026, 6, 1),
            independent=True,
        )
    watch(system, team.owner)
    # What other apps' controls ask for (training, public notice, appeal route, procurement).
    from tests.app_helpers import app_helpers

    for helpers in app_helpers():
        give = getattr(helpers, "gate_evidence", None)
        if give is not None:
            give(world, team, system)
    AISystem.objects.filter(pk=system.pk).update(stage=stage)
    system.refresh_from_db()
    return system


def watch(system, actor):
    """A monitor on the system's decision log (the gate asks that one exists before use)."""
    from ombuds.monitoring.models import DecisionSource, Monitor

    source = DecisionSource.objects.create(
        system=system,
        name="Decision log",
        kind="path",
        location="/srv/decisions/*.parquet",
        mapping={"time": "decided_at", "overridden": "overridden"},
        created_by=actor,
    )
    monitor = Monitor.objects.create(
        system=system,
        source=source,
        kind="oversight",
        window="weekly",
        reference_start=dt.date(2026, 1, 5),
        reference_end=dt.date(2026, 2, 2),
        created_by=actor,
    )
    monitor.runs.create(
        window_start=dt.date(2026, 2, 2),
        window_end=dt.date(2026, 2, 9),
        status="done",
        figures={"rows": 500, "override_rate": 0.06},
    )
    return monitor
