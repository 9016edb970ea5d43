"""E-mails about what the public sends: to the staff who must act, and a receipt with the
secret status link to the person when they left an e-mail address. A mail server that fails
loses nothing: the request is kept and the failure logged."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from ombuds.core.roles import CASE_WORKER, GOVERNANCE_LEAD, SYSTEM_OWNER

log = logging.getLogger("ombuds.transparency")


def _base(base_url: str) -> str:
    return (base_url or getattr(settings, "OMBUDS_BASE_URL", "") or "").rstrip("/")


def staff_emails(agency_id: int, roles: set[str]) -> list[str]:
    users = get_user_model().objects.filter(
        memberships__agency_id=agency_id, memberships__role__in=roles, is_active=True
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    if recipients:
        send_mail(subject, render_to_string(template, context), None, recipients)


def error_status_path(report, raw: str) -> str:
    return reverse("public_record_error_status", args=[report.reference, raw])


def optout_status_path(request, raw: str) -> str:
    return reverse("public_optout_status", args=[request.reference, raw])


def record_error_received(report, raw: str, base_url: str = "") -> None:
    """Routed to the system's owners and the agency's governance leads."""
    base = _base(base_url)
    system = report.system
    try:
        with override(settings.LANGUAGE_CODE):
            _send(
                _("Error reported in the public record of %(name)s (%(ref)s)")
                % {"name": system.name, "ref": report.reference},
                "transparency/email/record_error_staff.txt",
                {
                    "report": report,
                    "system": system,
                    "link": base + reverse("record_error_detail", args=[system.pk, report.pk]),
                },
                staff_emails(system.agency_id, {SYSTEM_OWNER, GOVERNANCE_LEAD}),
            )
    except Exception:
        log.exception("could not e-mail staff about record error %s", report.reference)
    if report.contact_email:
        try:
            _send(
                _("Your report %(ref)s was received") % {"ref": report.reference},
                "transparency/email/receipt.txt",
                {"reference": report.reference, "link": base + error_status_path(report, raw)},
                [report.contact_email],
            )
        except Exception:
            log.exception("could not e-mail the sender of %s", report.reference)


def optout_received(request, raw: str, base_url: str = "") -> None:
    base = _base(base_url)
    system = request.system
    try:
        with override(settings.LANGUAGE_CODE):
            _send(
                _("Opt-out request %(ref)s for %(name)s")
                % {"name": system.name, "ref": request.reference},
                "transparency/email/optout_staff.txt",
                {
                    "request": request,
                    "system": system,
                    "link": base + reverse("optout_detail", args=[system.pk, request.pk]),
                },
                staff_emails(system.agency_id, {CASE_WORKER, SYSTEM_OWNER, GOVERNANCE_LEAD}),
            )
    except Exception:
        log.exception("could not e-mail staff about opt-out request %s", request.reference)
    if request.contact_email:
        try:
            _send(
                _("Your request %(ref)s was received") % {"ref": request.reference},
                "transparency/email/receipt.txt",
                {"reference": request.reference, "link": base + optout_status_path(request, raw)},
                [request.contact_email],
            )
        except Exception:
            log.exception("could not e-mail the sender of %s", request.reference)
