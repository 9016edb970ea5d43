"""The register's exports (JSON, CSV, Atom), the agency page's counts, a record's change history
and the suspension notice, all from published snapshots."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from ombuds.monitoring.models import Alert
from ombuds.registry.models import AISystem
from ombuds.transparency import services
from tests.assessments.builders import watch
from tests.transparency.helpers import publish


def test_register_json_and_csv(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead, what_it_does="Ranks claims")
    data = client.get("/public/register.json").json()
    assert data["schema"] == "ombuds.public-register/1" and data["count"] == 1
    item = data["items"][0]
    assert item["name"] == "Alpha" and item["agency"]["country"] == "CA"
    assert item["fields"]["what_it_does"] == "Ranks claims"
    response = client.get("/public/register.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["name"] == "Alpha" and rows[0]["what_it_does"] == "Ranks claims"
    assert rows[0]["agency"] == "agency-a"


def test_feed_lists_publications_and_retractions(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    services.retract(world.lead, world.system_a, "Rewriting it.")
    response = client.get("/public/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == ["Retracted: Alpha", "Published: Alpha (version 1)"]


def test_history_of_versions_and_derived_facts(world, client):
    owner = world.users["system_owner"]
    publish(world.system_a, owner, world.lead, risks="First")
    services.retract(world.lead, world.system_a, "Wrong risks.")
    monitor = watch(world.system_a, world.lead)
    Alert.objects.create(
        system=world.system_a, monitor=monitor, severity="critical", metric="m", message="x"
    )
    publish(world.system_a, owner, world.lead, risks="Second")
    data = client.get(f"/public/systems/{world.system_a.pk}/?format=json").json()
    assert data["fields"]["risks"] == "Second" and data["version"] == 3
    assert [h["kind"] for h in data["history"]] == ["published", "retracted", "published"]
    assert data["history"][1]["reason"] == "Wrong risks."
    assert data["monitoring"] == "under_review"
    page = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert "Under review" in page and "Wrong risks." in page
    assert 'href="/public/report/"' in page


def test_suspension_notice_is_prominent(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    AISystem.objects.filter(pk=world.system_a.pk).update(stage="suspended")
    page = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert 'role="alert"' in page and "This system is suspended" in page
    assert page.index("This system is suspended") < page.index("<h1>")


def test_agency_page_counts(world, client, make_system):
    publish(world.system_a, world.users["system_owner"], world.lead)
    high = make_system(world.a, "Gamma", impact_determination="rights")
    publish(high, world.users["system_owner"], world.lead)
    data = client.get("/public/agencies/agency-a/?format=json").json()
    assert data["counts"]["published"] == 2 and data["counts"]["high_impact"] == 1
    assert [i["name"] for i in data["items"]] == ["Alpha", "Gamma"]
    assert client.get("/public/agencies/no-such/").status_code == 404


def test_public_urls_have_no_language_prefix_or_redirect(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead)
    for url in ("/public/", f"/public/systems/{world.system_a.pk}/", "/public/agencies/agency-a/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200
        assert response["Content-Language"] == "fr"
    page = client.get("/public/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Registro de sistemas de IA usados por organismos públicos" in page
