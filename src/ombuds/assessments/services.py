"""The assessment workflow: draft → submitted → under independent review → approved with a
decision. Each step checks permission and the four-eyes rules, and writes the change with its
audit event in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ombuds.core import audit
from ombuds.core.permissions import check_object
from ombuds.core.roles import ROLES
from ombuds.core.validation import check_text
from ombuds.registry.models import AISystem

from . import rules
from . import templates_catalogue as catalogue
from .models import (
    STRICTNESS,
    ApprovalPolicy,
    Assessment,
    Condition,
    Decision,
    Engagement,
    PilotPlan,
    Residual,
    Review,
    Risk,
    Scale,
    SignOff,
    Status,
)
from .questionnaire import TemplateError


class WorkflowRefused(Exception):
    """A workflow step the rules do not allow; `rule` is a stable code, the message says why."""

    def __init__(self, rule: str, detail: str):
        super().__init__(detail)
        self.rule = rule
        self.detail = detail


def _record(actor, action: str, assessment: Assessment, changes: dict) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=assessment.system,
        agency=assessment.system.agency,
        changes={"assessment": assessment.pk, "template": assessment.template_id, **changes},
    )


def _lock(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_related("system__agency")
        .select_for_update()
        .get(pk=assessment.pk)
    )


def _edited_by(assessment: Assessment, actor) -> None:
    if actor.pk not in assessment.editors:
        assessment.editors = [*assessment.editors, actor.pk]
        Assessment.objects.filter(pk=assessment.pk).update(editors=assessment.editors)


def _wrote_it(actor, assessment: Assessment) -> bool:
    return actor.pk == assessment.author_id or actor.pk in (assessment.editors or [])


def _refresh_level(system: AISystem) -> None:
    level = rules.system_level(system)
    if system.impact_level != level:
        AISystem.objects.filter(pk=system.pk).update(impact_level=level)
        system.impact_level = level


# --- answers ---------------------------------------------------------------------------------


def clean_answers(template_id: str, language: str, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers checked against the template: unknown questions and choices are named, never
    dropped silently; blank answers are removed."""
    template = catalogue.get(template_id, language)
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Give the answers as an object {question: answer}.")})
    errors, clean = {}, {}
    for qid, value in answers.items():
        q = template.questions.get(qid)
        if q is None:
            errors[qid] = _("Not a question of this template.")
            continue
        if value in (None, "", []):
            continue
        if q.type in ("single", "multiple"):
            values = value if isinstance(value, list) else [value]
            if q.type == "single" and len(values) != 1:
                errors[qid] = _("Choose one answer.")
                continue
            ids = {c.id for c in q.choices}
            bad = [str(v) for v in values if str(v) not in ids]
            if bad:
                errors[qid] = _("Not a choice of this question: %(choices)s.") % {
                    "choices": ", ".join(bad)
                }
                continue
            clean[qid] = [str(v) for v in values] if q.type == "multiple" else str(values[0])
        elif q.type == "number":
            try:
                clean[qid] = float(value) if "." in str(value) else int(value)
            except (TypeError, ValueError):
                errors[qid] = _("Give a number.")
        elif q.type == "date":
            try:
                clean[qid] = dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors[qid] = _("Give a date as YYYY-MM-DD.")
        else:
            if not isinstance(value, str):
                errors[qid] = _("Give text.")
                continue
            clean[qid] = value.strip()
    if errors:
        raise ValidationError(errors)
    check_text(clean)
    return clean


def start(actor, system: AISystem, template_id: str, language: str = "en") -> Assessment:
    check_object(actor, "assessment.edit", system.agency_id)
    try:
        template = catalogue.get(template_id, language)
    except TemplateError:
        raise ValidationError(
            {"template": _("No questionnaire '%(template)s'.") % {"template": template_id}}
        ) from None
    if language not in catalogue.languages(template_id):
        raise ValidationError(
            {
                "language": _("This questionnaire exists in: %(languages)s.")
                % {"languages": ", ".join(catalogue.languages(template_id))}
            }
        )
    with transaction.atomic():
        assessment = Assessment.objects.create(
            system=system,
            template_id=template.id,
            template_version=template.version,
            language=language,
            author=actor,
            editors=[actor.pk],
        )
        _record(actor, "assessment.start", assessment, {"language": language})
    return assessment


