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
    assert case.reference in message.body and "acknowledgement due soon" in message.body
    assert "acknowledge-near" not in message.body  # a label, not the code
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


def _case_of_b(world, when):
    from .helpers import APPELLANT

    case, _token = services.enter_appeal(
        world.other_lead, world.system_b, {**APPELLANT, "channel": "phone"}, now=when
    )
    return case


def test_one_agencys_failing_mail_does_not_stop_the_others(world, appeal):
    from django.contrib.auth import get_user_model

    case_a, _token = appeal
    case_b = _case_of_b(world, at(dt.date(2026, 3, 2)))
    # Agency A's only lead has an address no mail server accepts (a header injection).
    get_user_model().objects.filter(pk=world.lead.pk).update(email="lead@a.example\nBcc: x@y.z")
    found = services.escalate(now=at(dt.date(2026, 3, 5)))
    assert (case_b.reference, "acknowledge-near") in found
    assert all(ref != case_a.reference for ref, _t in found)
    assert [m.to for m in mail.outbox] == [[world.other_lead.email]]
    case_a.refresh_from_db()
    assert case_a.escalations == []  # not told: tried again at the next run
    get_user_model().objects.filter(pk=world.lead.pk).update(email="lead@a.example")
    assert (case_a.reference, "acknowledge-near") in services.escalate(
        now=at(dt.date(2026, 3, 5), hour=10)
    )


def test_an_agency_without_a_lead_to_mail_is_logged_and_audited_once(world, appeal, caplog):
    from django.contrib.auth import get_user_model

    case, _token = appeal
    get_user_model().objects.filter(pk=world.lead.pk).update(email="")
    with caplog.at_level("WARNING", logger="ombuds.remedy"):
        assert services.escalate(now=at(dt.date(2026, 3, 5))) == []
    assert "no governance lead with an e-mail address" in caplog.text
    event = AuditEvent.objects.get(action="appeal.escalate-undeliverable")
    assert event.changes["pending"] == [f"{case.reference}:acknowledge-near"]
    services.escalate(now=at(dt.date(2026, 3, 5), hour=10))
    assert AuditEvent.objects.filter(action="appeal.escalate-undeliverable").count() == 1
