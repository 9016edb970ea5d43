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
from ombuds.remedy.models import Appeal, AppealEvent, Notice

from .helpers import NOTICE


def close(world, case, when):
    services.transition(world.lead, case, "acknowledged", note="Called Ada back.", now=when)
    services.transition(world.lead, case, "in_review", not_original_decision_maker=True, now=when)
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


def test_the_notice_of_a_purged_case_loses_its_personal_data(world, notice, old_closed):
    # The notice (appeal by 1 April 2026) is past its window plus 30 days' retention.
    result = json.loads(run("--format", "json"))
    assert result["notice_references"] == [notice.reference]
    row = Notice.objects.filter(pk=notice.pk).values()[0]
    assert row["case_reference"] == "" and row["outcome"] == "" and row["factors"] == []
    assert row["person_hash"] == "" and row["purged_at"]
    assert row["reference"] == notice.reference and row["decided_on"] == notice.decided_on
    old_closed.refresh_from_db()
    assert old_closed.notice_id == notice.pk


def test_a_notice_without_an_appeal_is_purged_after_its_window(world, t0):
    services.save_policy(world.lead, world.a, {"retention_days": 30})
    lonely = services.issue_notice(world.lead, world.system_a, dict(NOTICE), now=t0)
    recent = services.issue_notice(world.lead, world.system_a, dict(NOTICE))
    result = json.loads(run("--format", "json"))
    assert result["notice_references"] == [lonely.reference]
    lonely.refresh_from_db()
    recent.refresh_from_db()
    assert lonely.person_hash == "" and lonely.case_reference == ""
    assert recent.case_reference == NOTICE["case_reference"] and recent.person_hash


def test_a_notice_with_an_open_appeal_is_kept(world, notice, appeal):
    services.save_policy(world.lead, world.a, {"retention_days": 1})
    result = json.loads(run("--format", "json"))
    assert result["notice_references"] == []
    notice.refresh_from_db()
    assert notice.case_reference == NOTICE["case_reference"]


def test_open_cases_are_never_purged_but_listed(world, appeal):
    case, _token = appeal  # received 2 March 2026, still open
    services.save_policy(world.lead, world.a, {"retention_days": 30})
    out = run("--dry-run")
    assert "open past retention (never purged): 1" in out and case.reference in out
    run()
    case.refresh_from_db()
    assert case.contact_email == "ada.appellant@example.net" and case.purged_at is None


def test_a_group_outside_the_agencys_list_is_not_kept(world, old_closed):
    # The agency's list no longer has the group the appellant chose: it is dropped with the rest.
    Appeal.objects.filter(pk=old_closed.pk).update(group="a text the appellant wrote")
    services.save_policy(world.lead, world.a, {"groups": ["over 65"]})
    kept, _t = services.enter_appeal(
        world.lead,
        world.system_a,
        {
            "channel": "phone",
            "grounds": "x",
            "contact_phone": "0612345678",
            "group": "over 65",
            "group_consent": True,
        },
        now=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
    )
    close(world, kept, dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC))
    run()
    assert Appeal.objects.get(pk=old_closed.pk).group == ""
    assert Appeal.objects.get(pk=kept.pk).group == "over 65"
