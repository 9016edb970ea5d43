"""The audit log never holds an appellant's name, e-mail, telephone, address or words, nor a
person's identifier or its keyed hash — through the whole life of a case and a purge."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from ombuds.core.models import AuditEvent
from ombuds.remedy import services

from .helpers import NOTICE

SECRETS = [
    "Ada Appellant",
    "ada.appellant@example.net",
    "+44 20 7946 0991",
    "7946",
    "42 Private Road",
    "My income was counted twice",
    "PN 123 456 789",
    "Staff note naming Ada",
]


def test_no_personal_data_in_any_audit_event(world, client, settings):
    lead = world.lead
    notice = services.issue_notice(lead, world.system_a, dict(NOTICE))
    case, _token = services.submit_public_appeal(
        {
            "notice_reference": notice.reference,
            "grounds": "My income was counted twice",
            "contact_name": "Ada Appellant",
            "contact_email": "ada.appellant@example.net",
            "contact_phone": "+44 20 7946 0991",
            "contact_address": "42 Private Road",
            "group": "over 65",
            "group_consent": True,
        },
        client_address="198.51.100.7",
    )
    t = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    services.transition(lead, case, "acknowledged", note="Staff note naming Ada", now=t)
    services.transition(lead, case, "in_review", now=t)
    services.transition(
        lead, case, "decided", outcome="partly_overturned", reasons="Staff note naming Ada", now=t
    )
    services.transition(lead, case, "closed", refuse_remedy=True, note="Staff note naming Ada")
    services.escalate()
    services.save_policy(lead, world.a, {"retention_days": 1})
    services.purge(now=case.closed_at + dt.timedelta(days=5) if case.closed_at else None)
    call_command("purge")
    hashes = [notice.person_hash]
    events = list(AuditEvent.objects.values())
    assert any(e["action"] == "appeal.receive" for e in events)
    for event in events:
        text = repr(event)
        for secret in SECRETS + hashes:
            assert secret not in text, f"{secret!r} in audit event {event['action']}"
