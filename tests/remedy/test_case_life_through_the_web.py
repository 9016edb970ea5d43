"""A person who received a notice appeals online without an account, follows the tracking link,
and staff take the case through acknowledgement, human review, decision, remedy and closing."""

from __future__ import annotations

import re

from django.core import mail

from ombuds.remedy.models import Appeal

from .helpers import APPELLANT


def appeal_online(client, notice_reference, **extra):
    data = {
        **APPELLANT,
        "notice_reference": notice_reference,
        "system": "",
        "contact_address": "",
        "group": "",
        "website": "",
        **extra,
    }
    return client.post("/public/appeal/", data, REMOTE_ADDR="203.0.113.9")


def step(client, appeal, to, **data):
    return client.post(
        f"/agencies/{appeal.agency.slug}/appeals/{appeal.pk}/step/", {"to": to, **data}
    )


def test_the_whole_case_life_on_the_web(world, client, notice):
    form = client.get(f"/public/appeal/?notice={notice.reference}")
    assert form.status_code == 200 and notice.reference in form.content.decode()

    received = appeal_online(client, notice.reference)
    assert received.status_code == 200
    assert received["Cache-Control"] == "no-store"
    page = received.content.decode()
    link = re.search(r'id="tracking-link" href="([^"]+)"', page).group(1)
    appeal = Appeal.objects.get()
    assert appeal.reference in page and appeal.notice == notice

    receipt = mail.outbox[-1]
    assert receipt.to == ["ada.appellant@example.net"] and link in receipt.body

    tracking = client.get(link)
    assert tracking.status_code == 200
    assert 'id="status">Received<' in tracking.content.decode()

    worker, operator, lead = world.users["case_worker"], world.users["operator"], world.lead
    client.force_login(worker)
    queue = client.get(f"/agencies/{world.a.slug}/appeals/")
    assert appeal.reference in queue.content.decode()
    case = client.get(f"/agencies/{world.a.slug}/appeals/{appeal.pk}/")
    assert "ada.appellant@example.net" in case.content.decode()
    assert step(client, appeal, "acknowledged", note="Letter sent.").status_code == 302

    # The operator took the first decision: the governance lead reviews.
    client.force_login(lead)
    assert step(client, appeal, "in_review").status_code == 302
    decided = step(
        client, appeal, "decided", outcome="overturned", reasons="Income was counted twice."
    )
    assert decided.status_code == 302
    told = mail.outbox[-1]
    assert told.to == ["ada.appellant@example.net"] and "Decision overturned" in told.body
    letter = client.get(f"/agencies/{world.a.slug}/appeals/{appeal.pk}/letter/")
    assert "Decision overturned" in letter.content.decode()
    assert "Income was counted twice." in letter.content.decode()

    client.force_login(worker)
    too_soon = step(client, appeal, "closed")
    assert too_soon.status_code == 400
    assert "record the remedy first" in too_soon.content.decode()
    assert (
        step(
            client,
            appeal,
            "remedy_done",
            note="Benefit granted from the original date.",
            remedy_kinds=["decision_reversed", "payment"],
            remedy_done_on="2026-03-20",
        ).status_code
        == 302
    )
    assert step(client, appeal, "closed").status_code == 302

    appeal.refresh_from_db()
    assert appeal.state == "closed" and appeal.outcome == "overturned"
    assert appeal.reviewer == lead and appeal.remedy_kinds == ["decision_reversed", "payment"]
    timeline = client.get(f"/agencies/{world.a.slug}/appeals/{appeal.pk}/").content.decode()
    for label in ("Acknowledged", "In human review", "Decided", "Remedy done", "Closed"):
        assert label in timeline

    client.logout()
    final = client.get(link).content.decode()
    assert 'id="status">Closed<' in final and "Decision overturned" in final
    assert operator.username not in final and "ada.appellant" not in final


def test_staff_enter_an_appeal_received_by_telephone(world, client, notice):
    client.force_login(world.users["case_worker"])
    response = client.post(
        f"/agencies/{world.a.slug}/appeals/new/",
        {
            "channel": "phone",
            "system": world.system_a.pk,
            "notice_reference": notice.reference,
            "grounds": "Called to say the payslips were sent.",
            "contact_phone": "+1 613 555 0199",
            "language": "fr",
        },
    )
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.channel == "phone" and appeal.notice == notice and appeal.language == "fr"
    assert "/public/appeal/" + appeal.reference in response.content.decode()


def test_one_way_to_answer_is_enough_and_none_is_refused(world, client, notice):
    none = appeal_online(
        client, notice.reference, contact_email="", contact_phone="", contact_name="Ada"
    )
    assert none.status_code == 400
    assert "at least one way to answer" in none.content.decode()
    only_post = appeal_online(
        client,
        notice.reference,
        contact_email="",
        contact_phone="",
        contact_address="1 Main Street, Ottawa",
    )
    assert only_post.status_code == 200 and Appeal.objects.count() == 1


def test_bad_contact_details_are_named(world, client, notice):
    response = appeal_online(
        client, notice.reference, contact_email="not-an-address", contact_phone="call me"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_contact_email"' in page and 'href="#id_contact_phone"' in page
    assert not Appeal.objects.exists()
