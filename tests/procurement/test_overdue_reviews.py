"""Post-award reviews: recording one schedules the next; an overdue one alerts the system owners
and governance leads by e-mail once, through the scheduler job."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from ombuds.core import scheduler
from ombuds.procurement import services
from ombuds.procurement.models import Review

from .helpers import make_procurement


def _in_post_award(world):
    p, bid = make_procurement(world, review_interval_months=3)
    for move in (services.start_market_engagement, services.start_evaluation):
        move(world.lead, p)
    services.award(world.lead, p, bid)
    services.sign_contract(world.lead, p)
    services.start_post_award(world.lead, p)
    return p


def test_an_overdue_review_alerts_once(world):
    p = _in_post_award(world)
    review = p.reviews.get()
    assert services.alert_overdue_reviews() == 0
    Review.objects.filter(pk=review.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    job = next(j for j in scheduler.jobs() if j.name == "procurement.overdue-reviews")
    job.run()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert p.title in message.subject
    assert set(message.to) == {world.lead.email, world.users["system_owner"].email}
    job.run()
    assert len(mail.outbox) == 1


def test_recording_a_review_schedules_the_next(world):
    p = _in_post_award(world)
    review = p.reviews.get()
    services.record_review(
        world.users["procurement_officer"],
        review,
        {"due_diligence_refreshed": True, "claims_reverified": True, "monitoring_reviewed": True},
        "concerns",
        "Accuracy for rural applicants fell to 0.88; vendor to retrain by June.",
    )
    review.refresh_from_db()
    assert review.checks == {
        "due_diligence_refreshed": True,
        "claims_reverified": True,
        "monitoring_reviewed": True,
        "incidents_reviewed": False,
    }
    following = p.reviews.exclude(pk=review.pk).get()
    assert following.due_on == services.add_months(review.done_on, 3)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_alert_that_could_not_be_sent_is_sent_on_the_next_run(world, settings):
    p = _in_post_award(world)
    review = p.reviews.get()
    Review.objects.filter(pk=review.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    # The mail server is down: nothing listens on the port.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        _closed_port(),
        2,
    )
    assert services.alert_overdue_reviews() == 0
    review.refresh_from_db()
    assert review.alerted_at is None
    # The mail server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.alert_overdue_reviews() == 1
    assert len(mail.outbox) == 1 and p.title in mail.outbox[0].subject
    review.refresh_from_db()
    assert review.alerted_at is not None
