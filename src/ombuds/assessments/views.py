from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ombuds.core.models import Agency
from ombuds.core.permissions import access, check_object, has_perm
from ombuds.registry.forms import apply_errors
from ombuds.registry.models import AISystem

from . import questionnaire, rules, services
from . import templates_catalogue as catalogue
from .forms import (
    EngagementForm,
    EvidenceForm,
    ImportForm,
    PilotEvaluationForm,
    PilotPlanForm,
    PolicyForm,
    ReasonForm,
    ReviewForm,
    RiskForm,
    SectionForm,
    SignOffForm,
    StartForm,
)
from .models import Assessment, Condition, PilotPlan, Risk, Status

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _system(request, pk: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, perm, system.agency_id)
    return system


def _assessment(request, pk: int, perm: str) -> Assessment:
    found = get_object_or_404(Assessment.objects.select_related("system__agency", "author"), pk=pk)
    check_object(request.user, perm, found.system.agency_id)
    return found


def _refused(request, exc: services.WorkflowRefused | PermissionDenied) -> None:
    messages.error(request, getattr(exc, "detail", None) or str(exc) or _("Not allowed."))


@access("assessment.view")
def assessment_list(request, pk):
    system = _system(request, pk, "assessment.view")
    choices = [(t.id, t.title) for t in catalogue.templates().values()]
    start = StartForm(request.POST or None, templates=choices, prefix="start")
    upload = ImportForm(prefix="imp")
    if request.method == "POST":
        check_object(request.user, "assessment.edit", system.agency_id)
        if "imp-file" in request.FILES:
            upload = ImportForm(request.POST, request.FILES, prefix="imp")
            start = StartForm(templates=choices, prefix="start")
            if upload.is_valid():
                f = upload.cleaned_data["file"]
                try:
                    if f.size > MAX_IMPORT_BYTES:
                        raise ValidationError({"file": _("The file is larger than 5 MB.")})
                    try:
                        results = json.loads(f.read().decode("utf-8"))
                    except (UnicodeDecodeError, ValueError) as exc:
                        raise ValidationError({"file": _("Not a JSON file: %s") % exc}) from None
                    assessment = services.import_aia(
                        request.user, system, results, upload.cleaned_data["language"]
                    )
                except ValidationError as exc:
                    apply_errors(upload, exc)
                else:
                    messages.success(request, _("AIA imported as a draft."))
                    return redirect("assessment_detail", pk=assessment.pk)
        elif start.is_valid():
            try:
                assessment = services.start(
                    request.user,
                    system,
                    start.cleaned_data["template"],
                    start.cleaned_data["language"],
                )
            except ValidationError as exc:
                apply_errors(start, exc)
            else:
                return redirect("assessment_detail", pk=assessment.pk)
    assessments = system.assessments.select_related("author").order_by("-created_at", "-id")
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "system": system,
            "assessments": assessments,
            "start": start,
            "upload": upload,
            "can_edit": has_perm(request.user, "assessment.edit", system.agency_id),
            "level": rules.system_level(system),
        },
    )


def _answer_rows(assessment: Assessment, template) -> list[dict]:
    visible = {q.id for q in questionnaire.visible(template, assessment.answers)}
    sections = []
    for s in template.sections:
        rows = []
        for q in s.questions:
            if q.id not in visible:
                continue
            given = assessment.answers.get(q.id)
            if q.choices and given is not None:
                labels = {c.id: c.text for c in q.choices}
                values = given if isinstance(given, list) else [given]
                shown = "; ".join(labels.get(v, v) for v in values)
            else:
                shown = given
            rows.append({"question": q, "answer": shown})
        answered = sum(1 for r in rows if r["answer"] not in (None, "", []))
        sections.append({"section": s, "rows": rows, "answered": answered})
    return sections


@access("assessment.view")
def assessment_detail(request, pk):
    assessment = _assessment(request, pk, "assessment.view")
    system = assessment.system
    template = catalogue.get(assessment.template_id, assessment.language)
    user = request.user
    policy = rules.policy_for(system.agency, assessment.level)
    live_score = catalogue.compute(assessment.template_id, assessment.answers)
    reviews = rules.current_reviews(assessment)
    signoffs = rules.current_signoffs(assessment)
    can_edit = has_perm(user, "assessment.edit", system.agency_id)
    in_review = assessment.status in (Status.SUBMITTED, Status.IN_REVIEW)
    wrote_it = user.pk == assessment.author_id or user.pk in (assessment.editors or [])
    can_review = (
        in_review
        and not wrote_it
        and rules.holds_role(user, system.agency_id, policy.reviewer_role)
        and not any(r.reviewer_id == user.pk for r in reviews)
    )
    approve_blockers = services.approval_blockers(assessment, user) if in_review else []
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "a": assessment,
            "system": system,
            "template": template,
            "sections": _answer_rows(assessment, template),
            "score": assessment.score if assessment.status != Status.DRAFT else live_score,
            "policy": policy,
            "reviews": assessment.reviews.select_related("reviewer").order_by("round", "at"),
            "signoffs": assessment.signoffs.select_related("approver").order_by("round", "at"),
            "current_reviews": reviews,
            "current_signoffs": signoffs,
            "risks": assessment.risks.all(),
            "engagements": assessment.engagements.all(),
            "conditions": assessment.conditions.select_related("met_by"),
            "can_edit": can_edit and assessment.status == Status.DRAFT,
            "can_edit_logs": can_edit and assessment.status == Status.DRAFT,
            "can_new_version": can_edit and assessment.status == Status.APPROVED,
            "can_meet_conditions": can_edit,
            "can_review": can_review,
            "can_approve": in_review and not approve_blockers,
            "approve_blockers": approve_blockers,
            "can_return": in_review
            and not wrote_it
            and (
                rules.holds_role(user, system.agency_id, policy.reviewer_role)
                or rules.holds_role(user, system.agency_id, policy.approver_role)
            ),
        },
    )


