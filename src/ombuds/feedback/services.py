"""Incidents and reports: permission, validation, the change and its audit event together.

Every function takes `now` so that deadlines can be tested at any moment without waiting. The
audit log keeps references and facts only: never a reporter's words, address or e-mail, and never
the free text of an incident (which may name the people harmed) — only that it changed.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from ombuds.core import audit, intake
from ombuds.core.intake import RateLimited, normalise_reference
from ombuds.core.models import Agency
from ombuds.core.permissions import check_object, has_perm
from ombuds.core.roles import GOVERNANCE_LEAD, SYSTEM_OWNER
from ombuds.core.validation import check_text
from ombuds.registry.models import AISystem

from .models import (
    DEFAULT_RESPONSE_DAYS,
    NEXT_STATUSES,
    SERIOUS_CATEGORIES,
    Channel,
    FeedbackSettings,
    HarmCategory,
    Incident,
    IncidentStatus,
    Report,
    ReportEvent,
    ReportKind,
    ReportStatus,
    reporting_deadline,
)

log = logging.getLogger("ombuds.feedback")

MAX_TITLE = 200
MAX_TEXT = 20_000  # incident descriptions, corrective actions, notes
MAX_DESCRIPTION = 5000  # what a reporter may write
MAX_RESPONSE = 5000
MAX_ALERTS = 100


# --- shared helpers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Countdown:
    """How a deadline stands at a moment: days left, due today, or days overdue."""

    due: datetime
    overdue: bool
    days: int  # days left when not overdue; days overdue when overdue (0: overdue since today)

    @property
    def today(self) -> bool:
        return not self.overdue and self.days == 0


def countdown(due: datetime | None, now: datetime | None = None) -> Countdown | None:
    """Calendar days in the site's time zone between now and a deadline."""
    if due is None:
        return None
    now = now or timezone.now()
    due_day = timezone.localtime(due).date()
    today = timezone.localtime(now).date()
    if due < now:
        return Countdown(due, True, (today - due_day).days)
    return Countdown(due, False, (due_day - today).days)


_text = intake.clean_text


