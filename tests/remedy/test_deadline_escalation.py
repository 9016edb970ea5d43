"""Cases near or past a deadline escalate to the agency's governance leads by e-mail, once per
threshold, through the scheduler job `remedy.deadlines`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from ombuds.core import scheduler
from ombuds.core.models import AuditEvent
from ombuds.remedy import services


def at(day: dt.date, hour=9):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_receipts(appeal):
    """The appellant's receipt is not what these tests are about."""
    mail.outbox.clear()


def test_the_job_is_registered():
    assert "remedy.deadlines" in {j.name for j in scheduler.jobs()}


def test_each_threshold_is_mailed_once(world, appeal):
    case, _token = appeal  # received Mon 2 March: acknowledge by Mon 9, decide by Mon 13 April
    assert case.acknowledge_by == dt.date(2026, 3, 9)
    assert services.escalate(now=at(dt.date(2026, 3, 3))) == []
    assert mail.outbox == []

    # Thursday 5 March: two working days before the acknowledgement deadline.
    assert services.escalate(now=at(dt.date(2026, 3, 5))) == [(case.reference, "acknowledge-near")]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.lead.email]
    assert case.reference in message.body and "acknowledge-near" in message.body
    assert f"/agencies/{world.a.slug}/appeals/{case.pk}/" in message.body

    # The same day again, and the next: nothing new.
    assert services.escalate(now=at(dt.date(2026, 3, 5), 15)) == []
    assert services.escalate(now=at(dt.date(2026, 3, 6))) == []
    assert len(mail.outbox) == 1

    # Tuesday 10 March: past the acknowledgement deadline.
    assert services.escalate(now=at(dt.date(2026, 3, 10))) == [(case.reference, "acknowledge-past")]
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="appeal.escalate").count() == 2


def test_an_acknowledged_case_escalates_on_the_decision_deadline_only(world, appeal):
    case, _token = appeal
    services.transition(world.lead, case, "acknowledged", now=at(dt.date(2026, 3, 3)))
    assert services.escalate(now=at(dt.date(2026, 3, 10))) == []
    late = at(dt.date(2026, 4, 14))
    found = services.escalate(now=late)
    assert set(found) == {(case.reference, "decide-near"), (case.reference, "decide-past")}
    assert len(mail.outbox) == 1  # one e-mail for the agency, naming both
    assert services.escalate(now=late) == []


def test_other_agencies_leads_hear_nothing(world, appeal):
    services.escalate(now=at(dt.date(2026, 3, 10)))
    recipients = {r for m in mail.outbox for r in m.to}
    assert world.other_lead.email not in recipients


def test_a_decided_case_does_not_escalate(world, appeal):
    case, _token = appeal
    t = at(dt.date(2026, 3, 3))
    services.transition(world.lead, case, "acknowledged", now=t)
    services.transition(world.lead, case, "in_review", now=t)
    services.transition(world.lead, case, "decided", outcome="upheld", reasons="ok", now=t)
    assert services.escalate(now=at(dt.date(2026, 5, 1))) == []
