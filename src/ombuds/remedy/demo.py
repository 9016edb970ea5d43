"""Demo data for remedy: the flagship's appeal route, then a few notices and appeals in several
states (one overturned with its remedy). Called by `ombuds demo`; safe to call twice."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import services
from .models import Notice


def evidence(system, people: dict) -> None:
    """What the gate's `remedy.appeal-route` asks: policy, template and a public contact."""
    from ombuds.registry.models import AISystem

    lead = people["governance-lead"]
    if not (system.public_contact or "").strip():
        AISystem.objects.filter(pk=system.pk).update(public_contact="appeals@benefits.example")
        system.refresh_from_db()
    year = timezone.localdate().year
    services.save_policy(
        lead,
        system.agency,
        {
            "acknowledge_days": 5,
            "decide_days": 30,
            "appeal_days": 30,
            "warning_days": 2,
            "retention_days": 730,
            "holidays": [f"{year}-01-01", f"{year}-07-01", f"{year}-12-25", f"{year}-12-26"],
        },
    )
    services.save_route(
        lead,
        system,
        "adverse-decision",
        "You can ask for your application to be assessed by a case worker without the score.",
    )


def _first_qualified(candidates, appeal):
    for user in candidates:
        if user is not None and not services.reviewer_problems(user, appeal):
            return user
    return None


def extras(system, people: dict) -> None:
    if Notice.objects.filter(system=system).exists():
        return
    worker = people.get("case-worker")
    operator = people.get("operator")
    lead = people["governance-lead"]
    today = timezone.localdate()
    rows = [
        ("BEN-2026-0101", "Application refused", ["Income above the threshold"], "received"),
        ("BEN-2026-0102", "Benefit reduced", ["Household size", "Savings"], "in_review"),
        ("BEN-2026-0103", "Application refused", ["Missing residence proof"], "overturned"),
        ("BEN-2026-0104", "Application refused", ["Income above the threshold"], "upheld"),
    ]
    for n, (case, outcome, factors, target) in enumerate(rows):
        notice = services.issue_notice(
            worker or lead,
            system,
            {
                "case_reference": case,
                "outcome": outcome,
                "factors": factors,
                "language": "en",
                "decided_on": (today - dt.timedelta(days=20 - n)).isoformat(),
                "person_identifier": f"DEMO-PERSON-{n}",
            },
        )
        appeal, _token = services.enter_appeal(
            worker or lead,
            system,
            {
                "channel": "phone",
                "notice_reference": notice.reference,
                "grounds": "The applicant says the information used was out of date.",
                "contact_email": f"appellant{n}@example.net",
                "language": "en",
            },
        )
        if target == "received":
            continue
        services.transition(worker or lead, appeal, "acknowledged", note="Letter sent.")
        reviewer = _first_qualified([operator, lead], appeal)
        if reviewer is None:
            continue  # nobody holds the training yet: the case waits for a qualified reviewer
        services.transition(reviewer, appeal, "in_review", not_original_decision_maker=True)
        if target == "in_review":
            continue
        if target == "overturned":
            services.transition(
                reviewer,
                appeal,
                "decided",
                outcome="overturned",
                reasons="The residence proof was on file; the score missed it.",
                not_original_decision_maker=True,
            )
            services.transition(
                worker or lead,
                appeal,
                "remedy_done",
                note="Decision reversed and arrears paid.",
                remedy_kinds=["decision_reversed", "payment"],
                remedy_done_on=today,
            )
            services.transition(worker or lead, appeal, "closed")
        else:
            services.transition(
                reviewer,
                appeal,
                "decided",
                outcome="upheld",
                reasons="The income figures were current and correct.",
                not_original_decision_maker=True,
            )
            services.transition(worker or lead, appeal, "closed")
