"""Taking a module in the app: every attempt is recorded, a pass gives a certificate that
expires after the module's validity, and the check cannot be passed by sending the form without
answers or by replaying an old one."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from ombuds.people import modules, rules
from ombuds.people.models import Attempt, Certificate

MODULE = "general.automation-bias"


def url(world, name="module_check"):
    return reverse(name, args=[world.a.slug, MODULE])


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def right_answers() -> dict:
    return {f"q_{q.id}": q.answer for q in modules.shipped()[MODULE].questions}


def test_the_right_answers_pass_and_give_a_certificate(world, client):
    user = world.users["case_worker"]
    client.force_login(user)
    token = token_of(client.get(url(world)))
    response = client.post(url(world), {"token": token, **right_answers()}, follow=True)
    assert "Passed with 100%" in response.content.decode()
    cert = Certificate.objects.get(user=user, module=MODULE)
    today = timezone.localdate()
    assert cert.completed_on == today and cert.source == "app"
    assert cert.expires_on == rules.add_months(today, 12)
    assert Attempt.objects.get(user=user).passed is True


def test_a_blank_form_names_every_question_and_records_nothing(world, client):
    user = world.users["operator"]
    client.force_login(user)
    token = token_of(client.get(url(world)))
    response = client.post(url(world), {"token": token})
    html = response.content.decode()
    assert response.status_code == 200
    for q in modules.shipped()[MODULE].questions:
        assert f"Answer this question: {q.text}" in html.replace("&#x27;", "'")
    assert not Certificate.objects.filter(user=user).exists()
    assert Attempt.objects.get(user=user).submitted_at is None
    # Answers that are not among the choices count as unanswered too.
    bogus = {k: "zzz" for k in right_answers()}
    client.post(url(world), {"token": token, **bogus})
    assert not Certificate.objects.filter(user=user).exists()


def test_wrong_answers_fail_and_the_attempt_is_recorded(world, client):
    user = world.users["operator"]
    client.force_login(user)
    token = token_of(client.get(url(world)))
    wrong = {}
    for q in modules.shipped()[MODULE].questions:
        wrong[f"q_{q.id}"] = next(c.id for c in q.choices if not c.correct)
    response = client.post(url(world), {"token": token, **wrong}, follow=True)
    assert "the pass mark is 75%" in response.content.decode()
    attempt = Attempt.objects.get(user=user)
    assert attempt.passed is False and attempt.score == 0
    assert not Certificate.objects.filter(user=user).exists()


def test_replaying_a_submitted_form_does_not_pass(world, client):
    user = world.users["operator"]
    client.force_login(user)
    token = token_of(client.get(url(world)))
    wrong = {f"q_{q.id}": q.choices[-1].id for q in modules.shipped()[MODULE].questions}
    client.post(url(world), {"token": token, **wrong})
    # The same token again, now with the right answers: refused, nothing recorded.
    response = client.post(url(world), {"token": token, **right_answers()}, follow=True)
    assert "already submitted" in response.content.decode()
    assert not Certificate.objects.filter(user=user).exists()
    # A made-up token, or another person's, is refused as well.
    other = world.users["case_worker"]
    client.force_login(other)
    foreign = token_of(client.get(url(world)))
    client.force_login(user)
    for bad in ("made-up", foreign):
        response = client.post(url(world), {"token": bad, **right_answers()}, follow=True)
        assert "does not belong to an attempt you started" in response.content.decode()
    assert not Certificate.objects.exists()


def test_the_materials_come_before_the_check(world, client):
    client.force_login(world.users["viewer"])
    html = client.get(url(world, "module_detail")).content.decode()
    assert "A routine for each case" in html
    assert "Take the knowledge check" in html
    assert "Missing" in html