def new_version(actor, previous: Assessment) -> Assessment:
    """A new draft that starts from a previous assessment's answers, risks and engagement log:
    what an agency does after a material change or a do-not-deploy decision."""
    check_object(actor, "assessment.edit", previous.system.agency_id)
    # The questionnaire may have changed since: keep the answers that still fit, say which not.
    kept, dropped = {}, []
    for qid, value in previous.answers.items():
        try:
            kept.update(clean_answers(previous.template_id, previous.language, {qid: value}))
        except ValidationError:
            dropped.append(qid)
    with transaction.atomic():
        template = catalogue.get(previous.template_id, previous.language)
        assessment = Assessment.objects.create(
            system=previous.system,
            template_id=previous.template_id,
            template_version=template.version,
            language=previous.language,
            answers=kept,
            author=actor,
            editors=[actor.pk],
            previous=previous,
        )
        for r in previous.risks.all():
            r.pk, r.assessment = None, assessment
            r.save()
        for e in previous.engagements.all():
            e.pk, e.assessment = None, assessment
            e.save()
        _record(
            actor,
            "assessment.new_version",
            assessment,
            {"previous": previous.pk, "answers_dropped": dropped},
        )
    return assessment


def save_answers(actor, assessment: Assessment, answers: dict[str, Any]) -> Assessment:
    """Merge answers into a draft (answers given as blank clear the question)."""
    check_object(actor, "assessment.edit", assessment.system.agency_id)
    clean = clean_answers(assessment.template_id, assessment.language, answers)
    cleared = [q for q, v in answers.items() if v in (None, "", [])]
    with transaction.atomic():
        assessment = _lock(assessment)
        if assessment.status != Status.DRAFT:
            raise WorkflowRefused(
                "not_draft", _("Only a draft can be changed; start a new version instead.")
            )
        before = dict(assessment.answers)
        merged = {**before, **clean}
        for q in cleared:
            merged.pop(q, None)
        changes = audit.diff(before, merged)
        if changes:
            assessment.answers = merged
            assessment.save(update_fields=["answers", "updated_at"])
            _edited_by(assessment, actor)
            _record(actor, "assessment.answer", assessment, {"answers": changes})
    return assessment


def import_aia(actor, system: AISystem, results: Any, language: str = "en") -> Assessment:
    """A draft Canadian AIA from a results file saved by the official tool. Unknown questions or
    values are refused, each named: nothing is silently scored as zero."""
    check_object(actor, "assessment.edit", system.agency_id)
    if not isinstance(results, dict) or not isinstance(results.get("data"), dict):
        raise ValidationError(
            {"file": _("This is not a results file saved by the AIA tool (no 'data' object).")}
        )
    scored = catalogue.compute(catalogue.CANADA_AIA, results["data"])
    if scored["unknown"]:
        problems = [
            f"{u['question']}" + (f" = {u['value']!r}" if "value" in u else "") + f": {u['reason']}"
            for u in scored["unknown"]
        ]
        raise ValidationError(
            {
                "file": [
                    _("Unknown in the results file: %(problem)s") % {"problem": p} for p in problems
                ]
            }
        )
    template = catalogue.get(catalogue.CANADA_AIA, language)
    answers = {
        k: v
        for k, v in results["data"].items()
        if k in template.questions and v not in (None, "", [])
    }
    # Answers to questions the official survey has but Ombuds shows as text (free comments)
    # are kept as text; choice answers must be choices.
    answers = clean_answers(catalogue.CANADA_AIA, language, answers)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            system=system,
            template_id=catalogue.CANADA_AIA,
            template_version=template.version,
            language=language,
            answers=answers,
            source="imported",
            author=actor,
            editors=[actor.pk],
        )
        _record(
            actor,
            "assessment.import",
            assessment,
            {"version": results.get("version"), "answers": len(answers)},
        )
    return assessment


# --- the workflow ----------------------------------------------------------------------------


