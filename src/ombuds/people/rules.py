"""The rules of certification: expiry arithmetic, status per person and system, which modules a
system requires, and what the oversight design says in public. Plain functions, tested
without HTTP."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import modules as content

CERTIFIED, EXPIRING, EXPIRED, MISSING = "certified", "expiring", "expired", "missing"
# Worst first: a person's status on a system is the worst of their modules'.
ORDER = [MISSING, EXPIRED, EXPIRING, CERTIFIED]
LABELS = {
    CERTIFIED: gettext_lazy("Certified"),
    EXPIRING: gettext_lazy("Expiring soon"),
    EXPIRED: gettext_lazy("Expired"),
    MISSING: gettext_lazy("Missing"),
}
REMINDER_DAYS = (30, 7)


def expiring_days() -> int:
    return int(getattr(settings, "OMBUDS_TRAINING_EXPIRING_DAYS", 30))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; a day the target month lacks becomes its last day
    (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry(completed_on: dt.date, validity_months: int | None) -> dt.date | None:
    """The first day a certificate is no longer valid; None for a module taken once."""
    if validity_months is None:
        return None
    return add_months(completed_on, validity_months)


def status(expires_on: dt.date | None, today: dt.date, *, held: bool = True, window=None) -> str:
    """certified / expiring (within `window` days of expiry) / expired / missing."""
    if not held:
        return MISSING
    if expires_on is None:
        return CERTIFIED
    if today >= expires_on:
        return EXPIRED
    window = expiring_days() if window is None else window
    if (expires_on - today).days <= window:
        return EXPIRING
    return CERTIFIED


def worst(states) -> str:
    states = list(states)
    for s in ORDER:
        if s in states:
            return s
    return CERTIFIED


# --- modules of an agency and what a system requires -------------------------------------


@dataclass(frozen=True)
class Found:
    """A module as the app uses it: the parsed content and, for an agency's own, its row."""

    module: content.Module
    row: object | None = None

    @property
    def id(self) -> str:
        return self.module.id


def agency_modules(agency_id: int) -> dict[str, Found]:
    """Every module an agency's people can take: the shipped ones and the agency's own (an
    agency module with a shipped module's id replaces it for that agency)."""
    from .models import AgencyModule

    out = {mid: Found(m) for mid, m in content.shipped().items()}
    for row in AgencyModule.objects.filter(agency_id=agency_id, retired=False).prefetch_related(
        "systems"
    ):
        try:
            out[row.key] = Found(content.load(row.text, f"agency module {row.key}"), row)
        except content.ModuleError:
            continue  # validated on save; a row that no longer parses is skipped, not fatal
    return out


def find(agency_id: int, module_id: str) -> Found | None:
    return agency_modules(agency_id).get(module_id)


def required_modules(system, role: str | None = None) -> list[Found]:
    """The modules a system requires of its operators (of one role, when given): those whose
    rules match the system, and the agency's modules linked to it."""
    out = []
    for found in agency_modules(system.agency_id).values():
        module = found.module
        linked = found.row is not None and any(s.pk == system.pk for s in found.row.systems.all())
        if not linked and not module.required_for.applies(
            # Follows the determination: an undetermined system cannot pass the gate anyway
            # (registry.high-impact-determined), and requires the general modules once found
            # high-impact.
            high_impact=bool(system.is_high_impact),
            level=system.impact_level,
            sector=system.sector,
        ):
            continue
        if role is not None and module.required_for.roles and role not in module.required_for.roles:
            continue
        out.append(found)
    return sorted(out, key=lambda f: f.id)


def roles_in(user, agency_id: int) -> set[str]:
    return set(user.memberships.filter(agency_id=agency_id).values_list("role", flat=True))


def modules_for(user, system) -> list[Found]:
    """The modules this person must hold to operate this system, given their roles."""
    roles = roles_in(user, system.agency_id)
    out = {}
    for found in required_modules(system):
        need = found.module.required_for.roles
        if not need or roles & need or not roles:
            out[found.id] = found
    return sorted(out.values(), key=lambda f: f.id)


def latest_certificates(user) -> dict[str, object]:
    """The certificate that counts for each module: the one expiring last (never-expiring wins)."""
    from .models import Certificate

    best: dict[str, object] = {}
    for cert in Certificate.objects.filter(user=user).order_by("completed_on", "id"):
        held = best.get(cert.module)
        if (
            held is None
            or held.expires_on is not None
            and (cert.expires_on is None or cert.expires_on >= held.expires_on)
        ):
            best[cert.module] = cert
    return best


@dataclass
class ModuleStatus:
    found: Found
    state: str
    certificate: object | None

    @property
    def label(self) -> str:
        return str(LABELS[self.state])


def person_status(user, system, today: dt.date | None = None) -> list[ModuleStatus]:
    today = today or timezone.localdate()
    certs = latest_certificates(user)
    out = []
    for found in modules_for(user, system):
        cert = certs.get(found.id)
        state = status(cert.expires_on if cert else None, today, held=cert is not None)
        out.append(ModuleStatus(found, state, cert))
    return out


def overall(user, system, today: dt.date | None = None) -> str:
    return worst(s.state for s in person_status(user, system, today))


def recurring_needed(system) -> bool:
    """From impact level III training must be renewed. A high-impact (or undetermined) system
    without an approved level is taken at level IV, as the gate does."""
    level = system.impact_level
    if level is None:
        level = 4 if system.is_high_impact is not False else 1
    return level >= 3


def missing_for(user, system, today: dt.date | None = None) -> list[str]:
    """Titles of the modules this person lacks (missing or expired) for this system."""
    return [
        s.found.module.title
        for s in person_status(user, system, today)
        if s.state in (MISSING, EXPIRED)
    ]


# --- human oversight in public ----------------------------------------------------------


def oversight_public(system) -> dict | None:
    """What the public record and the system page show of the oversight design, or None when
    none is written. Names of staff are never part of it."""
    from .models import OversightDesign

    design = OversightDesign.objects.filter(system=system).first()
    if design is None:
        return None
    return {
        "mode": design.mode,
        "mode_label": str(design.get_mode_display()),
        "override": design.override_how or design.override_who,
        "override_who": design.override_who,
        "escalation": design.escalation,
        "fallback": design.fallback,
        "limits_communication": design.limits_communication,
        "updated_at": design.updated_at.date().isoformat(),
    }