@access("assessment.edit")
def assessment_answer(request, pk, section):
    assessment = _assessment(request, pk, "assessment.edit")
    template = catalogue.get(assessment.template_id, assessment.language)
    found = next((s for s in template.sections if s.id == section), None)
    if found is None:
        raise Http404
    if assessment.status != Status.DRAFT:
        messages.error(request, _("Only a draft can be changed; start a new version instead."))
        return redirect("assessment_detail", pk=assessment.pk)
    form = SectionForm(
        request.POST or None, section=found, answers=assessment.answers, template=template
    )
    ids = [s.id for s in template.sections]
    nxt = ids[ids.index(section) + 1] if ids.index(section) + 1 < len(ids) else None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_answers(request.user, assessment, form.answers())
        except ValidationError as exc:
            apply_errors(form, exc)
        except services.WorkflowRefused as exc:
            _refused(request, exc)
            return redirect("assessment_detail", pk=assessment.pk)
        else:
            messages.success(request, _("Answers saved."))
            if nxt and "next" in request.POST:
                return redirect("assessment_answer", pk=assessment.pk, section=nxt)
            return redirect("assessment_detail", pk=assessment.pk)
    return render(
        request,
        "assessments/assessment_answer.html",
        {
            "a": assessment,
            "system": assessment.system,
            "form": form,
            "section": found,
            "sections": template.sections,
            "next": nxt,
        },
    )


def _post_only(request, assessment):
    if request.method != "POST":
        return redirect("assessment_detail", pk=assessment.pk)
    return None


@access("assessment.edit")
def assessment_submit(request, pk):
    assessment = _assessment(request, pk, "assessment.edit")
    if (early := _post_only(request, assessment)) is not None:
        return early
    try:
        services.submit(request.user, assessment)
    except ValidationError as exc:
        messages.error(
            request,
            _("Cannot submit yet: %(n)d item(s) missing — %(items)s")
            % {"n": len(exc.message_dict), "items": ", ".join(sorted(exc.message_dict))},
        )
    except services.WorkflowRefused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Submitted for review."))
    return redirect("assessment_detail", pk=assessment.pk)


@access("assessment.edit")
def assessment_new_version(request, pk):
    assessment = _assessment(request, pk, "assessment.edit")
    if (early := _post_only(request, assessment)) is not None:
        return early
    new = services.new_version(request.user, assessment)
    messages.success(request, _("A new draft starts from this assessment's answers."))
    return redirect("assessment_detail", pk=new.pk)


