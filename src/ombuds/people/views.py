"""Staff pages for training, certificates, operators, oversight designs and compliance. Thin:
the rules live in rules.py and services.py."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ombuds.core.models import Agency
from ombuds.core.permissions import access, agencies_with, check_any, check_object, has_perm
from ombuds.registry.forms import apply_errors
from ombuds.registry.models import AISystem

from . import modules as content
from . import rules, services
from .models import Assignment, Duty, Mode, OversightDesign


def _agency(request, slug: str, perm: str) -> Agency:
    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, perm, agency.pk)
    return agency


def _system(request, pk: int, perm: str) -> AISystem:
    system = get_object_or_404(AISystem.objects.select_related("agency"), pk=pk)
    check_object(request.user, perm, system.agency_id)
    return system


# --- a person's own training ------------------------------------------------------------


@access("training.view")
def my_training(request):
    check_any(request.user, "training.view")
    ids = agencies_with(request.user, "training.view")
    agencies = Agency.objects.all() if ids is None else Agency.objects.filter(pk__in=ids)
    today = timezone.localdate()
    catalogues = []
    for agency in agencies.order_by("name"):
        catalogue = rules.agency_modules(agency.pk)
        certs = rules.latest_certificates(request.user, catalogue)
        items = []
        for found in catalogue.values():
            cert = certs.get(found.id)
            until = rules.valid_until(cert, found.module) if cert else None
            state = rules.status(until, today, held=cert is not None)
            items.append({"found": found, "cert": cert, "state": state, "until": until})
        catalogues.append({"agency": agency, "items": sorted(items, key=lambda i: i["found"].id)})
    assignments = [
        {"a": a, "state": rules.overall(request.user, a.system, today)}
        for a in Assignment.objects.filter(user=request.user, ended_at__isnull=True).select_related(
            "system"
        )
    ]
    return render(
        request,
        "people/my_training.html",
        {"catalogues": catalogues, "assignments": assignments},
    )


@access("training.view")
def agency_training(request, slug):
    agency = _agency(request, slug, "training.view")
    found = sorted(rules.agency_modules(agency.pk).values(), key=lambda f: f.id)
    return render(
        request,
        "people/agency_training.html",
        {
            "agency": agency,
            "modules": found,
            "can_manage": has_perm(request.user, "training.manage", agency.pk),
            "can_import": has_perm(request.user, "training.import", agency.pk),
            "can_compliance": has_perm(request.user, "compliance.view", agency.pk),
        },
    )


def _found(agency, module: str) -> rules.Found:
    found = rules.find(agency.pk, module)
    if found is None:
        raise Http404
    return found


@access("training.view")
def module_detail(request, slug, module):
    agency = _agency(request, slug, "training.view")
    found = _found(agency, module)
    cert = rules.latest_certificates(request.user, {found.id: found}).get(found.id)
    until = rules.valid_until(cert, found.module) if cert else None
    state = rules.status(until, timezone.localdate(), held=bool(cert))
    return render(
        request,
        "people/module_detail.html",
        {
            "agency": agency,
            "found": found,
            "module": found.module,
            "cert": cert,
            "until": until,
            "state": state,
            "can_take": has_perm(request.user, "training.take", agency.pk),
            "can_manage": has_perm(request.user, "training.manage", agency.pk),
        },
    )


class CheckForm(forms.Form):
    """The knowledge check: one radio group per question, and the attempt's one-time token."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, module: content.Module, order: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for q in module.questions:
            text = {c.id: c.text for c in q.choices}
            ids = (order or {}).get(q.id) or list(text)
            self.fields[f"q_{q.id}"] = forms.ChoiceField(
                label=q.text,
                # In the order drawn for this attempt (stored with it).
                choices=[(cid, text[cid]) for cid in ids if cid in text],
                widget=forms.RadioSelect,
                required=False,  # checked by the service, which names every unanswered one
            )

    def answers(self) -> dict[str, str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {k[2:]: v for k, v in data.items() if k.startswith("q_") and v}


@access("training.take")
def module_check(request, slug, module):
    agency = _agency(request, slug, "training.take")
    found = _found(agency, module)
    if request.method == "POST":
        order = services.attempt_order(request.user, request.POST.get("token", ""), found.module)
        form = CheckForm(request.POST, module=found.module, order=order)
        form.is_valid()
        try:
            attempt = services.submit_attempt(
                request.user,
                agency,
                found.id,
                request.POST.get("token", ""),
                form.answers(),
            )
        except ValidationError as exc:
            for qid, msgs in exc.message_dict.items():
                form.add_error(f"q_{qid}" if f"q_{qid}" in form.fields else None, msgs)
        except services.AttemptRefused as exc:
            messages.error(request, str(exc))
            if services.failed_today(request.user, agency, found.id) >= services.MAX_FAILED_PER_DAY:
                return redirect("module_detail", slug=agency.slug, module=found.id)
            return redirect("module_check", slug=agency.slug, module=found.id)
        else:
            if attempt.passed:
                messages.success(
                    request,
                    _("Passed with %(score)d%%: your certificate is recorded.")
                    % {"score": attempt.score},
                )
            else:
                messages.error(
                    request,
                    _(
                        "%(score)d%% — the pass mark is %(mark)d%%. Read the material again and "
                        "take the check again."
                    )
                    % {"score": attempt.score, "mark": found.module.pass_mark},
                )
            return redirect("module_detail", slug=agency.slug, module=found.id)
    else:
        try:
            attempt = services.open_attempt(request.user, agency, found.id)
        except services.AttemptRefused as exc:
            messages.error(request, str(exc))
            return redirect("module_detail", slug=agency.slug, module=found.id)
        form = CheckForm(initial={"token": attempt.token}, module=found.module, order=attempt.order)
    return render(
        request,
        "people/module_check.html",
        {"agency": agency, "found": found, "module": found.module, "form": form},
    )


class ModuleForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The module (YAML)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The same structure as a shipped module: id (starting with your agency's short name "
            "and a dot), version, title, objectives, materials, links, check (pass_mark and "
            "questions), validity_months and required_for."
        ),
    )
    systems = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Systems that require it"),
        queryset=AISystem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["systems"].queryset = AISystem.objects.filter(agency=agency)


