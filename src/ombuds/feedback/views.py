from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core.intake import client_address, private_page, screened
from ombuds.core.models import Agency
from ombuds.core.permissions import access, check_any, check_object, has_perm, scope
from ombuds.registry.forms import apply_errors

from . import services
from .forms import (
    HONEYPOT,
    FeedbackSettingsForm,
    IncidentCloseForm,
    IncidentForm,
    IncidentReportedForm,
    InternalReportForm,
    PublicReportForm,
    ReportToIncidentForm,
    TriageForm,
)
from .models import (
    DEFAULT_RESPONSE_DAYS,
    FeedbackSettings,
    HarmCategory,
    Incident,
    IncidentStatus,
    Report,
    ReportKind,
    ReportStatus,
)

# A report is a few kilobytes of text: a bigger request body is refused before it is parsed.
PUBLIC_MAX_BODY = 64 * 1024


# --- incidents ---------------------------------------------------------------------------------


def _incident(request, pk: int, perm: str) -> Incident:
    incident = get_object_or_404(
        Incident.objects.select_related("agency", "reported_by", "closed_by", "created_by"), pk=pk
    )
    check_object(request.user, perm, incident.agency_id)
    return incident


def ordered_incidents(queryset, now):
    """Overdue reports to the authority first, then open ones by deadline, then the rest."""
    return queryset.annotate(
        urgency=Case(
            When(status=IncidentStatus.OPEN, report_due_at__lt=now, then=Value(0)),
            When(status=IncidentStatus.OPEN, report_due_at__isnull=False, then=Value(1)),
            When(status=IncidentStatus.OPEN, then=Value(2)),
            When(status=IncidentStatus.REPORTED, then=Value(3)),
            default=Value(4),
            output_field=IntegerField(),
        )
    ).order_by("urgency", F("report_due_at").asc(nulls_last=True), "-aware_at", "-id")


@access("incident.view")
def incident_list(request):
    check_any(request.user, "incident.view")
    now = timezone.now()
    incidents = scope(Incident.objects.select_related("agency"), request.user, "incident.view")
    status = request.GET.get("status", "")
    if status in IncidentStatus.values:
        incidents = incidents.filter(status=status)
    incidents = ordered_incidents(incidents, now).prefetch_related("systems")
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    for incident in page.object_list:
        incident.countdown = services.countdown(incident.report_due_at, now)
        incident.overdue = incident.is_overdue(now)
    return render(
        request,
        "feedback/incident_list.html",
        {
            "page": page,
            "status": status,
            "statuses": IncidentStatus.choices,
            "can_create": scope(Agency.objects.all(), request.user, "incident.edit", "id").exists(),
            "querystring": request.GET.copy(),
        },
    )