def submit(actor, assessment: Assessment) -> Assessment:
    check_object(actor, "assessment.edit", assessment.system.agency_id)
    with transaction.atomic():
        assessment = _lock(assessment)
        if assessment.status != Status.DRAFT:
            raise WorkflowRefused("not_draft", _("Only a draft can be submitted."))
        scored = catalogue.compute(assessment.template_id, assessment.answers)
        if scored["unanswered"]:
            raise ValidationError(
                {
                    q: _("This question needs an answer before the assessment is submitted.")
                    for q in scored["unanswered"]
                }
            )
        system = assessment.system
        high = system.is_high_impact is not False
        if high and not assessment.risks.exists():
            raise ValidationError(
                {"risks": _("Record at least one risk in the risk register before submitting.")}
            )
        assessment.status = Status.SUBMITTED
        assessment.score = scored
        assessment.level = scored["level"]
        assessment.submitted_at = timezone.now()
        assessment.save()
        _record(
            actor,
            "assessment.submit",
            assessment,
            {"level": scored["level"], "score": scored["total"], "max": scored["max_raw"]},
        )
    return assessment


def _check_independent(actor, assessment: Assessment, refusal: str) -> None:
    """`refusal` is the whole sentence shown when the actor wrote part of the assessment."""
    if _wrote_it(actor, assessment):
        raise WorkflowRefused("four_eyes", refusal)


def review(actor, assessment: Assessment, recommendation: str, opinion: str) -> Review:
    """An independent reviewer's opinion; the first one moves the assessment under review."""
    check_object(actor, "assessment.view", assessment.system.agency_id)
    errors = {}
    if recommendation not in Decision.values:
        errors["recommendation"] = _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(Decision.values)
        }
    opinion = (opinion or "").strip()
    if not opinion:
        errors["opinion"] = _("Write the opinion.")
    if errors:
        raise ValidationError(errors)
    check_text({"opinion": opinion})
    with transaction.atomic():
        assessment = _lock(assessment)
        if assessment.status not in (Status.SUBMITTED, Status.IN_REVIEW):
            raise WorkflowRefused(
                "not_submitted", _("Only a submitted assessment can be reviewed.")
            )
        _check_independent(
            actor,
            assessment,
            _("Whoever wrote part of an assessment may not review it: another person must."),
        )
        policy = rules.policy_for(assessment.system.agency, assessment.level)
        if not rules.holds_role(actor, assessment.system.agency_id, policy.reviewer_role):
            raise PermissionDenied(
                _("At level %(level)s reviewers must be %(role)s.")
                % {"level": assessment.level_roman, "role": policy.reviewer_role}
            )
        if any(r.reviewer_id == actor.pk for r in rules.current_reviews(assessment)):
            raise WorkflowRefused("already_reviewed", _("You have already reviewed this round."))
        if any(s.approver_id == actor.pk for s in rules.current_signoffs(assessment)):
            raise WorkflowRefused(
                "four_eyes", _("You approved this assessment; a reviewer must be someone else.")
            )
        done = Review.objects.create(
            assessment=assessment,
            round=assessment.round,
            reviewer=actor,
            recommendation=recommendation,
            opinion=opinion,
        )
        if assessment.status == Status.SUBMITTED:
            assessment.status = Status.IN_REVIEW
            assessment.save(update_fields=["status", "updated_at"])
        _record(
            actor,
            "assessment.review",
            assessment,
            {"recommendation": recommendation, "opinion": opinion},
        )
    return done


def _approval_blockers(assessment: Assessment, actor=None) -> list[tuple[str, str]]:
    """(stable code, words) for each reason this person (or anyone) cannot approve now."""
    found = []
    if assessment.status not in (Status.SUBMITTED, Status.IN_REVIEW):
        found.append(("not_submitted", _("only a submitted assessment can be approved")))
        return found
    policy = rules.policy_for(assessment.system.agency, assessment.level)
    reviews = rules.current_reviews(assessment)
    if len({r.reviewer_id for r in reviews}) < policy.reviewers_required:
        found.append(
            (
                "reviews",
                ngettext(
                    "level %(level)s needs %(required)d independent review(s) first; "
                    "%(given)d given",
                    "level %(level)s needs %(required)d independent review(s) first; "
                    "%(given)d given",
                    policy.reviewers_required,
                )
                % {
                    "level": assessment.level_roman,
                    "required": policy.reviewers_required,
                    "given": len(reviews),
                },
            )
        )
    if actor is not None:
        if _wrote_it(actor, assessment):
            found.append(("four_eyes", _("whoever wrote part of an assessment may not approve it")))
        if not rules.holds_role(actor, assessment.system.agency_id, policy.approver_role):
            found.append(
                (
                    "role",
                    _("at level %(level)s approvers must be %(role)s")
                    % {"level": assessment.level_roman, "role": policy.approver_role},
                )
            )
        if any(r.reviewer_id == actor.pk for r in reviews):
            found.append(
                ("four_eyes", _("you reviewed this assessment; an approver must be someone else"))
            )
        if any(s.approver_id == actor.pk for s in rules.current_signoffs(assessment)):
            found.append(("already_signed", _("you have already signed this assessment")))
    return found


