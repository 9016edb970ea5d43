"""What a reporter writes is shown as text, never as HTML — to staff, and to the reporter."""

from __future__ import annotations

import pytest

from ombuds.feedback import services
from ombuds.feedback.models import Report

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_staff_read_the_description_as_text(send_report, world, client):
    send_report(world.a, description=PAYLOAD)
    report = Report.objects.get()
    assert report.description == PAYLOAD  # kept as written
    client.force_login(world.lead)
    html = client.get(f"/reports/{report.pk}/").content.decode()
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        in html
    )
    assert "<script>alert" not in html and "<img src=x" not in html


def test_responses_and_names_are_escaped_on_the_public_pages(world, client, make_system, t0):
    system = make_system(world.a, '<b onmouseover="x()">Bold</b>', stage="deployed")
    report, token = services.submit_public_report(
        agency=world.a, system=system, kind="harm", description="d", client_address="", now=t0
    )
    services.triage(world.lead, report, "acknowledged", "ok", public_response=PAYLOAD, now=t0)
    html = client.get(f"/public/report/{report.reference}/{token}/").content.decode()
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;Bold&lt;/b&gt;" in html
    form = client.get("/public/report/").content.decode()
    assert "<b onmouseover" not in form and "&lt;b onmouseover" in form


def test_the_staff_email_is_plain_text_without_the_reporters_words(send_report, world):
    from django.core import mail

    send_report(world.a, description=PAYLOAD)
    assert all(PAYLOAD not in m.body for m in mail.outbox)
    assert all(not m.alternatives for m in mail.outbox)
