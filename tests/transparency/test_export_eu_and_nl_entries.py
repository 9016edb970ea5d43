"""The EU and Dutch entries say only what is true: the EU fundamental rights impact assessment
summary (Annex VIII C item 4) is given only when a FRIA was approved; Annex III point 2
(critical infrastructure) systems are registered at national level (Art. 49(5)), so they get no
EU database entry but a report line; the Dutch `website` is the organisation's own page about
the process (not Ombuds' register page, which goes in `url`), so it is left empty and reported."""

from __future__ import annotations

import json

from ombuds.registry.models import AISystem
from ombuds.transparency import exports
from ombuds.transparency.models import PublicRecord
from tests.transparency.helpers import FIELDS, publish
from tests.transparency.test_export_schemas import approve


def entries(agency):
    export = exports.build("eu-annex-viii-c", agency)
    doc = json.loads(export.content)
    return {e["ai_system"]["name"]: e for e in doc["entries"]}, export


def reported(export, system) -> dict[str, str]:
    return {m["field"]: m["message"] for m in export.missing if m["system"] == system.pk}


def annexed(world, make_system, name, point):
    system = make_system(world.a, name)
    AISystem.objects.filter(pk=system.pk).update(
        eu_annex_iii_area=point, impact_determination="rights", stage="deployed"
    )
    system.refresh_from_db()
    return system


def test_fria_summary_only_when_a_fria_was_approved(world, make_system):
    with_fria = annexed(world, make_system, "With FRIA", 5)
    without = annexed(world, make_system, "Impact assessment only", 5)
    approve(with_fria, "eu-ai-act-fria", world.lead, level=2)
    approve(without, "ombuds-impact-assessment", world.lead, level=2)
    for system in (with_fria, without):
        publish(system, world.users["system_owner"], world.lead)
    by_name, export = entries(world.a)
    assert FIELDS["risks"] in by_name["With FRIA"]["fria_summary"]
    assert "fria_summary" not in reported(export, with_fria)
    assert by_name["Impact assessment only"]["fria_summary"] is None
    assert "no FRIA published" in reported(export, without)["fria_summary"]


def test_an_older_snapshot_without_approved_templates_gives_no_fria(world, make_system):
    system = annexed(world, make_system, "Old", 5)
    approve(system, "eu-ai-act-fria", world.lead)
    publish(system, world.users["system_owner"], world.lead)
    version = PublicRecord.objects.get(system=system).current
    snap = version.snapshot
    del snap["system"]["approved_assessments"]
    type(version).objects.filter(pk=version.pk).update(snapshot=snap)
    by_name, export = entries(world.a)
    assert by_name["Old"]["fria_summary"] is None
    assert "publish it again" in reported(export, system)["fria_summary"]


def test_critical_infrastructure_is_registered_nationally_not_in_the_eu_database(
    world, make_system
):
    grid = annexed(world, make_system, "Grid balancing", 2)
    benefits = annexed(world, make_system, "Benefit triage", 5)
    for system in (grid, benefits):
        publish(system, world.users["system_owner"], world.lead)
    by_name, export = entries(world.a)
    assert "Grid balancing" not in by_name and "Benefit triage" in by_name
    assert export.count == 1
    assert "Art. 49(5)" in reported(export, grid)["annex_iii_point"]


def test_dutch_website_is_not_the_register_page(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    export = exports.build("nl-register", world.a, "https://register.example")
    (row,) = json.loads(export.content)["registrations"]
    assert row["website"] is None
    assert "website" in reported(export, world.system_a)
    # The register page (machine-readable, as the standard asks) is the source registration.
    assert row["url"] == f"https://register.example/public/systems/{world.system_a.pk}/?format=json"