def approval_blockers(assessment: Assessment, actor=None) -> list[str]:
    """Why this person (or anyone) cannot approve the assessment now, in words."""
    return [words for _code, words in _approval_blockers(assessment, actor)]


def sign_off(
    actor,
    assessment: Assessment,
    decision: str,
    comment: str = "",
    conditions: list[dict] | None = None,
) -> Assessment:
    """An approver's decision. When the policy's number of distinct approvers have signed, the
    assessment is approved with the strictest decision given, and the system's level follows."""
    check_object(actor, "assessment.view", assessment.system.agency_id)
    errors: dict[str, Any] = {}
    if decision not in Decision.values:
        errors["decision"] = _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(Decision.values)
        }
    conditions = conditions or []
    clean_conditions = []
    for i, c in enumerate(conditions):
        text = str((c or {}).get("text", "")).strip()
        if text:
            clean_conditions.append(
                {"text": text, "before_deployment": bool(c.get("before_deployment", True))}
            )
        elif c and c.get("text") is not None:
            errors[f"conditions[{i}]"] = _("A condition needs its text.")
    if decision == Decision.CONDITIONS and not clean_conditions:
        errors["conditions"] = _("Deploying with conditions needs at least one condition.")
    if decision == Decision.DO_NOT_DEPLOY and not (comment or "").strip():
        errors["comment"] = _("Say why the system must not be deployed.")
    if errors:
        raise ValidationError(errors)
    check_text({"comment": comment, "conditions": clean_conditions})
    with transaction.atomic():
        assessment = _lock(assessment)
        if _wrote_it(actor, assessment):
            raise WorkflowRefused(
                "four_eyes",
                _("Whoever wrote part of an assessment may not approve it: another person must."),
            )
        blockers = _approval_blockers(assessment, actor)
        if blockers:
            if len(blockers) == 1 and blockers[0][0] == "role":
                raise PermissionDenied(blockers[0][1])
            raise WorkflowRefused(
                "approval",
                _("Cannot approve: %(reasons)s.")
                % {"reasons": "; ".join(words for _code, words in blockers)},
            )
        policy = rules.policy_for(assessment.system.agency, assessment.level)
        SignOff.objects.create(
            assessment=assessment,
            round=assessment.round,
            approver=actor,
            role=policy.approver_role,
            decision=decision,
            comment=(comment or "").strip(),
            conditions=clean_conditions,
        )
        signed = rules.current_signoffs(assessment)
        changes: dict[str, Any] = {"decision": decision, "comment": (comment or "").strip()}
        if len({s.approver_id for s in signed}) >= policy.approvers_required:
            final = max((s.decision for s in signed), key=lambda d: STRICTNESS[d])
            assessment.status = Status.APPROVED
            assessment.decision = final
            assessment.approved_at = timezone.now()
            assessment.save()
            if final == Decision.CONDITIONS:
                for s in signed:
                    for c in s.conditions:
                        Condition.objects.create(assessment=assessment, **c)
            changes["approved"] = {"decision": final, "level": assessment.level}
        _record(actor, "assessment.sign_off", assessment, changes)
        _refresh_level(assessment.system)
    return assessment


