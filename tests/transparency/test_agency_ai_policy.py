"""An agency's governance lead writes its AI policy, with translations; the agency's public page
shows it in the visitor's language, as safe text."""

from __future__ import annotations

from ombuds.transparency.models import AgencyPolicy

POLICY = "# Our rules\n\nWe use AI only with a person in charge.\n\n- We publish every system\n- We answer within 15 days"


def test_the_lead_writes_it_and_the_public_reads_it(world, client):
    client.force_login(world.lead)
    response = client.post(
        "/agencies/agency-a/ai-policy/",
        {"text": POLICY, "text_fr": "Nous utilisons l'IA avec une personne responsable."},
    )
    assert response.status_code == 302
    client.logout()
    page = client.get("/public/agencies/agency-a/").content.decode()
    assert "<h3>Our rules</h3>" in page
    assert "<li>We publish every system</li>" in page
    french = client.get("/public/agencies/agency-a/?lang=fr").content.decode()
    assert 'lang="fr"' in french and "personne responsable" in french
    assert "We publish every system" not in french
    spanish = client.get("/public/agencies/agency-a/?lang=es").content.decode()
    assert "We publish every system" in spanish
    data = client.get("/public/agencies/agency-a/?format=json").json()
    assert data["policy"]["text"] == POLICY and data["policy"]["language"] == "en"


def test_only_a_governance_lead_of_the_agency_writes_it(world, client):
    client.force_login(world.users["system_owner"])
    assert client.post("/agencies/agency-a/ai-policy/", {"text": "x"}).status_code == 403
    client.force_login(world.other_lead)
    assert client.post("/agencies/agency-a/ai-policy/", {"text": "x"}).status_code == 404
    assert not AgencyPolicy.objects.exists()


def test_an_agency_without_a_policy_says_so(world, client):
    page = client.get("/public/agencies/agency-b/").content.decode()
    assert "has not published an AI policy" in page
