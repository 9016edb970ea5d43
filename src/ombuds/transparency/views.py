"""Staff pages of a system's public record: thin views over transparency services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ombuds.core.permissions import access, check_object, has_perm
from ombuds.registry.forms import apply_errors
from ombuds.registry.models import AISystem

from . import services
from .forms import GroundForm, ReasonForm, RecordForm
from .models import TEXT_FIELDS, RecordStatus


def _system(request, pk: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, perm, system.agency_id)
    return system


@access("record.view")
def record_detail(request, pk):
    system = _system(request, pk, "record.view")
    record = services.record_of(system)
    user = request.user
    return render(
        request,
        "transparency/record_detail.html",
        {
            "system": system,
            "record": record,
            "fields": [(label, getattr(record, name)) for name, label in TEXT_FIELDS],
            "versions": list(record.versions.order_by("-number")) if record.pk else [],
            "can_edit": has_perm(user, "record.edit", system.agency_id),
            "can_publish": has_perm(user, "record.publish", system.agency_id),
            "can_submit": record.pk is not None
            and record.status == RecordStatus.DRAFT
            and record.drafter_id == user.pk,
            "is_submitted": record.status == RecordStatus.SUBMITTED,
            "is_public": record.public_state == "published",
            "reason_form": ReasonForm(),
            "ground_form": GroundForm(),
        },
    )


@access("record.edit")
def record_edit(request, pk):
    system = _system(request, pk, "record.edit")
    record = services.record_of(system)
    initial = {name: getattr(record, name) for name, _label in TEXT_FIELDS}
    initial["last_reviewed"] = record.last_reviewed
    form = RecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_draft(request.user, system, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Submit it when it is ready."))
            return redirect("public_record", pk=system.pk)
    return render(
        request,
        "transparency/record_edit.html",
        {"system": system, "form": form, "first_draft": record.pk is None},
    )


def _act(request, system, action, success: str):
    if request.method != "POST":
        return redirect("public_record", pk=system.pk)
    try:
        action()
    except services.PublicationRefused as exc:
        messages.error(request, exc.detail)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("Your role does not allow this."))
    else:
        messages.success(request, success)
    return redirect("public_record", pk=system.pk)


@access("record.edit")
def record_submit(request, pk):
    system = _system(request, pk, "record.edit")
    return _act(
        request,
        system,
        lambda: services.submit(request.user, system),
        _("Submitted: another governance lead can now publish it."),
    )


@access("record.publish")
def record_publish(request, pk):
    system = _system(request, pk, "record.publish")
    return _act(request, system, lambda: services.publish(request.user, system), _("Published."))


@access("record.publish")
def record_retract(request, pk):
    system = _system(request, pk, "record.publish")
    return _act(
        request,
        system,
        lambda: services.retract(request.user, system, request.POST.get("reason", "")),
        _("Retracted: the public page no longer shows the record."),
    )


@access("record.publish")
def record_withhold(request, pk):
    system = _system(request, pk, "record.publish")
    return _act(
        request,
        system,
        lambda: services.withhold(request.user, system, request.POST.get("legal_ground", "")),
        _("Withheld: the public sees only that the record exists and the legal ground."),
    )