def return_to_author(actor, assessment: Assessment, reason: str) -> Assessment:
    """A reviewer or approver sends a submitted assessment back to draft; a new round starts."""
    check_object(actor, "assessment.view", assessment.system.agency_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what must change.")})
    check_text({"reason": reason})
    with transaction.atomic():
        assessment = _lock(assessment)
        if assessment.status not in (Status.SUBMITTED, Status.IN_REVIEW):
            raise WorkflowRefused(
                "not_submitted", _("Only a submitted assessment can be returned.")
            )
        _check_independent(
            actor,
            assessment,
            _("Whoever wrote part of an assessment may not return it: another person must."),
        )
        policy = rules.policy_for(assessment.system.agency, assessment.level)
        agency_id = assessment.system.agency_id
        if not (
            rules.holds_role(actor, agency_id, policy.reviewer_role)
            or rules.holds_role(actor, agency_id, policy.approver_role)
        ):
            raise PermissionDenied(_("Only a reviewer or an approver can return an assessment."))
        assessment.status = Status.DRAFT
        assessment.round += 1
        assessment.save(update_fields=["status", "round", "updated_at"])
        _record(actor, "assessment.return", assessment, {"reason": reason})
    return assessment


def meet_condition(actor, condition: Condition, evidence: str) -> Condition:
    system = condition.assessment.system
    check_object(actor, "assessment.edit", system.agency_id)
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError(
            {"evidence": _("Say how the condition is met and where it is shown.")}
        )
    check_text({"evidence": evidence})
    with transaction.atomic():
        condition = Condition.objects.select_for_update().get(pk=condition.pk)
        if condition.met_at is not None:
            raise WorkflowRefused("already_met", _("This condition is already marked as met."))
        condition.met_at = timezone.now()
        condition.met_by = actor
        condition.evidence = evidence
        condition.save()
        _record(
            actor,
            "assessment.condition_met",
            condition.assessment,
            {"condition": condition.text, "evidence": evidence},
        )
    return condition


def mark_needs_review(system: AISystem, kind: str, description: str, actor=None) -> int:
    """A material change: every approved assessment that still governs the system needs review,
    and one under review goes back to its author, who must take the change into account."""
    marked = 0
    for pending in Assessment.objects.filter(
        system=system, status__in=[Status.SUBMITTED, Status.IN_REVIEW]
    ):
        pending.status = Status.DRAFT
        pending.round += 1
        pending.save(update_fields=["status", "round", "updated_at"])
        _record(
            actor,
            "assessment.return",
            pending,
            {"reason": f"material change while under review — {kind}: {description}"},
        )
        marked += 1
    for assessment in rules.latest_approved(system):
        if not assessment.needs_review:
            assessment.needs_review = True
            assessment.needs_review_reason = f"{kind}: {description}"
            assessment.save(update_fields=["needs_review", "needs_review_reason", "updated_at"])
            marked += 1
    return marked


# --- risk register, engagement log, pilot ----------------------------------------------------


def _editable(actor, assessment: Assessment) -> None:
    """Risks and the engagement log change with the answers: only in a draft, so that what
    reviewers and approvers saw is what they signed."""
    check_object(actor, "assessment.edit", assessment.system.agency_id)
    assessment.refresh_from_db(fields=["status", "editors"])
    if assessment.status == Status.APPROVED:
        raise WorkflowRefused(
            "approved",
            _("An approved assessment is on the record; start a new version to change it."),
        )
    if assessment.status != Status.DRAFT:
        raise WorkflowRefused(
            "not_draft",
            _("Under review, the assessment is frozen; a reviewer can return it to its author."),
        )


def _full(model, values: dict, fields: list[str]):
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValidationError({f: _("Not a field here.") for f in unknown})
    obj = model(**values)
    obj.full_clean(exclude=[f.name for f in model._meta.fields if f.name not in fields])
    check_text(values)
    return obj


RISK_FIELDS = [
    "risk",
    "affected_groups",
    "likelihood",
    "severity",
    "mitigation",
    "owner",
    "residual",
]
ENGAGEMENT_FIELDS = ["who", "when", "how", "what_changed"]


def add_risk(actor, assessment: Assessment, values: dict) -> Risk:
    _editable(actor, assessment)
    risk = _full(Risk, values, RISK_FIELDS)
    risk.assessment = assessment
    with transaction.atomic():
        risk.save()
        _edited_by(assessment, actor)
        _record(actor, "assessment.risk_add", assessment, {"risk": values})
    return risk


def remove_risk(actor, risk: Risk) -> None:
    _editable(actor, risk.assessment)
    with transaction.atomic():
        _edited_by(risk.assessment, actor)
        _record(actor, "assessment.risk_remove", risk.assessment, {"risk": risk.risk})
        risk.delete()


def add_engagement(actor, assessment: Assessment, values: dict) -> Engagement:
    _editable(actor, assessment)
    entry = _full(Engagement, values, ENGAGEMENT_FIELDS)
    entry.assessment = assessment
    with transaction.atomic():
        entry.save()
        _edited_by(assessment, actor)
        _record(
            actor,
            "assessment.engagement_add",
            assessment,
            {"engagement": {k: str(v) for k, v in values.items()}},
        )
    return entry


PILOT_PLAN_FIELDS = ["scope", "population", "duration", "success_criteria", "monitoring"]


def save_pilot_plan(actor, system: AISystem, values: dict) -> PilotPlan:
    check_object(actor, "system.edit", system.agency_id)
    plan = PilotPlan.objects.filter(system=system).first()
    checked = _full(PilotPlan, values, PILOT_PLAN_FIELDS)
    with transaction.atomic():
        if plan is None:
            plan = checked
            plan.system, plan.planned_by = system, actor
            plan.save()
            before = {}
        else:
            before = audit.snapshot(plan, PILOT_PLAN_FIELDS)
            for k, v in values.items():
                setattr(plan, k, v)
            if plan.evaluated_at and audit.diff(before, audit.snapshot(plan, PILOT_PLAN_FIELDS)):
                # Results were judged against the old plan: a changed plan needs a new judgement.
                plan.results, plan.criteria_met = "", None
                plan.evaluated_by, plan.evaluated_at = None, None
            plan.save()
        audit.record(
            actor=actor,
            action="pilot.plan",
            obj=system,
            agency=system.agency,
            changes=audit.diff(before, audit.snapshot(plan, PILOT_PLAN_FIELDS)),
        )
    return plan


def evaluate_pilot(actor, system: AISystem, results: str, criteria_met: bool | None) -> PilotPlan:
    check_object(actor, "assessment.edit", system.agency_id)
    plan = PilotPlan.objects.filter(system=system).first()
    if plan is None:
        raise WorkflowRefused("no_plan", _("Plan the pilot before evaluating it."))
    errors = {}
    results = (results or "").strip()
    if not results:
        errors["results"] = _("Describe the results against each success criterion.")
    if criteria_met is None:
        errors["criteria_met"] = _("Say whether the success criteria were met.")
    if errors:
        raise ValidationError(errors)
    check_text({"results": results})
    with transaction.atomic():
        plan.results, plan.criteria_met = results, criteria_met
        plan.evaluated_by, plan.evaluated_at = actor, timezone.now()
        plan.save()
        audit.record(
            actor=actor,
            action="pilot.evaluate",
            obj=system,
            agency=system.agency,
            changes={"criteria_met": criteria_met, "results": results},
        )
    return plan


def save_policy(actor, agency, level: int, values: dict) -> ApprovalPolicy:
    check_object(actor, "assessment.policy", agency.pk)
    errors = {}
    for key in ("reviewer_role", "approver_role"):
        if values.get(key) not in ROLES:
            errors[key] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(ROLES)}
    for key, low in (("reviewers_required", 0), ("approvers_required", 1)):
        try:
            n = int(values.get(key))
            if not low <= n <= 5:
                raise ValueError
            values[key] = n
        except (TypeError, ValueError):
            errors[key] = _("Give a whole number from %(low)d to %(high)d.") % {
                "low": low,
                "high": 5,
            }
    if level not in (1, 2, 3, 4):
        errors["level"] = _("Levels are 1 to 4.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _created = ApprovalPolicy.objects.update_or_create(
            agency=agency, level=level, defaults=values
        )
        audit.record(
            actor=actor,
            action="assessment.policy",
            obj=agency,
            agency=agency,
            changes={"level": level, **{k: values[k] for k in sorted(values)}},
        )
    return row


__all__ = [
    "Decision",
    "Residual",
    "Scale",
    "WorkflowRefused",
]