def _action(request, assessment, form, do, done: str, title: str, button: str):
    """One workflow step behind a form: run `do(form)` on a valid POST; a refusal by the rules
    becomes a message on the assessment's page, invalid input stays on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            do(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except (services.WorkflowRefused, PermissionDenied) as exc:
            _refused(request, exc)
            return redirect("assessment_detail", pk=assessment.pk)
        else:
            messages.success(request, done)
            return redirect("assessment_detail", pk=assessment.pk)
    return render(
        request,
        "assessments/assessment_action.html",
        {
            "a": assessment,
            "system": assessment.system,
            "form": form,
            "title": title,
            "button": button,
        },
    )


@access("assessment.view")
def assessment_review(request, pk):
    assessment = _assessment(request, pk, "assessment.view")
    return _action(
        request,
        assessment,
        ReviewForm(request.POST or None),
        lambda d: services.review(request.user, assessment, d["recommendation"], d["opinion"]),
        _("Review recorded."),
        _("Review"),
        _("Record the review"),
    )


@access("assessment.view")
def assessment_signoff(request, pk):
    assessment = _assessment(request, pk, "assessment.view")
    form = SignOffForm(request.POST or None)
    return _action(
        request,
        assessment,
        form,
        lambda d: services.sign_off(
            request.user, assessment, d["decision"], d["comment"], form.condition_list()
        ),
        _("Decision recorded."),
        _("Approve"),
        _("Sign"),
    )


@access("assessment.view")
def assessment_return(request, pk):
    assessment = _assessment(request, pk, "assessment.view")
    return _action(
        request,
        assessment,
        ReasonForm(request.POST or None),
        lambda d: services.return_to_author(request.user, assessment, d["reason"]),
        _("Returned to the author."),
        _("Return to the author"),
        _("Return"),
    )


def _log_entry(request, pk, form_class, add, title):
    assessment = _assessment(request, pk, "assessment.edit")
    return _action(
        request,
        assessment,
        form_class(request.POST or None),
        lambda d: add(request.user, assessment, dict(d)),
        _("Added."),
        title,
        _("Add"),
    )


@access("assessment.edit")
def risk_add(request, pk):
    return _log_entry(request, pk, RiskForm, services.add_risk, _("Add a risk"))


@access("assessment.edit")
def risk_remove(request, pk, risk):
    assessment = _assessment(request, pk, "assessment.edit")
    found = get_object_or_404(Risk, pk=risk, assessment=assessment)
    if request.method == "POST":
        try:
            services.remove_risk(request.user, found)
        except services.WorkflowRefused as exc:
            _refused(request, exc)
    return redirect("assessment_detail", pk=assessment.pk)


@access("assessment.edit")
def engagement_add(request, pk):
    return _log_entry(
        request, pk, EngagementForm, services.add_engagement, _("Add to the engagement log")
    )


@access("assessment.edit")
def condition_meet(request, pk, condition):
    assessment = _assessment(request, pk, "assessment.edit")
    found = get_object_or_404(Condition, pk=condition, assessment=assessment)
    return _action(
        request,
        assessment,
        EvidenceForm(request.POST or None),
        lambda d: services.meet_condition(request.user, found, d["evidence"]),
        _("Condition marked as met."),
        _("Condition met: %s") % found.text,
        _("Mark as met"),
    )


@access("system.view")
def pilot_plan(request, pk):
    system = _system(request, pk, "system.view")
    plan = PilotPlan.objects.filter(system=system).first()
    can_plan = has_perm(request.user, "system.edit", system.agency_id)
    can_evaluate = has_perm(request.user, "assessment.edit", system.agency_id) and plan is not None
    plan_form = PilotPlanForm(instance=plan, prefix="plan")
    eval_form = PilotEvaluationForm(
        prefix="eval",
        initial={
            "results": plan.results if plan else "",
            "criteria_met": {True: "yes", False: "no"}.get(plan.criteria_met) if plan else None,
        },
    )
    if request.method == "POST":
        try:
            if "plan-scope" in request.POST:
                check_object(request.user, "system.edit", system.agency_id)
                plan_form = PilotPlanForm(request.POST, instance=plan, prefix="plan")
                if plan_form.is_valid():
                    values = {f: plan_form.cleaned_data[f] for f in services.PILOT_PLAN_FIELDS}
                    services.save_pilot_plan(request.user, system, values)
                    messages.success(request, _("Pilot plan saved."))
                    return redirect("pilot_plan", pk=system.pk)
            else:
                check_object(request.user, "assessment.edit", system.agency_id)
                eval_form = PilotEvaluationForm(request.POST, prefix="eval")
                if eval_form.is_valid():
                    services.evaluate_pilot(
                        request.user,
                        system,
                        eval_form.cleaned_data["results"],
                        eval_form.cleaned_data["criteria_met"],
                    )
                    messages.success(request, _("Pilot evaluation saved."))
                    return redirect("pilot_plan", pk=system.pk)
        except ValidationError as exc:
            apply_errors(plan_form if "plan-scope" in request.POST else eval_form, exc)
        except services.WorkflowRefused as exc:
            _refused(request, exc)
    return render(
        request,
        "assessments/pilot_plan.html",
        {
            "system": system,
            "plan": plan,
            "plan_form": plan_form,
            "eval_form": eval_form,
            "can_plan": can_plan,
            "can_evaluate": can_evaluate,
        },
    )


@access("assessment.policy")
def approval_policy(request, slug):
    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, "assessment.policy", agency.pk)
    current = rules.policies(agency)
    forms = {
        level: PolicyForm(
            request.POST
            if request.method == "POST" and request.POST.get("level") == str(level)
            else None,
            prefix=f"l{level}",
            initial=vars(current[level]),
        )
        for level in (1, 2, 3, 4)
    }
    if request.method == "POST":
        raw = request.POST.get("level", "")
        level = int(raw) if raw.isdigit() else 0
        form = forms.get(level)
        if form is None:
            messages.error(request, _("Choose a level from 1 to 4."))
        if form is not None and form.is_valid():
            try:
                services.save_policy(request.user, agency, level, dict(form.cleaned_data))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Approval rule for level %d saved.") % level)
                return redirect("approval_policy", slug=agency.slug)
    return render(
        request,
        "assessments/approval_policy.html",
        {"agency": agency, "forms": forms, "current": current},
    )
