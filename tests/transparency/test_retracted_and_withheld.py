"""A retracted record is gone from the public (404 everywhere); a withheld one shows only a
notice with its legal ground, and counts by ground on the agency page."""

from __future__ import annotations

from ombuds.transparency import services
from tests.transparency.helpers import FIELDS, publish


def test_retracted_record_is_404_and_absent_from_every_export(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead, what_it_does="Ranks claims")
    assert client.get(f"/public/systems/{world.system_a.pk}/").status_code == 200
    services.retract(world.lead, world.system_a, "The description was wrong.")
    assert client.get(f"/public/systems/{world.system_a.pk}/").status_code == 404
    assert client.get(f"/public/systems/{world.system_a.pk}/?format=json").status_code == 404
    assert "Alpha" not in client.get("/public/").content.decode()
    assert client.get("/public/register.json").json()["items"] == []
    assert "Alpha" not in client.get("/public/register.csv").content.decode()
    feed = client.get("/public/feed.atom").content.decode()
    assert "Retracted: Alpha" in feed and "The description was wrong." in feed


def test_a_new_draft_does_not_change_the_published_page(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    services.save_draft(world.users["system_owner"], world.system_a, {"risks": "LIVE DRAFT"})
    page = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert "LIVE DRAFT" not in page and FIELDS["risks"] in page


def test_withheld_record_shows_only_the_notice(world, client):
    services.save_draft(world.users["system_owner"], world.system_a, FIELDS)
    services.withhold(world.lead, world.system_a, "Security Act, section 12")
    response = client.get(f"/public/systems/{world.system_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Security Act, section 12" in html and "Record withheld" in html
    for value in FIELDS.values():
        assert value not in html
    assert "Alpha" not in html
    data = client.get(f"/public/systems/{world.system_a.pk}/?format=json").json()
    assert data == {
        "schema": "ombuds.public-record/1",
        "id": world.system_a.pk,
        "withheld": True,
        "legal_ground": "Security Act, section 12",
        "agency": {"slug": "agency-a", "name": "Agency A", "country": "CA"},
    }
    agency = client.get("/public/agencies/agency-a/?format=json").json()
    assert agency["counts"]["withheld"] == 1
    assert agency["counts"]["withheld_by_ground"] == [
        {"legal_ground": "Security Act, section 12", "count": 1}
    ]
    assert agency["items"] == []
    assert "Security Act, section 12" in client.get("/public/agencies/agency-a/").content.decode()
    assert client.get("/public/register.json").json()["withheld"] == [
        {"legal_ground": "Security Act, section 12", "count": 1}
    ]


def test_never_published_record_is_404(world, client):
    services.save_draft(world.users["system_owner"], world.system_a, FIELDS)
    assert client.get(f"/public/systems/{world.system_a.pk}/").status_code == 404
    assert client.get("/public/systems/999999/").status_code == 404


def test_staff_pages_retract_and_withhold(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    client.force_login(world.lead)
    base = f"/systems/{world.system_a.pk}/public-record"
    page = client.post(base + "/retract/", {"reason": ""}, follow=True).content.decode()
    assert "Say why the record is retracted." in page
    assert client.get(f"/public/systems/{world.system_a.pk}/").status_code == 200
    client.post(base + "/retract/", {"reason": "Out of date."})
    assert client.get(f"/public/systems/{world.system_a.pk}/").status_code == 404
    short = client.post(base + "/withhold/", {"legal_ground": "Police Act"}, follow=True)
    assert "Legal ground: name the law and its provision" in short.content.decode()
    assert client.get(f"/public/systems/{world.system_a.pk}/").status_code == 404
    client.post(base + "/withhold/", {"legal_ground": "Police Act, section 4(2)"})
    notice = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert "Police Act, section 4(2)" in notice
    client.force_login(world.users["system_owner"])
    assert client.post(base + "/withhold/", {"legal_ground": "x"}).status_code == 403
