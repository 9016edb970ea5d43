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
    systems: frozenset[int] = frozenset()

    @property
    def id(self) -> str:
        return self.module.id


# Parsed agency modules by (row id, updated_at): a page that shows twenty systems parses each
# module once, and a changed module (updated_at moves) is parsed again.
_PARSED: dict[tuple[int, object, int], content.Module | None] = {}
_PARSED_MAX = 2000


def _parsed(row) -> content.Module | None:
    # The text's hash too: a row changed without touching updated_at is never served stale.
    key = (row.pk, row.updated_at, hash(row.text))
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        try:
            _PARSED[key] = content.load(row.text, f"agency module {row.key}")
        except content.ModuleError:
            _PARSED[key] = None  # validated on save; a row that no longer parses is skipped
    return _PARSED[key]


def agency_modules(agency_id: int) -> dict[str, Found]:
    """Every module an agency's people can take: the shipped ones and the agency's own (an
    agency module with a shipped module's id replaces it for that agency)."""
    from .models import AgencyModule

    out = {mid: Found(m) for mid, m in content.shipped().items()}
    for row in AgencyModule.objects.filter(agency_id=agency_id, retired=False).prefetch_related(
        "systems"
    ):
        module = _parsed(row)
        if module is not None:
            out[row.key] = Found(module, row, frozenset(s.pk for s in row.systems.all()))
    return out


def find(agency_id: int, module_id: str) -> Found | None:
    return agency_modules(agency_id).get(module_id)


def _required(catalogue: dict[str, Found], system, role: str | None = None) -> list[Found]:
    out = []
    for found in catalogue.values():
        module = found.module
        linked = system.pk in found.systems
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


def required_modules(system, role: str | None = None) -> list[Found]:
    """The modules a system requires of the people who act on it (of one role, when given:
    only for listings such as "modules for my role"), those whose rules match the system, and
    the agency's modules linked to it."""
    return _required(agency_modules(system.agency_id), system, role)


# Whoever is assigned to a system, or asked about through the qualification rule, acts on
# it: the modules meant for operators and case workers apply to them whatever their role in
# the agency (a governance lead deciding appeals is held to the operators' training).
ACTING = frozenset({"operator", "case_worker"})


def _for_person(required: list[Found], roles: set[str]) -> list[Found]:
    acting = ACTING | set(roles)
    return [
        f
        for f in required
        if not f.module.required_for.roles or acting & f.module.required_for.roles
    ]


def roles_in(user, agency_id: int) -> set[str]:
    return set(user.memberships.filter(agency_id=agency_id).values_list("role", flat=True))


def modules_for(user, system) -> list[Found]:
    """The modules this person must hold to act on this system (operate it, review its
    outputs or its appeals)."""
    return _for_person(required_modules(system), roles_in(user, system.agency_id))


def recurring_needed(system) -> bool:
    """From impact level III training must be renewed. A high-impact (or undetermined) system
    without an approved level is taken at level IV, as the gate does."""
    level = system.impact_level
    if level is None:
        level = 4 if system.is_high_impact is not False else 1
    return level >= 3


def valid_until(cert, module: content.Module) -> dt.date | None:
    """A certificate's expiry as the module stands now (a validity period added later applies
    to certificates issued before); None: it does not expire."""
    return expiry(cert.completed_on, module.validity_months)


def accepted(cert, module: content.Module, *, recurring: bool = False) -> bool:
    """Whether a certificate can count for the module at all: of an accepted version, and
    with an expiry when the system requires recurring training."""
    if cert.module_version < module.min_accepted_version:
        return False
    return not (recurring and valid_until(cert, module) is None)


def counting(certs, module: content.Module, *, recurring: bool = False):
    """The certificate that counts among a person's certificates for one module: an accepted
    one expiring last (a never-expiring one wins where it is accepted); None when none is."""
    best, best_until = None, None
    for cert in certs:
        if cert.module != module.id or not accepted(cert, module, recurring=recurring):
            continue
        until = valid_until(cert, module)
        if best is None or best_until is not None and (until is None or until >= best_until):
            best, best_until = cert, until
    return best


def latest_certificates(user, catalogue: dict[str, Found] | None = None) -> dict[str, object]:
    """The certificate that counts for each module the person holds (among `catalogue`, when
    given, judged by the module as it is now; otherwise by the expiry recorded at issue)."""
    from .models import Certificate

    certs = list(Certificate.objects.filter(user=user).order_by("completed_on", "id"))
    best: dict[str, object] = {}
    if catalogue is not None:
        by_module: dict[str, list] = {}
        for cert in certs:
            by_module.setdefault(cert.module, []).append(cert)
        for mid, items in by_module.items():
            found = catalogue.get(mid)
            if found is not None:
                cert = counting(items, found.module)
                if cert is not None:
                    best[mid] = cert
        return best
    for cert in certs:
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
    expires_on: dt.date | None = None

    @property
    def label(self) -> str:
        return str(LABELS[self.state])


