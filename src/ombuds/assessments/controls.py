"""The controls the assessments app checks, registered with the gate in core at start-up."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ombuds.core import controls
from ombuds.registry.models import Card, CardKind

from . import rules
from . import templates_catalogue as catalogue
from .models import Assessment, Decision, PilotPlan, Status

DATA_CARD_FIELDS = ["provenance", "collection", "retention", "representativeness", "known_gaps"]
DATA_SECTION = "data"


def _approved(system) -> list[Assessment]:
    return rules.latest_approved(system)


def _in_progress(system) -> Assessment | None:
    return (
        Assessment.objects.filter(system=system)
        .exclude(status=Status.APPROVED)
        .order_by("-created_at", "-id")
        .first()
    )


def assessment_approved(system, to_stage: str) -> str | None:
    approved = _approved(system)
    if not approved:
        pending = _in_progress(system)
        if pending:
            return _("no approved impact assessment yet (the latest is %(status)s)") % {
                "status": pending.get_status_display().lower()
            }
        return _("no impact assessment has been started")
    stale = [a for a in approved if a.needs_review]
    if stale:
        a = stale[0]
        return _(
            "a material change since the assessment was approved needs a new assessment "
            "(%(reason)s)"
        ) % {"reason": a.needs_review_reason}
    return None


def decision_permits_use(system, to_stage: str) -> str | None:
    governing = rules.deciding(system)
    if governing is None:
        if system.is_high_impact is False:
            return None  # not high-impact and never assessed: there is no decision to hold
        return _("no approved assessment has decided yet")
    if governing.decision == Decision.DO_NOT_DEPLOY:
        day = governing.approved_at.date().isoformat()
        return _(
            "the assessment approved on %(day)s decided not to deploy; that holds until a new "
            "assessment is approved"
        ) % {"day": day}
    return None


def conditions_met(system, to_stage: str) -> str | None:
    open_ = [
        c.text
        for a in _approved(system)
        for c in a.conditions.all()
        if c.before_deployment and c.met_at is None
    ]
    if open_:
        return ngettext(
            "%(count)d condition(s) of deployment not yet met: %(conditions)s",
            "%(count)d condition(s) of deployment not yet met: %(conditions)s",
            len(open_),
        ) % {"count": len(open_), "conditions": "; ".join(open_)}
    return None


def approval_rank(system, to_stage: str) -> str | None:
    approved = _approved(system)
    if not approved:
        return _("no approved assessment")
    for a in approved:
        policy = rules.policy_for(system.agency, a.level)
        signers = {
            s.approver_id
            for s in rules.current_signoffs(a)
            if s.role == policy.approver_role and s.approver_id != a.author_id
        }
        if len(signers) < policy.approvers_required:
            return ngettext(
                "level %(level)s needs %(required)d approver(s) with the role %(role)s; "
                "the assessment has %(given)d",
                "level %(level)s needs %(required)d approver(s) with the role %(role)s; "
                "the assessment has %(given)d",
                policy.approvers_required,
            ) % {
                "level": a.level_roman,
                "required": policy.approvers_required,
                "role": policy.approver_role,
                "given": len(signers),
            }
    return None


def independent_review(system, to_stage: str) -> str | None:
    approved = _approved(system)
    if not approved:
        return _("no approved assessment, so no review")
    for a in approved:
        policy = rules.policy_for(system.agency, a.level)
        reviewers = {
            r.reviewer_id for r in rules.current_reviews(a) if r.reviewer_id != a.author_id
        }
        if len(reviewers) < policy.reviewers_required:
            return ngettext(
                "level %(level)s needs %(required)d independent review(s); "
                "the assessment has %(given)d",
                "level %(level)s needs %(required)d independent review(s); "
                "the assessment has %(given)d",
                policy.reviewers_required,
            ) % {
                "level": a.level_roman,
                "required": policy.reviewers_required,
                "given": len(reviewers),
            }
    return None


def data_evaluation(system, to_stage: str) -> str | None:
    gaps = []
    card = Card.objects.filter(system=system, kind=CardKind.DATA).first()
    fields = card.fields if card else {}
    gaps += [
        _("data card: %(field)s") % {"field": f.replace("_", " ")}
        for f in DATA_CARD_FIELDS
        if not fields.get(f)
    ]
    own = [a for a in _approved(system) if a.template_id == "ombuds-impact-assessment"]
    latest = (
        own[0]
        if own
        else (
            Assessment.objects.filter(system=system, template_id="ombuds-impact-assessment")
            .order_by("-created_at", "-id")
            .first()
        )
    )
    if latest is not None:
        template = catalogue.get(latest.template_id, latest.language)
        section = next((s for s in template.sections if s.id == DATA_SECTION), None)
        if section:
            unanswered = [
                q.id for q in section.questions if latest.answers.get(q.id) in (None, "", [])
            ]
            if unanswered:
                gaps.append(
                    ngettext(
                        "%(count)d data-evaluation question(s) unanswered",
                        "%(count)d data-evaluation question(s) unanswered",
                        len(unanswered),
                    )
                    % {"count": len(unanswered)}
                )
    if not gaps:
        return None
    return _("not yet recorded: %(gaps)s") % {"gaps": ", ".join(gaps)}


def risk_register(system, to_stage: str) -> str | None:
    approved = _approved(system)
    if not approved:
        return _("no approved assessment, so no risk register")
    risks = [r for a in approved for r in a.risks.all()]
    if not risks:
        return _("the approved assessment's risk register is empty")
    incomplete = [r.risk[:60] for r in risks if not (r.mitigation.strip() and r.owner.strip())]
    if incomplete:
        return _("risks without a mitigation or an owner: %(risks)s") % {
            "risks": "; ".join(incomplete)
        }
    return None


def stakeholder_engagement(system, to_stage: str) -> str | None:
    approved = _approved(system)
    entries = [e for a in approved for e in a.engagements.all() if e.what_changed.strip()]
    if not entries:
        return _("the engagement log does not show affected people taking part and what changed")
    return None


def pilot_plan(system, to_stage: str) -> str | None:
    plan = PilotPlan.objects.filter(system=system).first()
    if plan is None:
        return _("no pilot plan (scope, population, duration, success criteria, monitoring)")
    return None


def pilot_evaluated(system, to_stage: str) -> str | None:
    plan = PilotPlan.objects.filter(system=system).first()
    if plan is None or plan.evaluated_at is None:
        return _("the pilot's results have not been evaluated against its success criteria")
    if not plan.criteria_met:
        return _("the pilot evaluation found the success criteria not met")
    return None


def _assessments_url(system) -> str:
    return reverse("assessment_list", args=[system.pk])


def _latest_url(system) -> str:
    latest = Assessment.objects.filter(system=system).order_by("-created_at", "-id").first()
    return reverse("assessment_detail", args=[latest.pk]) if latest else _assessments_url(system)


def _pilot_url(system) -> str:
    return reverse("pilot_plan", args=[system.pk])


CONTROLS = [
    controls.Control(
        "assessments.assessment-approved",
        "Impact assessment approved and current",
        assessment_approved,
        _latest_url,
    ),
    controls.Control(
        "assessments.decision-permits-use",
        "Assessment decision permits use",
        decision_permits_use,
        _latest_url,
    ),
    controls.Control(
        "assessments.conditions-met", "Conditions of deployment met", conditions_met, _latest_url
    ),
    controls.Control(
        "assessments.approval-rank", "Approved at the right rank", approval_rank, _latest_url
    ),
    controls.Control(
        "assessments.independent-review",
        "Independent review of the assessment",
        independent_review,
        _latest_url,
    ),
    controls.Control(
        "assessments.data-evaluation",
        "Data evaluation done",
        data_evaluation,
        lambda s: reverse("card_edit", args=[s.pk, "data"]),
    ),
    controls.Control(
        "assessments.risk-register",
        "Risks recorded with owners and mitigations",
        risk_register,
        _latest_url,
    ),
    controls.Control(
        "assessments.stakeholder-engagement",
        "Affected people consulted",
        stakeholder_engagement,
        _latest_url,
    ),
    controls.Control("assessments.pilot-plan", "Pilot planned", pilot_plan, _pilot_url),
    controls.Control(
        "assessments.pilot-evaluated",
        "Real-world test or pilot evaluated",
        pilot_evaluated,
        _pilot_url,
    ),
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
