"""The new public pages (system page, consultation page and its JSON twins, agency page, forms)
never show what is not public: comments waiting for moderation or kept back and why, names
given without consent to show them, the contact details and words of people who asked to opt
out or reported an error, or the staff who handled them."""

from __future__ import annotations

from ombuds.transparency import services
from tests.transparency.helpers import open_consultation, publish

SECRETS = {
    "pending": "MKpending01",
    "rejected": "MKrejected02",
    "reason": "MKreason03",
    "hidden_name": "MKhiddenname04",
    "optout_email": "mkoptout05@example.net",
    "optout_phone": "+44 20 7946 0555",
    "optout_name": "MKoptoutname07",
    "optout_details": "MKoptoutdetails08",
    "optout_case": "MKcase09",
    "error_text": "MKerrortext10",
    "error_email": "mkerror11@example.net",
    "handler": "mkhandler12",
}


def test_nothing_private_reaches_the_new_public_pages(world, client, make_user):
    system = world.system_a
    publish(system, world.users["system_owner"], world.lead, opt_out_available=True)
    handler = make_user(SECRETS["handler"], world.a, "governance_lead")
    consultation = open_consultation(system, world.lead)
    services.submit_comment(consultation, answers={None: SECRETS["pending"]})
    rejected = services.submit_comment(consultation, answers={0: SECRETS["rejected"]})
    services.moderate(handler, rejected[0], False, SECRETS["reason"])
    published = services.submit_comment(
        consultation, answers={1: "A public answer."}, name=SECRETS["hidden_name"]
    )
    services.moderate(handler, published[0], True)
    request, _t = services.request_opt_out(
        system,
        {
            "name": SECRETS["optout_name"],
            "contact_email": SECRETS["optout_email"],
            "contact_phone": SECRETS["optout_phone"],
            "details": SECRETS["optout_details"],
            "case_reference": SECRETS["optout_case"],
        },
    )
    services.handle_opt_out(handler, request, {"status": "honoured", "how": "person"})
    services.report_record_error(
        system, description=SECRETS["error_text"], contact_email=SECRETS["error_email"]
    )
    base = f"/public/systems/{system.pk}/"
    urls = [
        base,
        base + "?format=json",
        base + "?lang=fr",
        f"{base}consultations/{consultation.pk}/",
        f"{base}consultations/{consultation.pk}/?format=json",
        f"{base}opt-out/",
        f"{base}record-error/",
        "/public/agencies/agency-a/",
        "/public/agencies/agency-a/?format=json",
        "/public/",
        "/public/register.json",
        "/public/register.csv",
        "/public/feed.atom",
    ]
    leaks = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        leaks += [(url, name) for name, secret in SECRETS.items() if secret in body]
    assert not leaks, leaks
    page = client.get(f"{base}consultations/{consultation.pk}/").content.decode()
    assert "A public answer." in page
