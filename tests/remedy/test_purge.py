"""`ombuds purge` removes the personal details of closed cases past retention, keeps the
statistics, records one audit event with counts and references, and the audit chain still
verifies. --dry-run changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from ombuds.core.models import AuditEvent
from ombuds.remedy import services, stats
from ombuds.remedy.models import Appeal, AppealEvent


def close(world, case, when):
    services.transition(world.lead, case, "acknowledged", note="Called Ada back.", now=when)
    services.transition(world.lead, case, "in_review", now=when)
    services.transition(
        world.lead, case, "decided", outcome="overturned", reasons="Ada was right.", now=when
    )
    services.transition(
        world.lead,
        case,
        "remedy_done",
        note="Paid Ada.",
        remedy_kinds=["payment"],
        remedy_done_on=when.date(),
        now=when,
    )
    services.transition(world.lead, case, "closed", now=when)


@pytest.fixture
def old_closed(world, appeal):
    case, _token = appeal
    services.save_policy(world.lead, world.a, {"retention_days": 30})
    close(world, case, dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC))
    return case


def run(*args):
    out = StringIO()
    call_command("purge", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_dry_run_lists_and_changes_nothing(old_closed):
    before = AuditEvent.objects.count()
    result = json.loads(run("--dry-run", "--format", "json"))
    assert result["dry_run"] is True and result["references"] == [old_closed.reference]
    old_closed.refresh_from_db()
    assert old_closed.contact_email == "ada.appellant@example.net"
    assert AuditEvent.objects.count() == before


def test_purge_removes_personal_details_and_keeps_statistics(old_closed):
    system = old_closed.system
    before = stats.summary(system)
    result = json.loads(run("--format", "json"))
    assert result["purged"] == 1 and result["references"] == [old_closed.reference]
    row = Appeal.objects.filter(pk=old_closed.pk).values()[0]
    assert not any("Ada" in str(v) or "ada.appellant" in str(v) for v in row.values())
    assert row["contact_phone"] == "" and row["grounds"] == "" and row["purged_at"]
    assert not AppealEvent.objects.filter(appeal=old_closed).exclude(note="").exists()
    assert row["outcome"] == "overturned" and row["remedy_kinds"] == ["payment"]
    assert stats.summary(system) == before
    event = AuditEvent.objects.get(action="remedy.purge")
    assert event.changes["count"] == 1 and event.changes["references"] == [old_closed.reference]
    # The chain still holds.
    out = StringIO()
    call_command("auditlog", "verify", stdout=out)
    assert "intact" in out.getvalue()
    # A second run finds nothing.
    assert json.loads(run("--format", "json"))["purged"] == 0


def test_cases_within_retention_or_open_are_kept(world, notice, old_closed):
    recent, _t = services.enter_appeal(
        world.lead,
        world.system_a,
        {"channel": "phone", "grounds": "x", "contact_phone": "0612345678"},
    )
    result = json.loads(run("--format", "json"))
    assert result["references"] == [old_closed.reference]
    recent.refresh_from_db()
    assert recent.contact_phone == "0612345678"


def test_text_output_names_the_cases(old_closed):
    out = run("--dry-run")
    assert "would purge 1" in out and old_closed.reference in out
