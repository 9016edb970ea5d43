from __future__ import annotations

import json
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ombuds.core import controls as gate
from ombuds.core.permissions import access, check_object, has_perm
from ombuds.registry import services as registry_services
from ombuds.registry.forms import apply_errors
from ombuds.registry.models import DEMOGRAPHIC_FEATURES, AISystem

from . import controls, results, services
from .forms import (
    CharacteristicsForm,
    FindingsResponseForm,
    PeerReviewForm,
    ProtectedCharacteristicsForm,
    RunAuditForm,
    UploadResultForm,
)
from .models import Evaluation, Kind, Source, Status
from .summary import summarise

LABELS = dict(DEMOGRAPHIC_FEATURES)


def _system(request, pk: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, perm, system.agency_id)
    return system


def _evaluation(request, pk: int, ev: int, perm: str) -> Evaluation:
    system = _system(request, pk, perm)
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("created_by", "responded_by"), pk=ev, system=system
    )
    evaluation.system = system
    return evaluation


def _columns(evaluation: Evaluation) -> list[str]:
    """The protected columns of an evaluation: from its result, or from the run's settings
    while the run has not finished."""
    columns = results.protected_columns(evaluation.result)
    if not columns and evaluation.kind == Kind.BIAS_AUDIT and isinstance(evaluation.config, dict):
        columns = evaluation.config.get("protected") or []
    return [c for c in columns if isinstance(c, str)]


def _required(system: AISystem, control_id: str, stage: str) -> bool:
    """Whether the gate asks for this control before the system reaches `stage`."""
    item = gate.catalogue().items.get(control_id)
    if item is None:
        return True
    return gate.applies(item, stage, system.impact_level, system.is_high_impact)


def _coverage(system: AISystem) -> list[dict]:
    """One row per characteristic the record lists: collected or not, and what covers it."""
    latest = controls.latest_audits(system)
    rows = []
    for entry in system.protected_characteristics or []:
        if not isinstance(entry, dict):
            continue
        code = entry.get("id")
        audit = latest.get(code) if entry.get("collected") else None
        rows.append(
            {
                "code": code,
                "label": LABELS.get(code, code),
                "collected": bool(entry.get("collected")),
                "why_not": entry.get("why_not", ""),
                "alternative": entry.get("alternative", ""),
                "audit": audit,
            }
        )
    return rows


@access("evaluation.view")
def evaluation_list(request, pk):
    system = _system(request, pk, "evaluation.view")
    evaluations = (
        system.evaluations.select_related("created_by")
        .defer("result", "config")
        .order_by("-created_at", "-id")
    )
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        evaluations = evaluations.filter(kind=kind)
    page = Paginator(evaluations, 50).get_page(request.GET.get("page"))
    user = request.user
    return render(
        request,
        "evaluations/evaluation_list.html",
        {
            "system": system,
            "page": page,
            "kind": kind,
            "kinds": Kind.choices,
            "coverage": _coverage(system),
            "bias_audit_gap": controls.bias_audit(system, "deployed"),
            "bias_audit_required": _required(system, "evaluations.bias-audit", "pilot"),
            "peer_review_required": _required(system, "evaluations.peer-review", "deployed"),
            "peer_reviews_needed": controls.required_peer_reviews(system),
            "peer_reviews_done": controls.peer_reviews_done(system),
            "can_create": has_perm(user, "evaluation.create", system.agency_id),
            "can_record_peer_review": has_perm(user, "evaluation.respond", system.agency_id),
            "can_edit_record": has_perm(user, "system.edit", system.agency_id),
        },
    )


@access("evaluation.view")
def evaluation_detail(request, pk, ev):
    evaluation = _evaluation(request, pk, ev, "evaluation.view")
    system = evaluation.system
    user = request.user
    can_create = has_perm(user, "evaluation.create", system.agency_id)
    can_respond = has_perm(user, "evaluation.respond", system.agency_id)
    columns = _columns(evaluation)
    characteristics_form = None
    if can_create and columns:
        initial = {f"col_{i}": evaluation.characteristics.get(c, "") for i, c in enumerate(columns)}
        characteristics_form = CharacteristicsForm(columns=columns, initial=initial)
    response_form = None
    if can_respond and evaluation.status == Status.DONE:
        response_form = FindingsResponseForm(
            initial={"findings_response": evaluation.findings_response}
        )
    return render(
        request,
        "evaluations/evaluation_detail.html",
        {
            "system": system,
            "evaluation": evaluation,
            "summary": summarise(evaluation.result) if evaluation.status == Status.DONE else None,
            "columns": [
                (c, LABELS.get(evaluation.characteristics.get(c, ""), "")) for c in columns
            ],
            "characteristics_form": characteristics_form,
            "response_form": response_form,
            "polling": not evaluation.is_finished,
        },
    )


@access("evaluation.view")
def evaluation_status(request, pk, ev):
    """The run's status alone, polled by htmx while the audit runs; when it ends the whole page
    reloads to show the results."""
    evaluation = _evaluation(request, pk, ev, "evaluation.view")
    response = render(
        request,
        "evaluations/_run_status_body.html",
        {"system": evaluation.system, "evaluation": evaluation, "polling": True},
    )
    if evaluation.is_finished and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


