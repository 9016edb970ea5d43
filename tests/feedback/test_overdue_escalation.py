"""The scheduler job tells an agency's governance leads about reports past their response
deadline — once per report, however often it runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from ombuds.core import scheduler
from ombuds.core.models import AuditEvent
from ombuds.feedback import services
from ombuds.feedback.models import Report

pytestmark = pytest.mark.django_db


def receive(agency, now, ip=""):
    return services.submit_public_report(
        agency=agency, system=None, kind="harm", description="d", client_address=ip, now=now
    )[0]


def test_each_overdue_report_is_escalated_once(world, t0, make_user):
    second_lead = make_user("a-lead-2", world.a, "governance_lead")
    late = receive(world.a, t0)
    also_late = receive(world.a, t0 + dt.timedelta(hours=1))
    not_yet = receive(world.a, t0 + dt.timedelta(days=5))
    elsewhere = receive(world.b, t0)
    mail.outbox.clear()

    day_11 = t0 + dt.timedelta(days=11)
    escalated = services.escalate_overdue(now=day_11)
    assert sorted(escalated) == sorted([late.pk, also_late.pk, elsewhere.pk])
    by_agency = {tuple(sorted(m.to)): m for m in mail.outbox}
    assert set(by_agency) == {
        tuple(sorted([world.lead.email, second_lead.email])),
        (world.other_lead.email,),
    }
    mine = by_agency[tuple(sorted([world.lead.email, second_lead.email]))]
    assert late.reference in mine.body and also_late.reference in mine.body
    assert not_yet.reference not in mine.body and elsewhere.reference not in mine.body

    mail.outbox.clear()
    assert services.escalate_overdue(now=day_11 + dt.timedelta(hours=1)) == []
    assert mail.outbox == []
    # Later, the third one falls due: only it is escalated.
    assert services.escalate_overdue(now=t0 + dt.timedelta(days=16)) == [not_yet.pk]
    assert len(mail.outbox) == 1 and not_yet.reference in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="report.escalate").count() == 4


def test_an_acknowledged_report_is_not_escalated(world, t0):
    report = receive(world.a, t0)
    services.triage(world.lead, report, "acknowledged", "n", now=t0 + dt.timedelta(days=9))
    mail.outbox.clear()
    assert services.escalate_overdue(now=t0 + dt.timedelta(days=20)) == []
    assert mail.outbox == []


def test_a_failing_mail_server_leaves_the_report_for_the_next_run(world, t0, monkeypatch):
    report = receive(world.a, t0)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_mail", broken)
    with pytest.raises(OSError):
        services.escalate_overdue(now=t0 + dt.timedelta(days=11))
    assert Report.objects.get(pk=report.pk).escalated_at is None
    monkeypatch.undo()
    assert services.escalate_overdue(now=t0 + dt.timedelta(days=11)) == [report.pk]


def test_the_job_is_registered_with_the_scheduler(world, t0):
    names = {job.name for job in scheduler.jobs()}
    assert "feedback.overdue-reports" in names
    receive(world.a, t0 - dt.timedelta(days=11))
    mail.outbox.clear()
    ran = scheduler.run_due()
    assert "feedback.overdue-reports" in ran
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.lead.email]
    assert "feedback.overdue-reports" not in scheduler.run_due()  # not due again for a while
    services.scheduled_run()  # and when it runs again, nobody is told twice
    assert len(mail.outbox) == 1
