"""A member of the public reports a problem with nothing but HTML forms: no account, no
JavaScript, no language prefix; the agency's staff are told by e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from ombuds.core.models import AuditEvent
from ombuds.feedback.models import Channel, Report, ReportStatus

pytestmark = pytest.mark.django_db


def test_the_form_is_plain_html_with_every_agency_and_system_by_name(client, world, make_system):
    make_system(world.b, "Gamma", short_description="A secret internal description", stage="pilot")
    response = client.get("/public/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html  # works without JavaScript: nothing to run
    assert 'method="post"' in html
    # Systems are listed by name, grouped under their agency; nothing that is not public.
    assert re.search(r'<optgroup label="Agency A">\s*<option value="\d+"[^>]*>Alpha</option>', html)
    assert re.search(r'<optgroup label="Agency B">.*Beta.*Gamma', html, re.S)
    assert "A secret internal description" not in html
    for label in ("Agency", "AI system", "What are you reporting?", "Description"):
        assert f">{label}" in html
    assert client.get("/fr/public/report/").status_code == 404  # no language prefix


def test_sending_a_report_gives_a_reference_and_a_private_link(send_report, world, client):
    response = send_report(world.a, system=world.system_a, kind="misuse")
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.channel == Channel.PUBLIC and report.status == ReportStatus.RECEIVED
    assert report.agency == world.a and report.system == world.system_a
    assert re.fullmatch(r"R-[2-9A-Z]{4}-[2-9A-Z]{4}", report.reference)
    html = response.content.decode()
    assert report.reference in html
    link = re.search(r'id="status-link" href="([^"]+)"', html).group(1)
    assert link.startswith("http://testserver/public/report/" + report.reference + "/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in report.token_digest and len(token) >= 32  # only its hash is kept
    assert response["Cache-Control"] == "no-store"
    # No language switcher on the page that shows the link once: switching would lose it.
    assert 'id="language-select"' not in html
    # The link works, with no login, and there the language can be changed.
    followed = client.get(link)
    assert followed.status_code == 200 and 'id="language-select"' in followed.content.decode()
    # The audit log names the report, not the reporter.
    event = AuditEvent.objects.get(action="report.receive")
    assert event.object_repr == report.reference and event.actor_id is None


def test_staff_are_emailed_leads_and_with_a_system_its_owners(send_report, world):
    send_report(world.a)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.lead.email]
    mail.outbox.clear()
    send_report(world.a, system=world.system_a, ip="203.0.113.8")
    assert sorted(mail.outbox[0].to) == sorted(
        [world.lead.email, world.users["system_owner"].email]
    )
    message = mail.outbox[0]
    report = Report.objects.get(system=world.system_a)
    assert report.reference in message.subject
    assert "It refused my claim." not in message.body  # the description stays in Ombuds
    assert f"/reports/{report.pk}/" in message.body


def test_the_reporter_who_leaves_an_address_gets_the_link_by_email(send_report, world):
    send_report(world.a, contact_email="someone@example.net")
    receipt = [m for m in mail.outbox if m.to == ["someone@example.net"]]
    assert len(receipt) == 1
    report = Report.objects.get()
    assert f"/public/report/{report.reference}/" in receipt[0].body
    # Personal data never reaches the audit log.
    assert not AuditEvent.objects.filter(changes__icontains="someone@example.net").exists()


def test_mistakes_are_named_next_to_their_fields(send_report, world):
    response = send_report(world.b, system=world.system_a, kind="", description="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Alpha belongs to Agency A, not to Agency B" in html
    assert 'href="#id_kind_0"' in html and 'href="#id_description"' in html
    assert not Report.objects.exists()


def test_a_system_that_does_not_exist_is_refused(client, world):
    data = {"agency": world.a.pk, "system": "999999", "kind": "harm", "description": "x"}
    response = client.post("/public/report/", data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "lang,heading",
    [
        ("fr", "Signaler un problème concernant un système d'IA du secteur public"),
        ("es", "Notificar un problema con un sistema de IA del sector público"),
    ],
)
def test_the_form_speaks_french_and_spanish_at_the_same_address(client, db, lang, heading):
    by_parameter = client.get(f"/public/report/?lang={lang}")
    by_browser = client.get("/public/report/", HTTP_ACCEPT_LANGUAGE=lang)
    for response in (by_parameter, by_browser):
        assert response.status_code == 200
        html = response.content.decode()
        assert f'lang="{lang}"' in html and heading in html


def test_systems_not_in_use_are_not_listed_or_accepted(world, client):
    from ombuds.registry.models import AISystem

    AISystem.objects.filter(pk=world.system_b.pk).update(stage="design")
    page = client.get("/public/report/").content.decode()
    assert world.system_b.name not in page
    from ombuds.feedback.forms import PublicReportForm

    form = PublicReportForm(
        data={
            "agency": world.b.pk,
            "system": world.system_b.pk,
            "kind": "harm",
            "description": "It refused me.",
        }
    )
    assert not form.is_valid()
    assert "system" in form.errors  # not one of the choices offered
