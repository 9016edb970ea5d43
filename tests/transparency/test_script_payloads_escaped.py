"""Script payloads in every public field — including a system and agency name set by staff —
show as text on every public page, and stay inert in the feed."""

from __future__ import annotations

from ombuds.core.models import Agency
from ombuds.registry.models import AISystem
from ombuds.transparency import services
from tests.transparency.helpers import FIELDS, publish

PAYLOAD = "<script>alert(1)</script>"


def test_payloads_are_escaped_everywhere(world, client):
    AISystem.objects.filter(pk=world.system_a.pk).update(name=f"Alpha {PAYLOAD}")
    Agency.objects.filter(pk=world.a.pk).update(name=f"Agency {PAYLOAD}")
    world.system_a.refresh_from_db()
    fields = {k: f"{k} {PAYLOAD}" for k in FIELDS if k != "contact"}
    fields["contact"] = f"x{PAYLOAD}"
    publish(world.system_a, world.users["system_owner"], world.lead, **fields)
    services.withhold(world.other_lead, world.system_b, f"Law {PAYLOAD}")
    pages = [
        "/public/",
        f"/public/systems/{world.system_a.pk}/",
        f"/public/systems/{world.system_b.pk}/",
        "/public/agencies/agency-a/",
        "/public/agencies/agency-b/",
        "/public/feed.atom",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "<script>" not in body, url
    page = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("&lt;script&gt;") >= len(FIELDS) + 2
    data = client.get(f"/public/systems/{world.system_a.pk}/?format=json")
    assert data["Content-Type"].startswith("application/json")
    assert data.json()["name"] == f"Alpha {PAYLOAD}"


def test_csv_cells_never_start_a_formula(world, client):
    publish(world.system_a, world.users["system_owner"], world.lead, what_it_does="=HYPERLINK(1)")
    body = client.get("/public/register.csv").content.decode()
    assert "'=HYPERLINK(1)" in body