@access("evaluation.view")
def evaluation_download(request, pk, ev):
    evaluation = _evaluation(request, pk, ev, "evaluation.view")
    if evaluation.status != Status.DONE:
        raise Http404
    body = json.dumps(evaluation.result, indent=2, ensure_ascii=False) + "\n"
    kind = re.sub(r"[^a-z0-9]+", "-", evaluation.kind)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="system-{evaluation.system_id}-{kind}-{evaluation.pk}.json"'
    )
    return response


@access("evaluation.create")
def evaluation_upload(request, pk):
    system = _system(request, pk, "evaluation.create")
    form = UploadResultForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.record_result(
                request.user,
                system,
                form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                source=Source.UPLOAD,
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error("note" if field == "note" else "file", errs)
        else:
            messages.success(
                request,
                _("Kept the %(kind)s as evidence.") % {"kind": evaluation.get_kind_display()},
            )
            return redirect("evaluation_detail", pk=system.pk, ev=evaluation.pk)
    return render(request, "evaluations/upload_form.html", {"system": system, "form": form})


@access("evaluation.create")
def evaluation_run(request, pk):
    system = _system(request, pk, "evaluation.create")
    form = RunAuditForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.start_audit_run(
                request.user,
                system,
                form.cleaned_data["file"],
                form.options(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The audit is queued; this page shows its progress until it is done.")
            )
            return redirect("evaluation_detail", pk=system.pk, ev=evaluation.pk)
    return render(
        request,
        "evaluations/run_form.html",
        {"system": system, "form": form, "limit_mb": services.max_upload_bytes() // 2**20},
    )


@access("evaluation.create")
def evaluation_characteristics(request, pk, ev):
    evaluation = _evaluation(request, pk, ev, "evaluation.create")
    columns = _columns(evaluation)
    initial = {f"col_{i}": evaluation.characteristics.get(c, "") for i, c in enumerate(columns)}
    form = CharacteristicsForm(request.POST or None, columns=columns, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_characteristics(request.user, evaluation, form.mapping())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved which characteristic each column holds."))
            return redirect("evaluation_detail", pk=pk, ev=ev)
    return render(
        request,
        "evaluations/characteristics_form.html",
        {"system": evaluation.system, "evaluation": evaluation, "form": form},
    )


@access("evaluation.respond")
def findings_response(request, pk, ev):
    evaluation = _evaluation(request, pk, ev, "evaluation.respond")
    form = FindingsResponseForm(
        request.POST or None, initial={"findings_response": evaluation.findings_response}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_findings(
                request.user, evaluation, form.cleaned_data["findings_response"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recorded what was done about the findings."))
            return redirect("evaluation_detail", pk=pk, ev=ev)
    return render(
        request,
        "evaluations/findings_response_form.html",
        {"system": evaluation.system, "evaluation": evaluation, "form": form},
    )


@access("evaluation.respond")
def peer_review_create(request, pk):
    # Recorded by an assessor or a governance lead, not by the team that owns the system.
    system = _system(request, pk, "evaluation.respond")
    form = PeerReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = services.add_peer_review(
                request.user,
                system,
                reviewer_name=data["reviewer_name"],
                organisation=data["reviewer_organisation"],
                conclusion=data["conclusion"],
                reviewed_on=data["reviewed_on"],
                independent=data["independent"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Peer review recorded."))
            return redirect("evaluation_detail", pk=system.pk, ev=evaluation.pk)
    return render(
        request,
        "evaluations/peer_review_form.html",
        {
            "system": system,
            "form": form,
            "needed": controls.required_peer_reviews(system),
            "done": controls.peer_reviews_done(system),
        },
    )


@access("system.view")
def protected_characteristics(request, pk):
    """Which protected characteristics a bias audit of the system must cover; anyone who may see
    the system reads it, those who may edit the record change it."""
    system = _system(request, pk, "system.view")
    can_edit = has_perm(request.user, "system.edit", system.agency_id)
    entries = system.protected_characteristics or []
    form = ProtectedCharacteristicsForm(
        request.POST if request.method == "POST" and can_edit else None, entries=entries
    )
    if request.method == "POST":
        check_object(request.user, "system.edit", system.agency_id)
        if form.is_valid():
            chosen = form.entries()
            try:
                registry_services.save_protected_characteristics(request.user, system, chosen)
            except ValidationError as exc:
                _apply_entry_errors(form, exc, chosen)
            else:
                messages.success(request, _("Saved the protected characteristics."))
                return redirect("protected_characteristics", pk=system.pk)
    return render(
        request,
        "evaluations/protected_characteristics.html",
        {
            "system": system,
            "form": form,
            "can_edit": can_edit,
            "entries": [
                {**e, "label": LABELS.get(e.get("id"), e.get("id"))}
                for e in entries
                if isinstance(e, dict)
            ],
            "coverage": {row["code"]: row for row in _coverage(system)},
        },
    )


def _apply_entry_errors(form, exc: ValidationError, chosen: list[dict]) -> None:
    """The registry names entries by position (protected_characteristics[2]); put each error
    on the fields of the characteristic it is about."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errs in exc.message_dict.items():
        match = re.fullmatch(r"protected_characteristics\[(\d+)\]", key)
        field = form.field_for(int(match.group(1)), chosen) if match else None
        form.add_error(field, errs)
