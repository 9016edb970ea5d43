"""The knowledge check cannot be passed without reading: neither always picking the longest (or
the shortest) choice passes a shipped module, choices are shuffled for each attempt, showing
the page again does not open another attempt, and after three failures in a day the next
attempt waits until tomorrow."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ombuds.people import modules
from ombuds.people.models import Attempt, Certificate

MODULE = "general.automation-bias"


@pytest.mark.parametrize("pick", [max, min], ids=["longest", "shortest"])
def test_choosing_by_length_fails_every_shipped_module(pick):
    for module in modules.shipped().values():
        answers = {q.id: pick(q.choices, key=lambda c: len(c.text)).id for q in module.questions}
        assert module.score(answers) < module.pass_mark, module.id


def test_the_override_questions_follow_the_oversight_design():
    shipped = modules.shipped()
    for mid, qid in (
        ("general.override-escalate", "permission"),
        ("general.automation-bias", "override-value"),
    ):
        question = next(q for q in shipped[mid].questions if q.id == qid)
        assert "according to the system's oversight design" in question.text.lower()


def url(world, name="module_check"):
    return reverse(name, args=[world.a.slug, MODULE])


def shown_order(html: str, question: str) -> list[str]:
    return re.findall(rf'name="q_{question}" value="([^"]+)"', html)


def test_choices_are_shuffled_per_attempt_and_shown_in_the_stored_order(world, client):
    client.force_login(world.users["operator"])
    module = modules.shipped()[MODULE]
    orders = set()
    for _i in range(12):
        html = client.get(url(world)).content.decode()
        attempt = Attempt.objects.filter(submitted_at__isnull=True).get()
        for q in module.questions:
            assert shown_order(html, q.id) == attempt.order[q.id]
        orders.add(tuple(tuple(attempt.order[q.id]) for q in module.questions))
        Attempt.objects.filter(pk=attempt.pk).update(submitted_at=timezone.now(), passed=True)
    # 12 draws of four 3-choice questions (6⁴ = 1296 orders) all alike: about 1 in 10³⁷.
    assert len(orders) > 1


def test_showing_the_page_again_reuses_the_open_attempt(world, client):
    client.force_login(world.users["operator"])
    first = client.get(url(world)).content.decode()
    for _i in range(5):
        again = client.get(url(world)).content.decode()
    assert Attempt.objects.count() == 1
    token = re.search(r'name="token" value="([^"]+)"', first).group(1)
    assert token in again


def wrong_answers():
    return {
        f"q_{q.id}": next(c.id for c in q.choices if not c.correct)
        for q in modules.shipped()[MODULE].questions
    }


def test_after_three_failures_the_check_waits_until_tomorrow(world, client):
    user = world.users["operator"]
    client.force_login(user)
    for _i in range(3):
        html = client.get(url(world)).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        client.post(url(world), {"token": token, **wrong_answers()})
    response = client.get(url(world), follow=True)
    assert "take the check tomorrow" in response.content.decode()
    assert Attempt.objects.filter(user=user).count() == 3  # no fourth attempt opened
    # Yesterday's failures do not count today.
    yesterday = timezone.now() - dt.timedelta(days=1)
    Attempt.objects.filter(user=user).update(submitted_at=yesterday, started_at=yesterday)
    response = client.get(url(world))
    assert response.status_code == 200 and 'name="token"' in response.content.decode()
    assert not Certificate.objects.exists()
