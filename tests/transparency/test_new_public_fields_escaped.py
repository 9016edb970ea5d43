"""Script payloads in every new public field — consultation texts set by staff, comments and
names from the public, responses, answers, notes, translations and the agency's policy — show as
text and never run."""

from __future__ import annotations

import re

from ombuds.transparency import services
from tests.transparency.helpers import open_consultation, publish

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_payloads_in_consultations_comments_requests_and_policy(world, client):
    system = world.system_a
    publish(
        system,
        world.users["system_owner"],
        world.lead,
        opt_out_available=True,
        translations={"fr": {"what_it_does": f"fr {PAYLOAD}"}},
    )
    consultation = open_consultation(
        system,
        world.lead,
        title=f"Title {PAYLOAD}",
        description=f"About {PAYLOAD}",
        questions=[f"Question {PAYLOAD}"],
    )
    base = f"/public/systems/{system.pk}/consultations/{consultation.pk}/"
    response = client.post(
        base, {"answer_0": f"Answer {PAYLOAD}", "name": f"Name {PAYLOAD}", "show_name": "on"}
    )
    assert response.status_code == 200
    for comment in consultation.comments.all():
        services.moderate(world.lead, comment, True)
    services.close_consultation(world.lead, consultation)
    services.publish_response(world.lead, consultation, f"Heard {PAYLOAD}", f"Changed {PAYLOAD}")
    services.save_policy(world.lead, world.a, {"text": f"- Item {PAYLOAD}\n- Two"})

    error_page = client.post(
        f"/public/systems/{system.pk}/record-error/", {"description": f"Wrong {PAYLOAD}"}
    ).content.decode()
    error_link = re.search(r'id="status-link" href="([^"]+)"', error_page).group(1)
    report = system.record_errors.get()
    services.answer_record_error(world.lead, report, "answered", f"Answer {PAYLOAD}")

    optout_page = client.post(
        f"/public/systems/{system.pk}/opt-out/",
        {"contact_email": "p@example.net", "details": f"Details {PAYLOAD}"},
    ).content.decode()
    optout_link = re.search(r'id="status-link" href="([^"]+)"', optout_page).group(1)
    request = system.optout_requests.get()
    services.handle_opt_out(
        world.lead, request, {"status": "honoured", "how": "other", "note": f"Note {PAYLOAD}"}
    )

    pages = {
        "system": f"/public/systems/{system.pk}/",
        "system fr": f"/public/systems/{system.pk}/?lang=fr",
        "consultation": base,
        "agency": "/public/agencies/agency-a/",
        "error status": error_link,
        "opt-out status": optout_link,
    }
    for what, url in pages.items():
        body = client.get(url).content.decode()
        assert "<script>" not in body, what
        assert ESCAPED in body, what
    consultation_page = client.get(base).content.decode()
    assert consultation_page.count(ESCAPED) >= 6  # title, description, question, answer, name...
    staff = client.__class__()
    staff.force_login(world.lead)
    for url in (
        f"/systems/{system.pk}/consultations/{consultation.pk}/",
        f"/systems/{system.pk}/record-errors/{report.pk}/",
        f"/systems/{system.pk}/opt-out-requests/{request.pk}/",
    ):
        body = staff.get(url).content.decode()
        assert "<script>" not in body and ESCAPED in body, url