class Ledger:
    """What status needs for one agency, loaded once per page or request: the agency's modules,
    and for the people asked about their certificates and roles (one query each, however
    many systems and people the page shows)."""

    def __init__(self, agency_id: int, today: dt.date | None = None):
        self.agency_id = agency_id
        self.today = today or timezone.localdate()
        self.catalogue = agency_modules(agency_id)
        self._certs: dict[int, list] = {}
        self._roles: dict[int, set[str]] = {}

    def load(self, user_ids) -> None:
        """Certificates and roles of these people, in two queries."""
        from ombuds.core.models import Membership

        from .models import Certificate

        wanted = [u for u in set(user_ids) if u not in self._certs]
        if not wanted:
            return
        for u in wanted:
            self._certs[u], self._roles[u] = [], set()
        for cert in Certificate.objects.filter(user_id__in=wanted).order_by("completed_on", "id"):
            self._certs[cert.user_id].append(cert)
        for uid, role in Membership.objects.filter(
            user_id__in=wanted, agency_id=self.agency_id
        ).values_list("user_id", "role"):
            self._roles[uid].add(role)

    def certificates(self, user) -> list:
        self.load([user.pk])
        return self._certs[user.pk]

    def is_member(self, user) -> bool:
        self.load([user.pk])
        return bool(self._roles[user.pk])

    def required(self, system, role: str | None = None) -> list[Found]:
        return _required(self.catalogue, system, role)

    def modules_for(self, user, system) -> list[Found]:
        self.load([user.pk])
        return _for_person(self.required(system), self._roles[user.pk])

    def person_status(self, user, system) -> list[ModuleStatus]:
        recurring = recurring_needed(system)
        certs = self.certificates(user)
        out = []
        for found in self.modules_for(user, system):
            cert = counting(certs, found.module, recurring=recurring)
            until = valid_until(cert, found.module) if cert else None
            state = status(until, self.today, held=cert is not None)
            out.append(ModuleStatus(found, state, cert, until))
        return out

    def overall(self, user, system) -> str:
        return worst(s.state for s in self.person_status(user, system))

    def missing_for(self, user, system) -> list[str]:
        return [
            s.found.module.title
            for s in self.person_status(user, system)
            if s.state in (MISSING, EXPIRED)
        ]

    def certificate_state(self, cert) -> tuple[str | None, dt.date | None, bool]:
        """(title, expiry as the module stands now, whether it counts at all) for a
        certificate of this agency's catalogue; title None for another agency's module."""
        found = self.catalogue.get(cert.module)
        if found is None:
            return None, cert.expires_on, False
        return found.module.title, valid_until(cert, found.module), accepted(cert, found.module)


def person_status(user, system, today: dt.date | None = None) -> list[ModuleStatus]:
    return Ledger(system.agency_id, today).person_status(user, system)


def overall(user, system, today: dt.date | None = None) -> str:
    return worst(s.state for s in person_status(user, system, today))


def missing_for(user, system, today: dt.date | None = None) -> list[str]:
    """Titles of the modules this person lacks (missing or expired) for this system."""
    return Ledger(system.agency_id, today).missing_for(user, system)


# --- human oversight in public ----------------------------------------------------------


def oversight_public(system) -> dict | None:
    """What the public record and the system page show of the oversight design, or None when
    none is written. Names of staff are never part of it: "override" is how an override is
    made, never who may make it (that text may name people)."""
    from .models import OversightDesign

    design = OversightDesign.objects.filter(system=system).first()
    if design is None:
        return None
    return {
        "mode": design.mode,
        "mode_label": str(design.get_mode_display()),
        "override": design.override_how,
        "escalation": design.escalation,
        "fallback": design.fallback,
        "limits_communication": design.limits_communication,
        "updated_at": design.updated_at.date().isoformat(),
    }


def oversight_staff(system) -> dict | None:
    """The design as staff pages show it: the public part and who may override."""
    from .models import OversightDesign

    out = oversight_public(system)
    if out is not None:
        out["override_who"] = (
            OversightDesign.objects.filter(system=system).values_list("override_who", flat=True)
        ).first() or ""
    return out
