"""The reporter follows the report with the secret link: status and public responses only.
A wrong secret is a 404, the same as a reference that does not exist."""

from __future__ import annotations

import pytest

from ombuds.feedback import services

pytestmark = pytest.mark.django_db


def test_the_link_shows_status_and_public_responses_only(client, world, public_report, t0):
    report, token = public_report
    services.triage(
        world.lead,
        report,
        "acknowledged",
        "Internal: owner is Team Blue.",
        public_response="Thank you, we are looking into it.",
        now=t0,
    )
    for url in (
        f"/public/report/{report.reference}/{token}/",
        f"/public/report/{report.reference}/?token={token}",
        f"/public/report/{report.reference.lower()}/{token}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert report.reference in html
        assert "Acknowledged" in html
        assert "Thank you, we are looking into it." in html
        assert "Team Blue" not in html  # internal notes stay internal
        assert "refuse appointments" not in html  # nor is the description repeated
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "no-referrer"


def test_a_wrong_secret_is_not_found(client, world, public_report):
    report, token = public_report
    other, other_token = services.submit_public_report(
        agency=world.b, system=None, kind="harm", description="d", client_address=""
    )
    altered = token[:-1] + ("y" if token.endswith("x") else "x")
    assert client.get(f"/public/report/{report.reference}/{altered}/").status_code == 404
    assert client.get(f"/public/report/{report.reference}/?token=nope").status_code == 404
    assert client.get(f"/public/report/{report.reference}/{other_token}/").status_code == 404
    assert client.get(f"/public/report/R-2222-2222/{token}/").status_code == 404


def test_without_a_secret_the_page_asks_for_it_and_reveals_nothing(client, public_report):
    report, _token = public_report
    known = client.get(f"/public/report/{report.reference}/")
    unknown = client.get("/public/report/R-2222-2222/")
    assert known.status_code == unknown.status_code == 200
    assert 'name="token"' in known.content.decode()
    assert "Agency A" not in known.content.decode()


def test_the_status_follows_triage_to_the_end(client, world, public_report, t0):
    report, token = public_report
    url = f"/public/report/{report.reference}/{token}/"
    for step in ("acknowledged", "investigating", "not_reproducible"):
        services.triage(world.lead, report, step, "n", now=t0)
    html = client.get(url).content.decode()
    assert 'id="status">Could not be reproduced<' in html
    assert "No response yet." in html
