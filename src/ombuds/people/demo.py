"""Demo data for the flagship system: its operator and case worker certified and assigned, and
its human-oversight design written. Called by the demo command (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import rules, services
from .models import Certificate, OversightDesign, Source

OVERSIGHT = {
    "mode": "in_the_loop",
    "override_who": (
        "Every case worker trained on the system decides each claim; the system only "
        "recommends. Reviewers of appeals are trained case workers who did not decide the claim."
    ),
    "override_how": (
        "In the case system, choose a different outcome from the recommendation and write the "
        "reason in one or two sentences. No approval is needed; overrides are reviewed monthly "
        "to learn where the system errs."
    ),
    "escalation": (
        "A doubtful case or a pattern of wrong recommendations goes to the team lead the same "
        "day, then to the system owner. Suspected harm to claimants goes straight to the "
        "governance lead, who can suspend the system at once."
    ),
    "fallback": (
        "If the system is suspended, claims return to the manual eligibility check used before "
        "it: each claim is read in full by a case worker, with a note that no recommendation was "
        "used. Statutory deadlines still apply; team leads redistribute work if needed."
    ),
    "limits_communication": (
        "Operators take the four general modules and read the system card's known limits "
        "(recent arrivals, irregular income) before first use; each recommendation shows the "
        "inputs that weighed most, and changes to the model are announced in a short briefing."
    ),
}


def _certify(user, system, recorder, completed_on: dt.date) -> None:
    held = rules.latest_certificates(user)
    for found in rules.modules_for(user, system):
        if found.id in held:
            continue
        Certificate.objects.create(
            user=user,
            module=found.id,
            module_version=found.module.version,
            completed_on=completed_on,
            expires_on=rules.expiry(completed_on, found.module.validity_months),
            score=100,
            source=Source.IMPORT,
            recorded_by=recorder,
        )


def evidence(system, people: dict) -> None:
    """Certify and assign the demo operator (decisions) and case worker (appeal reviews); write
    the oversight design. The case worker's automation-bias certificate is close to expiry, so
    the compliance view has something to show."""
    lead = people.get("governance-lead")
    owner = people.get("system-owner") or lead
    today = timezone.localdate()
    for username, duty, completed in (
        ("operator", "decisions", today - dt.timedelta(days=60)),
        ("case-worker", "reviews", rules.add_months(today, -12) + dt.timedelta(days=20)),
    ):
        user = people.get(username)
        if user is None:
            continue
        _certify(user, system, lead, completed)
        services.assign(owner, system, user, duty)
    if not OversightDesign.objects.filter(system=system).exists():
        services.save_oversight(owner, system, OVERSIGHT)