def _users_with_role(agency_id: int, roles: set[str]) -> list:
    user_model = get_user_model()
    return list(
        user_model.objects.filter(
            memberships__agency_id=agency_id, memberships__role__in=roles, is_active=True
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _base_url(base_url: str | None) -> str:
    """Links in e-mails need the site's address: the request's, else OMBUDS_BASE_URL."""
    base = (
        base_url
        or getattr(settings, "OMBUDS_BASE_URL", "")
        or os.environ.get("OMBUDS_BASE_URL", "")
    )
    return base.rstrip("/")


def _mail(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    body = render_to_string(template, context)
    send_mail(subject, body, None, recipients, fail_silently=False)


# --- incidents ---------------------------------------------------------------------------------

INCIDENT_FIELDS = [
    "title",
    "description",
    "systems",
    "harm_category",
    "widespread",
    "occurred_at",
    "aware_at",
    "corrective_actions",
    "alert_ids",
]
TEXT_FIELDS = {"title", "description", "corrective_actions"}


def _clean_incident(agency: Agency, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    unknown = set(values) - set(INCIDENT_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set.") for f in sorted(unknown)})
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    limits = {"title": MAX_TITLE, "description": MAX_TEXT, "corrective_actions": MAX_TEXT}
    for name, limit in limits.items():
        if name in values:
            clean[name] = _text(errors, name, values[name], limit, name != "corrective_actions")
    if "harm_category" in values:
        if values["harm_category"] not in HarmCategory.values:
            errors["harm_category"] = _("Choose one of the harm categories.")
        clean["harm_category"] = values["harm_category"]
    if "widespread" in values:
        clean["widespread"] = bool(values["widespread"])
    for name in ("occurred_at", "aware_at"):
        if name in values:
            value = values[name]
            if value is not None and not isinstance(value, datetime):
                errors[name] = _("Give a date and time.")
            elif value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value)
            if value is not None and not errors.get(name) and value > now + timedelta(minutes=5):
                errors[name] = _("This is in the future.")
            clean[name] = value
    if "aware_at" in values and clean.get("aware_at") is None and "aware_at" not in errors:
        errors["aware_at"] = _("Say when the agency became aware of the incident.")
    if "systems" in values:
        systems = list(values["systems"] or [])
        if not all(isinstance(s, AISystem) for s in systems):
            errors["systems"] = _("Choose systems of the register.")
        elif any(s.agency_id != agency.pk for s in systems):
            names = ", ".join(s.name for s in systems if s.agency_id != agency.pk)
            errors["systems"] = _(
                "An incident names systems of its own agency only (%(agency)s); not: %(names)s."
            ) % {"agency": agency.name, "names": names}
        clean["systems"] = systems
    if "alert_ids" in values:
        ids = values["alert_ids"] or []
        if (
            not isinstance(ids, list | tuple)
            or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids)
            or len(ids) > MAX_ALERTS
        ):
            errors["alert_ids"] = _("Give alert numbers (whole numbers), at most %(n)d.") % {
                "n": MAX_ALERTS
            }
        else:
            clean["alert_ids"] = sorted(set(ids))
            foreign = [i for i in clean["alert_ids"] if i not in agency_alerts(agency, ids)]
            if foreign:
                errors["alert_ids"] = _("Not alerts of %(agency)s: %(ids)s.") % {
                    "agency": agency.name,
                    "ids": ", ".join(f"#{i}" for i in foreign),
                }
    if not errors:
        check_text({k: v for k, v in clean.items() if isinstance(v, str)})
    if errors:
        raise ValidationError(errors)
    return clean


def _alert_model():
    """The monitoring app's alerts, when that app is installed: incidents name them by id."""
    try:
        return apps.get_model("monitoring", "Alert")
    except LookupError:
        return None


def agency_alerts(agency: Agency, ids) -> dict[int, Any]:
    """{id: alert} of the given ids that are alerts of the agency's systems."""
    model = _alert_model()
    if model is None:
        return {i: None for i in ids}
    found = model.objects.filter(pk__in=list(ids), system__agency_id=agency.pk)
    return {a.pk: a for a in found.select_related("system")}


def _check_consistency(incident: Incident) -> None:
    errors = {}
    if incident.widespread and incident.harm_category not in SERIOUS_CATEGORIES:
        errors["widespread"] = _(
            "A widespread infringement is a serious incident: choose the serious category it "
            "falls under."
        )
    if incident.occurred_at and incident.aware_at and incident.occurred_at > incident.aware_at:
        errors["occurred_at"] = _("It cannot have happened after the agency became aware of it.")
    if errors:
        raise ValidationError(errors)


def _incident_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed, with the free text reduced to the fact that it changed."""
    changes = audit.diff(before, after)
    for name in TEXT_FIELDS & set(changes):
        changes[name] = {"changed": True}
    return changes


def _incident_snapshot(incident: Incident, systems: list[int] | None = None) -> dict[str, Any]:
    snap = audit.snapshot(
        incident,
        [f for f in INCIDENT_FIELDS if f != "systems"] + ["report_due_at", "status"],
    )
    snap["systems"] = sorted(
        systems if systems is not None else incident.systems.values_list("pk", flat=True)
    )
    return snap


def create_incident(
    actor, agency: Agency, values: dict[str, Any], *, now: datetime | None = None
) -> Incident:
    now = now or timezone.now()
    if not has_perm(actor, "incident.edit", agency.pk):
        raise ValidationError({"agency": _("You may not record incidents for this agency.")})
    for needed in ("title", "description", "harm_category", "aware_at"):
        values.setdefault(needed, None)
    clean = _clean_incident(agency, values, now)
    systems = clean.pop("systems", [])
    incident = Incident(agency=agency, created_by=actor, created_at=now, **clean)
    incident.report_due_at = reporting_deadline(
        incident.harm_category, incident.widespread, incident.aware_at
    )
    _check_consistency(incident)
    with transaction.atomic():
        incident.save()
        incident.systems.set(systems)
        audit.record(
            actor=actor,
            action="incident.create",
            obj=incident,
            agency=agency,
            changes=_incident_changes({}, _incident_snapshot(incident, [s.pk for s in systems])),
        )
    return incident


def update_incident(
    actor, incident: Incident, values: dict[str, Any], *, now: datetime | None = None
) -> Incident:
    check_object(actor, "incident.edit", incident.agency_id)
    now = now or timezone.now()
    clean = _clean_incident(incident.agency, values, now)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().select_related("agency").get(pk=incident.pk)
        before = _incident_snapshot(incident)
        systems = clean.pop("systems", None)
        for name, value in clean.items():
            setattr(incident, name, value)
        incident.report_due_at = reporting_deadline(
            incident.harm_category, incident.widespread, incident.aware_at
        )
        _check_consistency(incident)
        after = _incident_snapshot(
            incident, [s.pk for s in systems] if systems is not None else before["systems"]
        )
        changes = _incident_changes(before, after)
        if changes:
            incident.save()
            if systems is not None:
                incident.systems.set(systems)
            audit.record(
                actor=actor,
                action="incident.update",
                obj=incident,
                agency=incident.agency,
                changes=changes,
            )
    return incident


def mark_reported(
    actor,
    incident: Incident,
    *,
    authority: str,
    authority_reference: str = "",
    reported_at: datetime | None = None,
    now: datetime | None = None,
) -> Incident:
    """Record that the incident was reported to the market surveillance authority."""
    check_object(actor, "incident.edit", incident.agency_id)
    now = now or timezone.now()
    errors: dict[str, Any] = {}
    authority = _text(errors, "authority", authority, 200, required=True)
    authority_reference = _text(errors, "authority_reference", authority_reference, 100)
    reported_at = reported_at or now
    if timezone.is_naive(reported_at):
        reported_at = timezone.make_aware(reported_at)
    if reported_at > now + timedelta(minutes=5):
        errors["reported_at"] = _("This is in the future.")
    elif reported_at < incident.aware_at:
        errors["reported_at"] = _("It cannot have been reported before the agency knew of it.")
    if errors:
        raise ValidationError(errors)
    check_text({"authority": authority, "authority_reference": authority_reference})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().select_related("agency").get(pk=incident.pk)
        if incident.status != IncidentStatus.OPEN:
            raise ValidationError(
                {
                    "status": _("Only an open incident can be reported; this one is %(s)s.")
                    % {"s": incident.get_status_display()}
                }
            )
        incident.status = IncidentStatus.REPORTED
        incident.authority = authority
        incident.authority_reference = authority_reference
        incident.reported_at = reported_at
        incident.reported_by = actor
        incident.save()
        audit.record(
            actor=actor,
            action="incident.report",
            obj=incident,
            agency=incident.agency,
            changes={
                "status": {"from": IncidentStatus.OPEN, "to": IncidentStatus.REPORTED},
                "authority": authority,
                "authority_reference": authority_reference,
                "reported_at": audit.snapshot(incident, ["reported_at"])["reported_at"],
                "report_due_at": audit.snapshot(incident, ["report_due_at"])["report_due_at"],
                "late": bool(incident.reported_late),
            },
        )
    return incident


def close_incident(
    actor, incident: Incident, note: str, *, now: datetime | None = None
) -> Incident:
    check_object(actor, "incident.edit", incident.agency_id)
    now = now or timezone.now()
    errors: dict[str, Any] = {}
    note = _text(errors, "closing_note", note, MAX_TEXT, required=True)
    if errors:
        raise ValidationError(errors)
    check_text({"closing_note": note})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().select_related("agency").get(pk=incident.pk)
        if incident.status == IncidentStatus.CLOSED:
            raise ValidationError({"status": _("The incident is already closed.")})
        if incident.is_serious and incident.status != IncidentStatus.REPORTED:
            raise ValidationError(
                {
                    "status": _(
                        "A serious incident is closed only after it has been reported to the "
                        "authority. If it is not serious after all, change its harm category first."
                    )
                }
            )
        before = incident.status
        incident.status = IncidentStatus.CLOSED
        incident.closed_at = now
        incident.closed_by = actor
        incident.closing_note = note
        incident.save()
        audit.record(
            actor=actor,
            action="incident.close",
            obj=incident,
            agency=incident.agency,
            changes={"status": {"from": before, "to": IncidentStatus.CLOSED}},
        )
    return incident


# --- reports: intake ---------------------------------------------------------------------------


def new_reference() -> str:
    return intake.new_reference("R")


def response_days(agency: Agency) -> int:
    found = FeedbackSettings.objects.filter(agency=agency).values_list("response_days", flat=True)
    return next(iter(found), DEFAULT_RESPONSE_DAYS)


def client_hash(address: str) -> str:
    """A keyed hash of the sender's network (see ombuds.core.intake.client_hash)."""
    return intake.client_hash(address, "ombuds.feedback.client")


def per_address_limit() -> int:
    return intake.hourly_limit("OMBUDS_REPORTS_PER_ADDRESS_PER_HOUR", 5)


def global_limit() -> int:
    return intake.hourly_limit("OMBUDS_REPORTS_PER_HOUR", 200)


def _check_rate(digest: str, now: datetime, agency_id: int | None = None) -> None:
    since = now - timedelta(hours=1)
    recent = Report.objects.filter(channel=Channel.PUBLIC, received_at__gte=since)
    # The overall cap is per agency: a flood aimed at one agency cannot silence the others.
    if recent.filter(agency_id=agency_id).count() >= global_limit():
        raise RateLimited("global", 3600)
    wait = intake.rate_limited(recent, "received_at", digest, now, per_address_limit())
    if wait is not None:
        raise RateLimited("address", wait)


def system_mismatch(system: AISystem | None, agency: Agency | None) -> str | None:
    if system is None or agency is None or system.agency_id == agency.pk:
        return None
    return _(
        "%(system)s belongs to %(owner)s, not to %(agency)s: choose it under its agency, or "
        "choose no particular system."
    ) % {"system": system.name, "owner": system.agency.name, "agency": agency.name}


def _clean_report(
    agency: Agency | None, system: AISystem | None, kind: str, description: str, contact: str
) -> tuple[str, str]:
    errors: dict[str, Any] = {}
    if agency is None:
        errors["agency"] = _("Choose the agency the report is about.")
    mismatch = system_mismatch(system, agency)
    if mismatch:
        errors["system"] = mismatch
    if kind not in ReportKind.values:
        errors["kind"] = _("Choose what you are reporting: a vulnerability, a misuse or a harm.")
    description = _text(errors, "description", description, MAX_DESCRIPTION, required=True)
    contact = _text(errors, "contact_email", contact, 254)
    if contact and "contact_email" not in errors:
        try:
            validate_email(contact)
        except ValidationError:
            errors["contact_email"] = _("Enter a valid e-mail address, or leave it empty.")
    if not errors:
        try:
            check_text({"description": description, "contact_email": contact})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return description, contact


def _create_report(
    *,
    agency: Agency,
    system: AISystem | None,
    kind: str,
    description: str,
    contact: str,
    channel: str,
    actor,
    digest: str,
    now: datetime,
) -> tuple[Report, str]:
    raw, digest_of_secret = intake.new_secret()
    report = Report(
        agency=agency,
        system=system,
        kind=kind,
        description=description,
        contact_email=contact,
        channel=channel,
        submitted_by=actor if actor is not None and actor.is_authenticated else None,
        client_hash=digest,
        token_digest=digest_of_secret,
        received_at=now,
        respond_by=now + timedelta(days=response_days(agency)),
    )
    report.reference = intake.unique_reference(Report, new_reference)
    report.save()
    audit.record(
        actor=actor,
        action="report.receive",
        obj=report,
        agency=agency,
        changes={
            "reference": report.reference,
            "kind": kind,
            "channel": channel,
            "system": system.pk if system else None,
            "respond_by": audit.snapshot(report, ["respond_by"])["respond_by"],
        },
    )
    return report, raw


def submit_public_report(
    *,
    agency: Agency | None,
    system: AISystem | None,
    kind: str,
    description: str,
    contact_email: str = "",
    client_address: str = "",
    now: datetime | None = None,
    base_url: str | None = None,
) -> tuple[Report, str]:
    """Receive a report from someone without an account; return it with its secret (shown once).

    Raises RateLimited when the sender, or everyone together, sent too many in the last hour."""
    now = now or timezone.now()
    description, contact = _clean_report(agency, system, kind, description, contact_email)
    digest = client_hash(client_address)
    with transaction.atomic():
        intake.serialise(intake.PUBLIC_INTAKE_LOCK)
        _check_rate(digest, now, agency.pk if agency else None)
        report, raw = _create_report(
            agency=agency,
            system=system,
            kind=kind,
            description=description,
            contact=contact,
            channel=Channel.PUBLIC,
            actor=None,
            digest=digest,
            now=now,
        )
    _after_receipt(report, raw, base_url)
    return report, raw


def submit_internal_report(
    actor,
    *,
    agency: Agency | None,
    system: AISystem | None,
    kind: str,
    description: str,
    contact_email: str = "",
    now: datetime | None = None,
    base_url: str | None = None,
) -> tuple[Report, str]:
    """A report entered by staff: their own, or one received by telephone, letter or at a desk."""
    now = now or timezone.now()
    if agency is not None and not has_perm(actor, "report.create", agency.pk):
        raise ValidationError({"agency": _("You may not enter reports for this agency.")})
    description, contact = _clean_report(agency, system, kind, description, contact_email)
    with transaction.atomic():
        report, raw = _create_report(
            agency=agency,
            system=system,
            kind=kind,
            description=description,
            contact=contact,
            channel=Channel.INTERNAL,
            actor=actor,
            digest="",
            now=now,
        )
    _after_receipt(report, raw, base_url)
    return report, raw


def status_path(report: Report, raw_token: str) -> str:
    return reverse("public_report_status_token", args=[report.reference, raw_token])


def _after_receipt(report: Report, raw_token: str, base_url: str | None) -> None:
    """Tell the agency's staff, and the reporter when they left an address. A mail server that
    fails loses no report: the report is kept and the failure logged."""
    base = _base_url(base_url)
    try:
        with override(settings.LANGUAGE_CODE):
            notify_staff_of_report(report, base)
    except Exception:
        log.exception("could not e-mail staff about report %s", report.reference)
    if report.contact_email:
        # In the language the reporter used the form in.
        try:
            _mail(
                _("Your report %(ref)s was received") % {"ref": report.reference},
                "feedback/email/receipt.txt",
                {
                    "report": report,
                    "link": base + status_path(report, raw_token),
                    "agency": report.agency,
                },
                [report.contact_email],
            )
        except Exception:
            log.exception("could not e-mail the reporter of %s", report.reference)


def report_recipients(report: Report) -> list[str]:
    """The agency's governance leads and, when a system is named, its agency's system owners."""
    roles = {GOVERNANCE_LEAD} | ({SYSTEM_OWNER} if report.system_id else set())
    return [u.email for u in _users_with_role(report.agency_id, roles)]


def notify_staff_of_report(report: Report, base_url: str = "") -> int:
    recipients = report_recipients(report)
    if not recipients:
        return 0
    _mail(
        _("New report %(ref)s: %(kind)s")
        % {"ref": report.reference, "kind": report.get_kind_display()},
        "feedback/email/new_report.txt",
        {
            "report": report,
            "link": base_url + reverse("report_detail", args=[report.pk]),
        },
        recipients,
    )
    return len(recipients)


# --- reports: the reporter's view --------------------------------------------------------------


def find_for_reporter(reference: str, raw_token: str) -> Report | None:
    """The report whose reference and secret both match, or None (the caller answers 404)."""
    return intake.find_by_secret(
        Report.objects.select_related("agency", "system"), normalise_reference(reference), raw_token
    )


def public_responses(report: Report) -> list[ReportEvent]:
    return [e for e in report.events.order_by("at", "id") if e.public_response.strip()]


# --- reports: triage ---------------------------------------------------------------------------


def allowed_next(report: Report) -> list[str]:
    return NEXT_STATUSES.get(report.status, [])


def triage(
    actor,
    report: Report,
    to_status: str,
    note: str,
    public_response: str = "",
    *,
    now: datetime | None = None,
) -> ReportEvent:
    """Move a report one step, with an internal note and, optionally, a response the reporter
    reads on their status page. `to_status` equal to the current status adds a note only."""
    check_object(actor, "report.triage", report.agency_id)
    now = now or timezone.now()
    errors: dict[str, Any] = {}
    note = _text(errors, "note", note, MAX_TEXT, required=True)
    public_response = _text(errors, "public_response", public_response, MAX_RESPONSE)
    if errors:
        raise ValidationError(errors)
    check_text({"note": note, "public_response": public_response})
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("agency").get(pk=report.pk)
        before = report.status
        if to_status != before and to_status not in allowed_next(report):
            choices = ", ".join(str(ReportStatus(s).label) for s in allowed_next(report))
            raise ValidationError(
                {
                    "to_status": _("From “%(now)s” a report can move to: %(choices)s.")
                    % {"now": report.get_status_display(), "choices": choices or "—"}
                }
            )
        report.status = to_status
        if to_status == ReportStatus.ACKNOWLEDGED and report.acknowledged_at is None:
            report.acknowledged_at = now
        if report.is_closed:
            report.closed_at = report.closed_at or now
        else:
            report.closed_at = None
        report.save()
        event = ReportEvent.objects.create(
            report=report,
            from_status=before,
            to_status=to_status,
            note=note,
            public_response=public_response,
            actor=actor,
            at=now,
        )
        audit.record(
            actor=actor,
            action="report.triage",
            obj=report,
            agency=report.agency,
            changes={
                "status": {"from": before, "to": to_status},
                "event": event.pk,
                "public_response": bool(public_response),
                "late": before == ReportStatus.RECEIVED and report.respond_by < now,
            },
        )
    return event


def report_to_incident(
    actor,
    report: Report,
    *,
    title: str,
    harm_category: str,
    aware_at: datetime | None = None,
    widespread: bool = False,
    description: str | None = None,
    now: datetime | None = None,
) -> Incident:
    """Open an incident from a report, in one step: the two point at each other and the
    report's history says so. The agency became aware when the report arrived, unless told."""
    check_object(actor, "report.triage", report.agency_id)
    check_object(actor, "incident.edit", report.agency_id)
    now = now or timezone.now()
    if report.incident_id:
        raise ValidationError(
            {
                "__all__": _("This report is already linked to incident INC-%(n)s.")
                % {"n": report.incident_id}
            }
        )
    values = {
        "title": title,
        "description": description
        if description is not None
        else _("Opened from report %(ref)s (%(kind)s).")
        % {"ref": report.reference, "kind": report.get_kind_display()},
        "harm_category": harm_category,
        "widespread": widespread,
        "aware_at": aware_at or report.received_at,
        "systems": [report.system] if report.system_id else [],
    }
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.incident_id:
            raise ValidationError(
                {
                    "__all__": _("This report is already linked to incident INC-%(n)s.")
                    % {"n": locked.incident_id}
                }
            )
        incident = create_incident(actor, report.agency, values, now=now)
        locked.incident = incident
        locked.save(update_fields=["incident"])
        ReportEvent.objects.create(
            report=locked,
            from_status=locked.status,
            to_status=locked.status,
            note=_("Opened incident %(ref)s from this report.") % {"ref": incident.reference},
            actor=actor,
            at=now,
        )
        audit.record(
            actor=actor,
            action="report.incident",
            obj=locked,
            agency=locked.agency,
            changes={"incident": incident.pk},
        )
    report.incident = incident
    return incident


def save_settings(actor, agency: Agency, response_days_value: int) -> FeedbackSettings:
    check_object(actor, "report.settings", agency.pk)
    if (
        not isinstance(response_days_value, int)
        or isinstance(response_days_value, bool)
        or not 1 <= response_days_value <= 90
    ):
        raise ValidationError({"response_days": _("Give a whole number of days from 1 to 90.")})
    with transaction.atomic():
        row, created = FeedbackSettings.objects.select_for_update().get_or_create(agency=agency)
        before = DEFAULT_RESPONSE_DAYS if created else row.response_days
        row.response_days = response_days_value
        row.updated_by = actor
        row.save()
        if before != response_days_value:
            audit.record(
                actor=actor,
                action="report.settings",
                obj=row,
                agency=agency,
                changes={"response_days": {"from": before, "to": response_days_value}},
                object_repr=f"report settings of {agency.slug}",
            )
    return row


# --- the scheduled job -------------------------------------------------------------------------


def overdue_reports(queryset=None, now: datetime | None = None):
    now = now or timezone.now()
    queryset = queryset if queryset is not None else Report.objects.all()
    return queryset.filter(status=ReportStatus.RECEIVED, respond_by__lt=now)


def escalate_overdue(now: datetime | None = None, base_url: str | None = None) -> list[int]:
    """E-mail each agency's governance leads about reports past their response deadline — once
    per report. Each agency's batch is claimed, mailed and marked in one transaction: a mail
    server that fails leaves the reports to the next run."""
    now = now or timezone.now()
    base = _base_url(base_url)
    escalated: list[int] = []
    failures: list[Exception] = []
    pending = overdue_reports(now=now).filter(escalated_at__isnull=True)
    for agency_id in sorted(set(pending.values_list("agency_id", flat=True))):
        try:
            escalated += _escalate_agency(pending, agency_id, now, base)
        except Exception as exc:  # one agency's failure must not hold back the others
            log.exception("could not escalate the overdue reports of agency %s", agency_id)
            failures.append(exc)
    if failures:
        raise failures[0]
    return escalated


def _escalate_agency(pending, agency_id: int, now: datetime, base: str) -> list[int]:
    """Claim, mark and mail one agency's overdue reports in one transaction."""
    with transaction.atomic():
        reports = list(
            pending.filter(agency_id=agency_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("agency", "system")
            .order_by("respond_by", "pk")
        )
        if not reports:
            return []
        recipients = [u.email for u in _users_with_role(agency_id, {GOVERNANCE_LEAD})]
        if not recipients:
            return []  # nobody to tell yet: stay pending, so the next run tries again
        for report in reports:
            report.escalated_at = now
            report.save(update_fields=["escalated_at"])
            audit.record(
                actor=None,
                action="report.escalate",
                obj=report,
                agency=report.agency,
                changes={
                    "respond_by": audit.snapshot(report, ["respond_by"])["respond_by"],
                    "recipients": len(recipients),
                },
            )
        if recipients:
            with override(settings.LANGUAGE_CODE):
                _mail(
                    ngettext(
                        "%(n)d report past its response deadline at %(agency)s",
                        "%(n)d reports past their response deadline at %(agency)s",
                        len(reports),
                    )
                    % {"n": len(reports), "agency": reports[0].agency.name},
                    "feedback/email/overdue_reports.txt",
                    {
                        "agency": reports[0].agency,
                        "reports": [
                            {
                                "report": r,
                                "link": base + reverse("report_detail", args=[r.pk]),
                                "late": countdown(r.respond_by, now),
                            }
                            for r in reports
                        ],
                    },
                    recipients,
                )
    return [r.pk for r in reports]


def forget_client_hashes(now: datetime | None = None) -> int:
    """The keyed hash of a sender's address serves the hourly rate limit only: drop it after a
    day."""
    return intake.forget_client_hashes(Report.objects, "received_at", now or timezone.now())


def scheduled_run() -> None:
    forget_client_hashes()
    escalate_overdue()


def visible_reports(user):
    from ombuds.core.permissions import scope

    return scope(Report.objects.select_related("agency", "system"), user, "report.view")


def overdue_filter(now: datetime) -> Q:
    return Q(status=ReportStatus.RECEIVED, respond_by__lt=now)
