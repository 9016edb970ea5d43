"""Telling people: alerts and suspensions reach the system's owners and the agency's governance
leads in the app (the alert list) and by e-mail."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _

from ombuds.core.roles import GOVERNANCE_LEAD, SYSTEM_OWNER

log = logging.getLogger("ombuds.monitoring")


def recipients(agency) -> list[str]:
    users = get_user_model().objects.filter(
        memberships__agency=agency,
        memberships__role__in=[SYSTEM_OWNER, GOVERNANCE_LEAD],
        is_active=True,
    )
    return sorted({u.email for u in users if u.email})


def _send(messages) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the alert is on record in the app; mail is a courtesy
        log.exception("could not send monitoring e-mail")


def alerts(created) -> None:
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        _alerts(created)


def _alerts(created) -> None:
    by_system: dict = {}
    for alert in created:
        by_system.setdefault(alert.system, []).append(alert)
    messages = []
    for system, items in by_system.items():
        to = recipients(system.agency)
        if not to:
            continue
        worst = "critical" if any(a.severity == "critical" for a in items) else "warning"
        if worst == "critical":
            subject = _("[Ombuds] critical alert: %(system)s") % {"system": system.name}
        else:
            subject = _("[Ombuds] warning alert: %(system)s") % {"system": system.name}
        body = "\n\n".join(a.message for a in items)
        if worst == "critical":
            body += "\n\n" + _(
                "A critical alert means suspension is recommended: a governance lead can suspend "
                "the system in one action from its monitoring page."
            )
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, to))
    if messages:
        _send(messages)


def suspended(system, reason: str, actor) -> None:
    to = recipients(system.agency)
    if not to:
        return
    subject = _("[Ombuds] Suspended: %(system)s") % {"system": system.name}
    body = _(
        "%(who)s suspended %(system)s.\n\nReason: %(reason)s\n\nIt can resume only through the "
        "gate."
    ) % {"who": actor.get_username(), "system": system.name, "reason": reason}
    _send([(subject, body, settings.DEFAULT_FROM_EMAIL, to)])
