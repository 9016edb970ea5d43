"""Agencies copy and adapt a shipped module, or write their own for a system: the same
structure, validated the same way, required by the systems it is linked to."""

from __future__ import annotations

from ombuds.people import rules
from ombuds.people.models import AgencyModule


def test_copy_adapt_and_link_a_module(world, client):
    from ombuds.registry import determination

    determination.determine(
        world.system_a, world.lead, answers={}, determination="neither", justification="Low."
    )
    world.system_a.refresh_from_db()
    assert rules.required_modules(world.system_a) == []  # not high-impact: nothing general
    client.force_login(world.lead)
    page = client.get(f"/agencies/{world.a.slug}/training/new/?from=general.automation-bias")
    text = page.context["form"].initial["text"]
    assert "id: agency-a.automation-bias" in text and "based_on: general.automation-bias" in text
    adapted = text.replace(
        "title: Automation bias and how to resist it",
        "title: Automation bias at Agency A",
    )
    response = client.post(
        f"/agencies/{world.a.slug}/training/new/",
        {"text": adapted, "systems": [world.system_a.pk]},
    )
    assert response.status_code == 302
    row = AgencyModule.objects.get(agency=world.a)
    assert row.key == "agency-a.automation-bias" and row.title == "Automation bias at Agency A"
    required = [f.id for f in rules.required_modules(world.system_a)]
    assert required == ["agency-a.automation-bias"]  # linked to the system: required
    # Agency B does not see it.
    assert "agency-a.automation-bias" not in rules.agency_modules(world.b.pk)


def test_a_broken_module_is_refused_with_the_problem(world, client):
    client.force_login(world.lead)
    bad = "id: agency-a.thing\nversion: 1\ntitle: Thing\nobjectives: [x]\n"
    response = client.post(f"/agencies/{world.a.slug}/training/new/", {"text": bad})
    assert response.status_code == 200
    assert "module &#x27;agency-a.thing&#x27;: &#x27;materials&#x27; must list" in (
        response.content.decode()
    )
    from ombuds.people import modules

    shipped = modules.source_text("general.automation-bias")  # pasted without renaming
    response = client.post(f"/agencies/{world.a.slug}/training/new/", {"text": shipped})
    assert "must start with agency-a." in response.content.decode()
    assert not AgencyModule.objects.exists()


def test_only_leads_manage_modules(world, client):
    client.force_login(world.users["system_owner"])
    assert client.get(f"/agencies/{world.a.slug}/training/new/").status_code == 403
