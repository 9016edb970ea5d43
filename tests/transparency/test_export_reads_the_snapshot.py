"""Exports read the published snapshot, never the live register: changing a system's EU AI Act
Annex III point, stage, sector or high-impact determination after publication changes no
export until the record is reviewed and published again (two people). The one live fact an
export may show is a suspension, and only where the standard has a field for it; elsewhere it
is reported. Older snapshots without the Annex III point report it missing."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ombuds.registry.models import AISystem
from ombuds.transparency import exports
from ombuds.transparency.models import PublicRecord
from tests.transparency.helpers import publish
from tests.transparency.test_export_schemas import approve


def documents(agency) -> dict[str, object]:
    out = {}
    for fmt in exports.FORMATS:
        export = exports.build(fmt, agency)
        content = export.content.lstrip("\ufeff")
        if fmt in ("omb-2025", "csv"):
            body = list(csv.DictReader(io.StringIO(content)))
        else:
            body = json.loads(content)
        out[fmt] = (body, export)
    return out


def reported(export, system) -> dict[str, str]:
    return {m["field"]: m["message"] for m in export.missing if m["system"] == system.pk}


@pytest.fixture
def published(world):
    system = world.system_a
    AISystem.objects.filter(pk=system.pk).update(
        sector="public_benefits",
        stage="deployed",
        impact_determination="rights",
        eu_annex_iii_area=5,
    )
    system.refresh_from_db()
    approve(system, "eu-ai-act-fria", world.lead)
    publish(system, world.users["system_owner"], world.lead)
    return system


def test_register_changes_after_publication_reach_no_export(world, published):
    # Every fact changes in the live register, without a new review.
    AISystem.objects.filter(pk=published.pk).update(
        eu_annex_iii_area=2,
        stage="decommissioned",
        sector="healthcare",
        impact_determination="neither",
    )
    docs = documents(world.a)

    (us,), _ = docs["omb-2025"]
    assert us["development_stage"].startswith("c) Deployed")
    assert us["is_high_impact"] == "a) High-impact"
    assert us["topic_area"] == "Government Benefits Processing"

    atrs = docs["atrs"][0]["records"][0]
    assert atrs["title_information"]["phase"] == "Production"

    (eu,) = docs["eu-annex-viii-c"][0]["entries"]
    assert eu["annex_iii_point"] == 5 and eu["section"] == "public"
    assert eu["fria_summary"]

    (nl,) = docs["nl-register"][0]["registrations"]
    assert nl["status"] == "In gebruik"
    assert nl["category"] == ["Sociale zekerheid"]
    assert nl["publication_category"] == "Hoog-risico AI-systeem"

    (city,) = docs["eurocities"][0]["records"]
    assert city["status"] == "in use"
    assert city["domain"] == "subsidies, benefits and allowances"
    assert city["risk_category"] == "high impact"

    # The public register's own documents: the published facts too (their `stage` column is
    # the live stage by design, shown next to the stage at publication).
    (item,) = docs["json"][0]["items"]
    assert item["sector"] == "public_benefits" and item["high_impact"] is True
    assert item["eu_annex_iii_area"] == 5 and item["stage_at_publication"] == "deployed"
    (row,) = docs["csv"][0]
    assert row["sector"] == "public_benefits" and row["high_impact"] == "yes"


def test_a_suspension_shows_only_where_the_standard_has_a_field_for_it(world, published):
    AISystem.objects.filter(pk=published.pk).update(stage="suspended")
    docs = documents(world.a)
    # The Dutch and Eurocities status fields say "out of use" at once.
    assert docs["nl-register"][0]["registrations"][0]["status"] == "Buiten gebruik"
    assert docs["eurocities"][0]["records"][0]["status"] == "out of use"
    # The US inventory and ATRS have no such value: the published stage, and a report line.
    (us,), us_export = docs["omb-2025"]
    assert us["development_stage"].startswith("c) Deployed")
    assert "suspended now" in reported(us_export, published)["development_stage"]
    atrs, atrs_export = docs["atrs"]
    assert atrs["records"][0]["title_information"]["phase"] == "Production"
    assert "suspended now" in reported(atrs_export, published)["title_information.phase"]


def test_an_older_snapshot_without_the_annex_point_reports_it(world, published):
    version = PublicRecord.objects.get(system=published).current
    snap = version.snapshot
    del snap["system"]["eu_annex_iii_area"]
    type(version).objects.filter(pk=version.pk).update(snapshot=snap)
    docs = documents(world.a)
    (eu,), eu_export = docs["eu-annex-viii-c"][0]["entries"], docs["eu-annex-viii-c"][1]
    assert eu["annex_iii_point"] is None
    assert "publish it again" in reported(eu_export, published)["annex_iii_point"]
    (nl,), nl_export = docs["nl-register"][0]["registrations"], docs["nl-register"][1]
    assert nl["publication_category"] is None
    assert "publish it again" in reported(nl_export, published)["publication_category"]