@access("incident.edit")
def incident_create(request):
    check_any(request.user, "incident.edit")
    agencies = scope(Agency.objects.all(), request.user, "incident.edit", field="id")
    initial = {"aware_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = IncidentForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "agency"}
        try:
            incident = services.create_incident(request.user, form.cleaned_data["agency"], values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recorded incident %(ref)s.") % {"ref": incident.reference})
            return redirect("incident_detail", pk=incident.pk)
    return render(request, "feedback/incident_form.html", {"form": form, "creating": True})


@access("incident.view")
def incident_detail(request, pk):
    incident = _incident(request, pk, "incident.view")
    now = timezone.now()
    can_edit = has_perm(request.user, "incident.edit", incident.agency_id)
    return render(
        request,
        "feedback/incident_detail.html",
        {
            "incident": incident,
            "systems": incident.systems.order_by("name"),
            "alerts": _alerts(incident),
            "reports": incident.reports.order_by("received_at"),
            "countdown": services.countdown(incident.report_due_at, now),
            "overdue": incident.is_overdue(now),
            "can_edit": can_edit,
            "can_report": can_edit and incident.status == IncidentStatus.OPEN,
            "can_close": can_edit
            and incident.status != IncidentStatus.CLOSED
            and (not incident.is_serious or incident.status == IncidentStatus.REPORTED),
            "can_see_reports": has_perm(request.user, "report.view", incident.agency_id),
        },
    )


def _alerts(incident: Incident) -> list[dict]:
    found = services.agency_alerts(incident.agency, incident.alert_ids or [])
    return [{"id": i, "alert": found.get(i)} for i in incident.alert_ids or []]


@access("incident.edit")
def incident_edit(request, pk):
    incident = _incident(request, pk, "incident.edit")
    initial = {
        "title": incident.title,
        "description": incident.description,
        "systems": list(incident.systems.all()),
        "harm_category": incident.harm_category,
        "widespread": incident.widespread,
        "occurred_at": timezone.localtime(incident.occurred_at) if incident.occurred_at else None,
        "aware_at": timezone.localtime(incident.aware_at),
        "corrective_actions": incident.corrective_actions,
        "alert_ids": incident.alert_ids,
    }
    form = IncidentForm(request.POST or None, agency=incident.agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        for name in ("occurred_at", "aware_at"):
            # The form shows minutes: a moment kept to the second is unchanged if its minute is.
            stored = getattr(incident, name)
            if stored and values.get(name) == stored.replace(second=0, microsecond=0):
                values.pop(name)
        try:
            services.update_incident(request.user, incident, values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("incident_detail", pk=incident.pk)
    return render(request, "feedback/incident_form.html", {"form": form, "incident": incident})


@access("incident.edit")
def incident_reported(request, pk):
    incident = _incident(request, pk, "incident.edit")
    if incident.status != IncidentStatus.OPEN:
        messages.info(request, _("This incident is no longer open."))
        return redirect("incident_detail", pk=incident.pk)
    form = IncidentReportedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mark_reported(
                request.user,
                incident,
                authority=data["authority"],
                authority_reference=data["authority_reference"],
                reported_at=data["reported_at"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recorded the report to the authority."))
            return redirect("incident_detail", pk=incident.pk)
    return render(
        request,
        "feedback/incident_action.html",
        {
            "incident": incident,
            "form": form,
            "heading": _("Record the report to the authority"),
            "button": _("Record"),
            "countdown": services.countdown(incident.report_due_at),
        },
    )


@access("incident.edit")
def incident_close(request, pk):
    incident = _incident(request, pk, "incident.edit")
    form = IncidentCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_incident(request.user, incident, form.cleaned_data["closing_note"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Closed incident %(ref)s.") % {"ref": incident.reference})
            return redirect("incident_detail", pk=incident.pk)
    return render(
        request,
        "feedback/incident_action.html",
        {
            "incident": incident,
            "form": form,
            "heading": _("Close the incident"),
            "button": _("Close the incident"),
        },
    )


# --- reports: staff ----------------------------------------------------------------------------


def _report(request, pk: int, perm: str) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("agency", "system", "submitted_by", "incident"), pk=pk
    )
    check_object(request.user, perm, report.agency_id)
    return report


@access("report.view")
def report_list(request):
    check_any(request.user, "report.view")
    now = timezone.now()
    reports = services.visible_reports(request.user)
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        reports = reports.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in ReportKind.values:
        reports = reports.filter(kind=kind)
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        reports = reports.filter(services.overdue_filter(now))
    reports = reports.annotate(
        urgency=Case(
            When(services.overdue_filter(now), then=Value(0)),
            When(status=ReportStatus.RECEIVED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("urgency", "respond_by", "-received_at", "-id")
    page = Paginator(reports.defer("description"), 50).get_page(request.GET.get("page"))
    for report in page.object_list:
        report.countdown = (
            services.countdown(report.respond_by, now)
            if report.status == ReportStatus.RECEIVED
            else None
        )
    return render(
        request,
        "feedback/report_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "overdue_only": overdue_only,
            "statuses": ReportStatus.choices,
            "kinds": ReportKind.choices,
            "querystring": request.GET.copy(),
            "can_settings": [
                a
                for a in scope(
                    Agency.objects.all(), request.user, "report.settings", "id"
                ).order_by("name")
            ],
        },
    )


@access("report.create")
def report_create(request):
    check_any(request.user, "report.create")
    agencies = scope(Agency.objects.all(), request.user, "report.create", field="id")
    form = InternalReportForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report, raw = services.submit_internal_report(
                request.user,
                agency=data["agency"],
                system=data["system"],
                kind=data["kind"],
                description=data["description"],
                contact_email=data["contact_email"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            link = request.build_absolute_uri(services.status_path(report, raw))
            response = render(
                request, "feedback/report_created.html", {"report": report, "link": link}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "feedback/report_form.html", {"form": form})


@access("report.view")
def report_detail(request, pk):
    report = _report(request, pk, "report.view")
    now = timezone.now()
    can_triage = has_perm(request.user, "report.triage", report.agency_id)
    return render(
        request,
        "feedback/report_detail.html",
        {
            "report": report,
            "events": report.events.select_related("actor").order_by("at", "id"),
            "countdown": services.countdown(report.respond_by, now)
            if report.status == ReportStatus.RECEIVED
            else None,
            "overdue": report.is_overdue(now),
            "can_triage": can_triage,
            "triage_form": TriageForm(report=report) if can_triage else None,
            "can_open_incident": can_triage
            and not report.incident_id
            and has_perm(request.user, "incident.edit", report.agency_id),
            "can_see_incident": has_perm(request.user, "incident.view", report.agency_id),
        },
    )


@access("report.triage")
def report_triage(request, pk):
    report = _report(request, pk, "report.triage")
    form = TriageForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.triage(
                request.user, report, data["to_status"], data["note"], data["public_response"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recorded the triage step."))
            return redirect("report_detail", pk=report.pk)
    return render(request, "feedback/report_triage.html", {"report": report, "form": form})


@access("report.triage")
def report_incident(request, pk):
    report = _report(request, pk, "report.triage")
    check_object(request.user, "incident.edit", report.agency_id)
    if report.incident_id:
        messages.info(request, _("This report is already linked to an incident."))
        return redirect("incident_detail", pk=report.incident_id)
    initial = {
        "title": _("%(kind)s reported in %(ref)s")
        % {"kind": report.get_kind_display(), "ref": report.reference},
        "aware_at": timezone.localtime(report.received_at).replace(second=0, microsecond=0),
        "harm_category": HarmCategory.OTHER,
    }
    form = ReportToIncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.report_to_incident(
                request.user,
                report,
                title=data["title"],
                harm_category=data["harm_category"],
                widespread=data["widespread"],
                aware_at=data["aware_at"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Opened incident %(inc)s from report %(ref)s.")
                % {"inc": incident.reference, "ref": report.reference},
            )
            return redirect("incident_detail", pk=incident.pk)
    return render(request, "feedback/report_incident.html", {"report": report, "form": form})


@access("report.settings")
def feedback_settings(request, slug):
    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, "report.settings", agency.pk)
    current = services.response_days(agency)
    form = FeedbackSettingsForm(request.POST or None, initial={"response_days": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(request.user, agency, form.cleaned_data["response_days"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("report_list")
    return render(request, "feedback/settings_form.html", {"agency": agency, "form": form})


# --- public pages ------------------------------------------------------------------------------


@access("public")
def public_report(request):
    if request.method == "POST":
        refusal = screened(request, HONEYPOT, PUBLIC_MAX_BODY)
        if refusal == "too_large":
            return render(
                request,
                "feedback/public/refused.html",
                {
                    "reason": _(
                        "The report is too long to be sent. Please shorten the description to "
                        "at most %(n)d characters and send it again."
                    )
                    % {"n": services.MAX_DESCRIPTION}
                },
                status=413,
            )
        if refusal == "honeypot":
            return render(
                request,
                "feedback/public/refused.html",
                {
                    "reason": _(
                        "A field meant to stay empty was filled in, as automated programs do. "
                        "Nothing was sent. If you are a person, please go back and send the "
                        "report again."
                    )
                },
                status=400,
            )
    form = PublicReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report, raw = services.submit_public_report(
                agency=data["agency"],
                system=data["system"],
                kind=data["kind"],
                description=data["description"],
                contact_email=data["contact_email"],
                client_address=client_address(request),
                base_url=request.build_absolute_uri("/"),
            )
        except services.RateLimited as exc:
            response = render(
                request,
                "feedback/public/refused.html",
                {
                    "reason": _(
                        "Too many reports were sent from your network in the last hour. Please "
                        "try again in %(minutes)d minutes; nothing was lost from earlier reports."
                    )
                    % {"minutes": max(1, (exc.retry_after + 59) // 60)}
                    if exc.scope == "address"
                    else _(
                        "The service is receiving unusually many reports. Please try again in "
                        "an hour."
                    )
                },
                status=429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            link = request.build_absolute_uri(services.status_path(report, raw))
            return private_page(
                render(
                    request,
                    "feedback/public/report_received.html",
                    {"report": report, "link": link},
                )
            )
    return render(
        request,
        "feedback/public/report_form.html",
        {"form": form, "honeypot": HONEYPOT},
        status=400 if form.is_bound else 200,
    )


def _status_page(request, reference: str, token: str | None):
    if not token:
        return private_page(
            render(
                request,
                "feedback/public/report_lookup.html",
                {"reference": services.normalise_reference(reference)[:12]},
            )
        )
    report = services.find_for_reporter(reference, token)
    if report is None:
        raise Http404
    return private_page(
        render(
            request,
            "feedback/public/report_status.html",
            {
                "report": report,
                "responses": services.public_responses(report),
                "statuses": [
                    (code, label, code == report.status)
                    for code, label in ReportStatus.choices
                    if code != ReportStatus.NOT_REPRODUCIBLE or report.status == code
                ],
            },
        )
    )


@access("public")
def public_report_status(request, reference):
    return _status_page(request, reference, request.GET.get("token", "").strip())


@access("public")
def public_report_status_token(request, reference, token):
    return _status_page(request, reference, token)


@access("public")
def disclosure_policy(request):
    agencies = list(Agency.objects.order_by("name").only("name"))
    days = dict(FeedbackSettings.objects.values_list("agency_id", "response_days"))
    return render(
        request,
        "feedback/public/disclosure_policy.html",
        {
            "default_days": DEFAULT_RESPONSE_DAYS,
            "agencies": [(a.name, days.get(a.pk, DEFAULT_RESPONSE_DAYS)) for a in agencies],
            "report_url": reverse("public_report"),
        },
    )


@access("public")
def security_txt(request):
    """RFC 9116. Served as it is, never redirected, as plain text."""
    expires = (timezone.now() + timedelta(days=365)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    lines = [
        "# Report security vulnerabilities, misuse or harm caused by the AI systems of the",
        "# agencies on this site through the form below. No account is needed.",
        f"Contact: {request.build_absolute_uri(reverse('public_report'))}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Policy: {request.build_absolute_uri(reverse('disclosure_policy'))}",
        "Preferred-Languages: en, fr, es",
        f"Canonical: {request.build_absolute_uri(reverse('security_txt'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "max-age=86400"
    return response
