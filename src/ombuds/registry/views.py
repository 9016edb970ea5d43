from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core.models import Agency, AuditEvent
from ombuds.core.permissions import access, agencies_with, check_any, check_object, has_perm, scope

from . import determination, lifecycle, services
from .forms import (
    AttachmentForm,
    CardForm,
    DeterminationForm,
    SystemForm,
    TransitionForm,
    apply_errors,
)
from .models import CARD_FIELDS, AISystem, Attachment, CardKind, Impact, Sector, Stage, StageChange

RISK_COLUMNS = [*Impact.choices, ("", _("Not yet determined"))]


def _system(request, pk: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, perm, system.agency_id)
    return system


def visible_systems(user):
    return scope(AISystem.objects.select_related("agency"), user, "system.view")


@access("login")
def dashboard(request):
    systems = visible_systems(request.user)
    counts = {
        (r["stage"], r["impact_determination"]): r["n"]
        for r in systems.values("stage", "impact_determination").annotate(n=Count("id")).order_by()
    }
    rows = []
    for stage, label in Stage.choices:
        cells = [counts.get((stage, risk), 0) for risk, _l in RISK_COLUMNS]
        rows.append({"stage": stage, "label": label, "cells": cells, "total": sum(cells)})
    totals = [sum(r["cells"][i] for r in rows) for i in range(len(RISK_COLUMNS))]
    overdue = (
        systems.filter(review_due__lt=timezone.localdate())
        .exclude(stage=Stage.DECOMMISSIONED)
        .order_by("review_due")[:50]
    )
    undetermined = (
        systems.filter(impact_determination="")
        .exclude(stage=Stage.DECOMMISSIONED)
        .order_by("name")[:50]
    )
    latest_change = StageChange.objects.filter(system=OuterRef("pk")).order_by("-at", "-id")
    ungated = (
        systems.filter(stage__in=lifecycle.IN_USE)
        .annotate(passed=Subquery(latest_change.values("gate_passed")[:1]))
        .filter(passed=False)
        .order_by("name")[:50]
    )
    from .models import Waiver

    active = Waiver.objects.filter(
        system=OuterRef("system"),
        control_id=OuterRef("control_id"),
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
    )
    expired_waivers = (
        Waiver.objects.filter(
            system__in=systems.filter(stage__in=lifecycle.IN_USE),
            revoked_at__isnull=True,
            expires_on__lt=timezone.localdate(),
        )
        .exclude(Exists(active))
        .select_related("system")
        .order_by("expires_on")[:50]
    )
    return render(
        request,
        "registry/dashboard.html",
        {
            "expired_waivers": expired_waivers,
            "ungated": ungated,
            "rows": rows,
            "risk_columns": RISK_COLUMNS,
            "totals": totals,
            "grand_total": sum(totals),
            "overdue": overdue,
            "undetermined": undetermined,
            "can_create": agencies_with(request.user, "system.create") != [],
        },
    )


SORTS = {
    "name": "name",
    "-name": "-name",
    "stage": "stage",
    "-stage": "-stage",
    "review_due": "review_due",
    "-review_due": "-review_due",
    "updated": "-updated_at",
}


