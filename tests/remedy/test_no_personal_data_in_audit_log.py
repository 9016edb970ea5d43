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
    services.save_policy(lead, world.a, {"groups": ["over 65"], "retention_days": 1})
    t = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    notice = services.issue_notice(lead, world.system_a, dict(NOTICE), now=t)
    person = {
        "notice_reference": notice.reference,
        "grounds": "My income was counted twice",
        "contact_name": "Ada Appellant",
        "contact_email": "ada.appellant@example.net",
        "contact_phone": "+44 20 7946 0991",
        "contact_address": "42 Private Road",
        "group": "over 65",
        "group_consent": True,
    }
    case, _token = services.submit_public_appeal(person, client_address="198.51.100.7", now=t)
    # A second case left open: escalated when its deadlines come near.
    waiting, _token = services.submit_public_appeal(person, client_address="198.51.100.7", now=t)
    services.transition(lead, case, "acknowledged", note="Staff note naming Ada", now=t)
    services.transition(lead, case, "in_review", not_original_decision_maker=True, now=t)
    services.transition(
        lead, case, "decided", outcome="partly_overturned", reasons="Staff note naming Ada", now=t
    )
    services.transition(
        lead, case, "closed", refuse_remedy=True, note="Staff note naming Ada", now=t
    )
    case.refresh_from_db()
    assert case.closed_at == t
    assert services.escalate(now=t + dt.timedelta(days=30))
    assert services.purge(now=t + dt.timedelta(days=5))["references"] == [case.reference]
    call_command("purge")
    events = list(AuditEvent.objects.values())
    actions = {e["action"] for e in events}
    # The events that could carry personal data exist: the scan below reads them.
    assert {"appeal.receive", "appeal.closed", "appeal.escalate", "remedy.purge"} <= actions
    for event in events:
        # The words an event carries (not its ids, times and hashes, whose digits could hold
        # "7946" by chance): labels, the object's name and every text in its changes.
        text = " | ".join(
            [event["actor_label"], event["object_type"], event["object_repr"]]
            + list(_texts(event["changes"]))
        )
        for secret in [*SECRETS, notice.person_hash]:
            assert secret not in text, f"{secret!r} in audit event {event['action']}"


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)
