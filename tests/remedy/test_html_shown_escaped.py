"""Whatever people type is shown as text, never run as markup: on the staff case page, the
letters and the public pages."""

from __future__ import annotations

from ombuds.remedy import services

from .helpers import NOTICE

PAYLOAD = '<script>alert("x")</script>'


def test_script_payloads_are_escaped_everywhere(world, client, token_for):
    notice = services.issue_notice(
        world.lead,
        world.system_a,
        {**NOTICE, "outcome": PAYLOAD, "factors": [PAYLOAD], "case_reference": PAYLOAD},
    )
    case, token = services.submit_public_appeal(
        {
            "notice_reference": notice.reference,
            "grounds": PAYLOAD,
            "contact_name": PAYLOAD,
            "contact_phone": "0123 456 789",
        }
    )
    services.transition(world.lead, case, "acknowledged", note=PAYLOAD)
    services.transition(world.lead, case, "in_review", not_original_decision_maker=True)
    services.transition(world.lead, case, "decided", outcome="upheld", reasons=PAYLOAD)
    client.force_login(world.lead)
    pages = [
        f"/agencies/{world.a.slug}/appeals/{case.pk}/",
        f"/agencies/{world.a.slug}/appeals/{case.pk}/letter/",
        f"/agencies/{world.a.slug}/notices/{notice.pk}/",
        f"/agencies/{world.a.slug}/notices/",
        f"/public/appeal/{case.reference}/{token}/",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert PAYLOAD not in page, url
    assert "&lt;script&gt;" in client.get(pages[0]).content.decode()
    api = client.get(f"/api/v1/notices/{notice.pk}", headers=token_for(world.lead)).json()
    assert PAYLOAD not in api["letter_html"] and "&lt;script&gt;" in api["letter_html"]


def test_a_public_form_error_echoes_the_input_escaped(world, client):
    response = client.post(
        "/public/appeal/",
        {"notice_reference": "", "grounds": PAYLOAD, "contact_name": PAYLOAD, "language": "en"},
    )
    assert response.status_code == 400
    assert PAYLOAD not in response.content.decode()
