"""Reminders before a certificate expires: by e-mail, 30 and 7 days before, each sent once per
certificate and threshold however often the scheduler runs."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from ombuds.core import scheduler
from ombuds.people import services
from ombuds.people.models import Certificate

D = dt.date


def cert(world, user, expires, module="general.automation-bias"):
    return Certificate.objects.create(
        user=user,
        module=module,
        module_version=1,
        completed_on=D(2026, 1, 1),
        expires_on=expires,
        source="import",
        recorded_by=world.lead,
    )


def test_each_threshold_is_reminded_once(world):
    operator = world.users["operator"]
    cert(world, operator, D(2026, 6, 30))
    assert services.send_reminders(today=D(2026, 5, 1)) == 0  # 60 days ahead: too early
    assert services.send_reminders(today=D(2026, 6, 1)) == 1  # 29 days: the 30-day reminder
    assert services.send_reminders(today=D(2026, 6, 2)) == 0  # already told
    assert services.send_reminders(today=D(2026, 6, 24)) == 1  # 6 days: the 7-day reminder
    assert services.send_reminders(today=D(2026, 6, 25)) == 0
    assert services.send_reminders(today=D(2026, 7, 1)) == 0  # expired: no reminder
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == ["a-operator@example.org"]
    assert "2026-06-30" in mail.outbox[0].subject
    assert "Automation bias and how to resist it" in mail.outbox[0].body


def test_a_renewed_certificate_is_not_reminded(world):
    operator = world.users["operator"]
    cert(world, operator, D(2026, 6, 30))
    cert(world, operator, D(2027, 6, 10))
    assert services.send_reminders(today=D(2026, 6, 20)) == 0
    assert mail.outbox == []


def test_the_job_is_registered_with_the_scheduler():
    assert "people.training-reminders" in {j.name for j in scheduler.jobs()}


def test_a_reminder_that_could_not_be_sent_is_tried_again(world, settings):
    cert(world, world.users["operator"], D(2026, 6, 30))
    cert(world, world.users["case_worker"], D(2026, 6, 28))
    settings.EMAIL_BACKEND = "tests.people.mail_backends.Unreachable"
    assert services.send_reminders(today=D(2026, 6, 1)) == 0  # nothing went out
    assert len(mail.outbox) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_reminders(today=D(2026, 6, 2)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a-case_worker@example.org",
        "a-operator@example.org",
    ]
    assert services.send_reminders(today=D(2026, 6, 3)) == 0  # sent now: not again