@access("login")
def system_list(request):
    systems = visible_systems(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        systems = systems.filter(Q(name__icontains=q) | Q(short_description__icontains=q))
    filters = {
        "stage": Stage.values,
        "sector": Sector.values,
        "impact_determination": Impact.values + [""],
    }
    chosen = {}
    for name, allowed in filters.items():
        value = request.GET.get(name)
        if value is not None and value in allowed and (value or name == "impact_determination"):
            systems = systems.filter(**{name: value})
            chosen[name] = value
    agency = request.GET.get("agency")
    if agency:
        systems = systems.filter(agency__slug=agency)
    if request.GET.get("overdue") == "1":
        systems = systems.filter(review_due__lt=timezone.localdate()).exclude(
            stage=Stage.DECOMMISSIONED
        )
    sort = request.GET.get("sort", "name")
    systems = systems.order_by(SORTS.get(sort, "name"), "id")
    page = Paginator(systems, 50).get_page(request.GET.get("page"))
    agencies = scope(Agency.objects.all(), request.user, "agency.view", field="id")
    return render(
        request,
        "registry/system_list.html",
        {
            "page": page,
            "q": q,
            "chosen": chosen,
            "agency": agency,
            "sort": sort,
            "stages": Stage.choices,
            "sectors": Sector.choices,
            "impacts": Impact.choices,
            "agencies": agencies,
            "can_create": agencies_with(request.user, "system.create") != [],
            "querystring": request.GET.copy(),
        },
    )


@access("system.create")
def system_create(request):
    check_any(request.user, "system.create")
    agencies = scope(Agency.objects.all(), request.user, "system.create", field="id")
    form = SystemForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "agency"}
        try:
            system = services.create_system(request.user, form.cleaned_data["agency"], values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Registered “%(name)s”.") % {"name": system.name})
            return redirect("system_detail", pk=system.pk)
    return render(request, "registry/system_form.html", {"form": form, "creating": True})


@access("system.view")
def system_detail(request, pk):
    system = _system(request, pk, "system.view")
    cards = {c.kind: c for c in system.cards.all()}
    card_list = [
        {
            "kind": kind,
            "label": label,
            "fields": [
                (lbl, (cards[kind].fields.get(n, "") if kind in cards else ""))
                for n, lbl in CARD_FIELDS[kind]
            ],
            "attachments": [a for a in system.attachments.all() if a.card_kind == kind],
        }
        for kind, label in CardKind.choices
    ]
    user = request.user
    to = default_gate_target(system)
    statuses = lifecycle.gate(system, to)
    return render(
        request,
        "registry/system_detail.html",
        {
            "system": system,
            "gate_to": to,
            "gate_to_label": Stage(to).label,
            "gate_unmet": [s for s in statuses if s.state == "unmet"],
            "gate_waived": [s for s in statuses if s.state == "waived"],
            "can_onboard": has_perm(user, "system.determine", system.agency_id)
            and system.stage == Stage.DESIGN
            and not system.stage_changes.exists(),
            "cards": card_list,
            "proposal": determination.proposal_for(system),
            "stage_changes": system.stage_changes.select_related("actor").order_by("-at", "-id")[
                :10
            ],
            "targets": lifecycle.allowed_targets(system.stage),
            "can_edit": has_perm(user, "system.edit", system.agency_id),
            "can_move": has_perm(user, "system.transition", system.agency_id),
            "can_determine": has_perm(user, "system.determine", system.agency_id),
            "can_edit_cards": has_perm(user, "card.edit", system.agency_id),
        },
    )


@access("system.edit")
def system_edit(request, pk):
    system = _system(request, pk, "system.edit")
    form = SystemForm(request.POST or None, instance=system, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_system(request.user, system, dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("system_detail", pk=system.pk)
    return render(request, "registry/system_form.html", {"form": form, "system": system})


@access("system.transition")
def system_transition(request, pk):
    system = _system(request, pk, "system.transition")
    targets = lifecycle.allowed_targets(system.stage)
    form = TransitionForm(request.POST or None, targets=targets)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.transition(
                system, form.cleaned_data["to"], form.cleaned_data["reason"], request.user
            )
        except lifecycle.TransitionRefused as exc:
            refused = exc
            form.add_error("to", exc.detail)
        except lifecycle.ReasonRequired as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("Moved to %(stage)s.") % {"stage": form.cleaned_data["to"]})
            return redirect("system_detail", pk=system.pk)
    return render(
        request,
        "registry/system_transition.html",
        {"form": form, "system": system, "targets": targets, "refused": refused},
    )


@access("system.determine")
def system_classify(request, pk):
    system = _system(request, pk, "system.determine")
    initial = {f"q_{k}": v for k, v in system.impact_answers.items()}
    initial["determination"] = system.impact_determination or None
    initial["justification"] = system.impact_justification
    form = DeterminationForm(request.POST or None, initial=initial)
    proposal = determination.proposal_for(system)
    if request.method == "POST" and form.is_valid():
        proposal = determination.propose(
            system.sector, system.decision_role, system.eu_annex_iii_area, form.answers()
        )
        try:
            determination.determine(
                system,
                request.user,
                answers=form.answers(),
                determination=form.cleaned_data["determination"],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Determination recorded."))
            return redirect("system_detail", pk=system.pk)
    return render(
        request,
        "registry/system_classify.html",
        {"form": form, "system": system, "proposal": proposal},
    )


@access("card.edit")
def card_edit(request, pk, kind):
    system = _system(request, pk, "card.edit")
    if kind not in CardKind.values:
        raise Http404
    card = services.card_for(system, kind)
    form = CardForm(request.POST or None, kind=kind, initial=card.fields)
    upload = AttachmentForm(prefix="att")
    if request.method == "POST" and "att-file" in request.FILES:
        upload = AttachmentForm(request.POST, request.FILES, prefix="att")
        form = CardForm(kind=kind, initial=card.fields)
        if upload.is_valid():
            try:
                services.add_attachment(request.user, system, kind, upload.cleaned_data["file"])
            except ValidationError as exc:
                upload.add_error("file", exc.message_dict.get("file", exc.messages))
            else:
                messages.success(request, _("File attached."))
                return redirect("card_edit", pk=system.pk, kind=kind)
    elif request.method == "POST" and form.is_valid():
        try:
            services.save_card(request.user, system, kind, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("system_detail", pk=system.pk)
    return render(
        request,
        "registry/card_form.html",
        {
            "form": form,
            "upload": upload,
            "system": system,
            "kind": kind,
            "kind_label": CardKind(kind).label,
            "attachments": system.attachments.filter(card_kind=kind),
        },
    )


@access("system.view")
def attachment_download(request, pk, att):
    system = _system(request, pk, "system.view")
    attachment = get_object_or_404(Attachment, pk=att, system=system)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@access("system.history")
def system_history(request, pk):
    system = _system(request, pk, "system.history")
    events = AuditEvent.objects.filter(object_type="registry.aisystem", object_id=str(system.pk))
    page = Paginator(events.order_by("-id"), 100).get_page(request.GET.get("page"))
    return render(request, "registry/system_history.html", {"system": system, "page": page})


GATE_TARGETS = [Stage.PILOT, Stage.DEPLOYED, Stage.DECOMMISSIONED]


default_gate_target = lifecycle.next_gate


@access("system.view")
def system_gate(request, pk):
    """What the system still needs before it may move, and why: every control with its state."""
    system = _system(request, pk, "system.view")
    to = request.GET.get("to") or default_gate_target(system)
    if to not in GATE_TARGETS:
        to = default_gate_target(system)
    statuses = lifecycle.gate(system, to)
    can_waive = has_perm(request.user, "system.waive", system.agency_id)
    waivers = system.waivers.select_related("granted_by", "revoked_by")
    return render(
        request,
        "registry/system_gate.html",
        {
            "system": system,
            "to": to,
            "to_label": Stage(to).label,
            "targets": [(t, Stage(t).label) for t in GATE_TARGETS],
            "statuses": statuses,
            "unmet": [s for s in statuses if s.state == "unmet"],
            "passes": not any(s.blocks for s in statuses),
            "can_waive": can_waive,
            "waivers": waivers,
            "today": timezone.localdate(),
            "ungated": lifecycle.never_passed_gate(system),
            "can_move": has_perm(request.user, "system.transition", system.agency_id),
        },
    )


@access("system.transition")
def system_confirm_gate(request, pk):
    system = _system(request, pk, "system.transition")
    if request.method == "POST":
        try:
            lifecycle.confirm_through_gate(system, request.user)
        except lifecycle.TransitionRefused as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Recorded: the system passed the gate at its stage."))
    return redirect("system_gate", pk=system.pk)


@access("system.waive")
def waiver_create(request, pk):
    from ombuds.core import controls

    from .forms import WaiverForm

    system = _system(request, pk, "system.waive")
    items = [i for i in controls.catalogue().items.values() if i.waivable]
    choices = [(i.id, f"{i.title} ({i.id})") for i in items]
    initial = {"control_id": request.GET.get("control")}
    form = WaiverForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_waiver(
                request.user,
                system,
                form.cleaned_data["control_id"],
                form.cleaned_data["justification"],
                form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Waiver recorded."))
            return redirect("system_gate", pk=system.pk)
    return render(request, "registry/waiver_form.html", {"form": form, "system": system})


@access("system.waive")
def waiver_revoke(request, pk, waiver):
    from .models import Waiver

    system = _system(request, pk, "system.waive")
    found = get_object_or_404(Waiver, pk=waiver, system=system)
    if request.method == "POST":
        services.revoke_waiver(request.user, found)
        messages.success(request, _("Waiver revoked."))
    return redirect("system_gate", pk=system.pk)


@access("system.view")
def system_crosswalk(request, pk):
    """Which requirements of each framework the system meets, misses, or has waived."""
    from ombuds.core import controls

    system = _system(request, pk, "system.view")
    to = Stage.DECOMMISSIONED if system.stage == Stage.DECOMMISSIONED else Stage.DEPLOYED
    statuses = lifecycle.gate(system, to, include_not_applicable=True)
    cat = controls.catalogue()
    rank = {"unmet": 0, "waived": 1, "not_in_force": 2, "met": 3, "not_applicable": 4}
    frameworks = []
    for fw, title in cat.frameworks.items():
        reqs: dict[str, list] = {}
        for s in statuses:
            for req in s.item.maps.get(fw, ()):
                reqs.setdefault(req, []).append(s)
        rows = []
        for req, found in reqs.items():
            states = [s.state for s in found]
            state = min(states, key=lambda x: rank[x])
            if state == "not_applicable" or (state == "met" and "not_applicable" in states):
                state = "met" if "met" in states else "not_applicable"
            rows.append({"requirement": req, "state": state, "controls": found})
        rows.sort(key=lambda r: r["requirement"])
        counts = {k: sum(1 for r in rows if r["state"] == k) for k in rank}
        frameworks.append({"id": fw, "title": title, "rows": rows, "counts": counts})
    return render(
        request,
        "registry/system_crosswalk.html",
        {"system": system, "frameworks": frameworks, "to": to, "to_label": Stage(to).label},
    )


@access("system.decommission")
def system_decommissioning(request, pk):
    from .forms import DecommissioningForm

    system = _system(request, pk, "system.decommission")
    form = DecommissioningForm(request.POST or None, record=system.decommissioning)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_decommissioning(request.user, system, form.values())
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items():
                form.add_error(f"{key}_note" if f"{key}_note" in form.fields else None, msgs)
        else:
            messages.success(request, _("Retirement checklist saved."))
            return redirect("system_gate", pk=system.pk)
    return render(request, "registry/system_decommissioning.html", {"form": form, "system": system})


@access("system.edit")
def system_material_change(request, pk):
    from .forms import MaterialChangeForm

    system = _system(request, pk, "system.edit")
    form = MaterialChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_material_change(
                request.user, system, form.cleaned_data["kind"], form.cleaned_data["description"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Material change recorded: the approved assessment needs review.")
            )
            return redirect("system_detail", pk=system.pk)
    return render(request, "registry/material_change.html", {"form": form, "system": system})


@access("system.determine")
def system_onboard(request, pk):
    """Record a system already in use at its real stage (see lifecycle.onboard_in_use)."""
    from .forms import OnboardForm

    system = _system(request, pk, "system.determine")
    form = OnboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.onboard_in_use(
                system, form.cleaned_data["to"], form.cleaned_data["reason"], request.user
            )
        except lifecycle.TransitionRefused as exc:
            form.add_error("to", exc.detail)
        except lifecycle.ReasonRequired as exc:
            form.add_error("reason", str(exc))
        else:
            messages.warning(
                request,
                _("Recorded as in use. It has not passed the gate: see what it still needs."),
            )
            return redirect("system_gate", pk=system.pk)
    return render(request, "registry/system_onboard.html", {"form": form, "system": system})