def _adapted(agency, base_id: str) -> str:
    """A shipped module's YAML with its id moved into the agency's namespace."""
    text = content.source_text(base_id)
    short = base_id.split(".", 1)[-1]
    return text.replace(f"id: {base_id}", f"id: {agency.slug}.{short}\nbased_on: {base_id}", 1)


@access("training.manage")
def module_new(request, slug):
    agency = _agency(request, slug, "training.manage")
    base = request.GET.get("from", "")
    initial = {}
    if base in content.shipped():
        initial["text"] = _adapted(agency, base)
    form = ModuleForm(request.POST or None, initial=initial, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.save_module(
                request.user, agency, form.cleaned_data["text"], form.cleaned_data["systems"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Module saved."))
            return redirect("module_detail", slug=agency.slug, module=row.key)
    return render(
        request,
        "people/module_form.html",
        {"agency": agency, "form": form, "title": _("A module of your agency")},
    )


@access("training.manage")
def module_edit(request, slug, module):
    agency = _agency(request, slug, "training.manage")
    found = _found(agency, module)
    if found.row is None:
        # A shipped module is not edited: it is copied and adapted.
        return redirect(
            f"{reverse('module_new', args=[agency.slug])}?{urlencode({'from': found.id})}"
        )
    row = found.row
    form = ModuleForm(
        request.POST or None,
        initial={"text": row.text, "systems": list(row.systems.all())},
        agency=agency,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_module(
                request.user,
                agency,
                form.cleaned_data["text"],
                form.cleaned_data["systems"],
                row=row,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Module saved."))
            return redirect("module_detail", slug=agency.slug, module=row.key)
    return render(
        request,
        "people/module_form.html",
        {"agency": agency, "form": form, "title": row.title},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Completions (CSV)"),
        help_text=gettext_lazy(
            "Columns: username or email, module, completed_on (YYYY-MM-DD), score (0–100, "
            "optional). Nothing is imported while any row has a problem."
        ),
    )


@access("training.import")
def training_import(request, slug):
    agency = _agency(request, slug, "training.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > 5 * 1024 * 1024:
                raise services.ImportRejected(
                    [services.RowError(0, "file", _("The file is larger than 5 MB."))]
                )
            rows = services.read_csv(upload.read())
            created = services.import_completions(request.user, agency, rows)
        except services.ImportRejected as exc:
            report = exc.errors
            form.add_error(
                "file",
                _("%(n)d problem(s): nothing was imported. See the report below.")
                % {"n": len(exc.errors)},
            )
        else:
            messages.success(
                request,
                _("%(n)d certificate(s) recorded from %(rows)d row(s).")
                % {"n": len(created), "rows": len(rows)},
            )
            return redirect("training_import", slug=agency.slug)
    return render(
        request,
        "people/import.html",
        {"agency": agency, "form": form, "report": report},
    )


# --- operators and oversight ------------------------------------------------------------


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=None)
    duty = forms.ChoiceField(
        label=gettext_lazy("Duty"), choices=Duty.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, system=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(memberships__agency_id=system.agency_id, is_active=True)
            .distinct()
            .order_by("username")
        )


@access("training.view")
def system_operators(request, pk):
    system = _system(request, pk, "training.view")
    can_assign = has_perm(request.user, "operator.assign", system.agency_id)
    form = AssignForm(request.POST or None, system=system) if can_assign else None
    if request.method == "POST":
        check_object(request.user, "operator.assign", system.agency_id)
        if form.is_valid():
            try:
                services.assign(
                    request.user, system, form.cleaned_data["user"], form.cleaned_data["duty"]
                )
            except services.AssignmentRefused as exc:
                form.add_error("user", exc.detail)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Assigned."))
                return redirect("system_operators", pk=system.pk)
    ledger = rules.Ledger(system.agency_id)
    assigned = services.operators(system)
    ledger.load(a.user_id for a in assigned)
    rows = [{"a": a, "modules": ledger.person_status(a.user, system)} for a in assigned]
    for r in rows:
        r["state"] = rules.worst(m.state for m in r["modules"])
    return render(
        request,
        "people/system_operators.html",
        {
            "system": system,
            "rows": rows,
            "required": ledger.required(system),
            "form": form,
            "can_assign": can_assign,
            "oversight": rules.oversight_staff(system),
            "can_edit_oversight": has_perm(request.user, "oversight.edit", system.agency_id),
        },
    )


@access("operator.assign")
def operator_end(request, pk, assignment):
    system = _system(request, pk, "operator.assign")
    found = get_object_or_404(Assignment, pk=assignment, system=system)
    if request.method == "POST":
        services.end_assignment(request.user, found)
        messages.success(request, _("Assignment ended."))
    return redirect("system_operators", pk=system.pk)


class OversightForm(forms.ModelForm):
    class Meta:
        model = OversightDesign
        fields = ["mode", *OversightDesign.PARTS]
        widgets = {
            "mode": forms.RadioSelect,
            **{f: forms.Textarea(attrs={"rows": 3}) for f in OversightDesign.PARTS},
        }


@access("oversight.edit")
def oversight_edit(request, pk):
    system = _system(request, pk, "oversight.edit")
    design = OversightDesign.objects.filter(system=system).first()
    form = OversightForm(request.POST or None, instance=design)
    form.fields["mode"].choices = Mode.choices
    if request.method == "POST" and form.is_valid():
        try:
            services.save_oversight(request.user, system, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Oversight design saved."))
            return redirect("system_operators", pk=system.pk)
    return render(request, "people/oversight_form.html", {"system": system, "form": form})


# --- compliance -------------------------------------------------------------------------


def _compliance_rows(agency):
    """Per system its active operators and their status; per member their certificates of
    this agency's modules (another agency's modules are that agency's business). A fixed
    number of queries however many systems and people."""
    ledger = rules.Ledger(agency.pk)
    system_list = list(AISystem.objects.filter(agency=agency).exclude(stage="decommissioned"))
    assigned = services.operators_of(system_list)
    members = list(
        get_user_model().objects.filter(memberships__agency=agency).distinct().order_by("username")
    )
    ledger.load([m.pk for m in members] + [a.user_id for ops in assigned.values() for a in ops])
    systems = [
        {
            "system": system,
            "operators": [
                {"a": a, "state": ledger.overall(a.user, system)} for a in assigned[system.pk]
            ],
        }
        for system in system_list
    ]
    people = []
    for person in members:
        certs = []
        for cert in sorted(
            ledger.certificates(person), key=lambda c: (c.module, -c.completed_on.toordinal())
        ):
            title, until, counts = ledger.certificate_state(cert)
            if title is None:
                continue
            certs.append(
                {
                    "cert": cert,
                    "title": title,
                    "expires_on": until,
                    "state": rules.status(until, ledger.today, held=counts),
                }
            )
        people.append({"person": person, "certs": certs})
    return systems, people


@access("compliance.view")
def compliance(request, slug):
    agency = _agency(request, slug, "compliance.view")
    systems, people = _compliance_rows(agency)
    return render(
        request,
        "people/compliance.html",
        {"agency": agency, "systems": systems, "people": people},
    )


@access("compliance.view")
def compliance_csv(request, slug):
    agency = _agency(request, slug, "compliance.view")
    _systems, people = _compliance_rows(agency)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "username",
            "email",
            "module",
            "version",
            "completed_on",
            "expires_on",
            "score",
            "source",
            "status",
        ]
    )
    for p in people:
        for c in p["certs"]:
            cert = c["cert"]
            writer.writerow(
                [
                    p["person"].get_username(),
                    p["person"].email,
                    cert.module,
                    cert.module_version,
                    cert.completed_on.isoformat(),
                    c["expires_on"].isoformat() if c["expires_on"] else "",
                    "" if cert.score is None else cert.score,
                    cert.source,
                    c["state"],
                ]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="certificates-{agency.slug}.csv"'
    return response
