"""Every export, built from a register with systems at every stage, conforms to the schema
written for its standard: each value has the right type, an allowed value and a length within
the limit, and every required field is either filled or reported missing for that system."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ombuds.registry.models import AISystem
from ombuds.transparency import exports
from ombuds.transparency.exports import atrs, eu_annex_viii_c, eurocities, nl_register, omb_2025
from ombuds.transparency.exports.schema import check
from tests.transparency.helpers import FIELDS, publish


def approve(system, template_id, author, **values):
    """An approved assessment of `template_id` (as the assessments app leaves one)."""
    from django.utils import timezone

    from ombuds.assessments.models import Assessment

    return Assessment.objects.create(
        system=system,
        template_id=template_id,
        template_version=1,
        status="approved",
        approved_at=timezone.now(),
        author=author,
        **values,
    )


LONG = "This first sentence explains what the system does in some detail. " * 10


@pytest.fixture
def register(world, make_system):
    """Published systems of agency A at each stage and determination."""
    drafter, lead = world.users["system_owner"], world.lead
    specs = [
        ("Benefit triage", "deployed", "rights", 5, {}),
        ("Pilot chatbot", "pilot", "neither", None, {}),
        ("Undetermined tool", "design", "", None, {"what_it_does": LONG}),
        ("Retired scorer", "decommissioned", "safety", None, {}),
        ("Border check", "deployed", "both", 7, {}),
        ("N" * 150, "suspended", "neither", None, {}),
    ]
    systems = []
    for name, stage, impact, annex, fields in specs:
        system = make_system(world.a, name)
        AISystem.objects.filter(pk=system.pk).update(
            stage=stage, impact_determination=impact, eu_annex_iii_area=annex
        )
        system.refresh_from_db()
        if name == "Benefit triage":
            approve(system, "eu-ai-act-fria", lead)
        publish(system, drafter, lead, **fields)
        systems.append(system)
    return systems


def reported(export) -> set[tuple[int, str]]:
    return {(m["system"], m["field"]) for m in export.missing}


def assert_conforms(rows_by_system, fields_of, export, prefix=""):
    """No error but 'required' ones, and each of those reported for its system."""
    missing = reported(export)
    for system_id, row in rows_by_system:
        for error in check(row, fields_of(row)):
            name, _, problem = error.partition(": ")
            assert problem == "required", (system_id, error)
            assert (system_id, prefix + name) in missing, (system_id, error)


def ids(register):
    return sorted((s.pk for s in register), key=lambda pk: pk)


def test_omb_2025_csv_conforms(register):
    export = exports.build("omb-2025", register[0].agency)
    assert export.content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(export.content.lstrip("\ufeff"))))
    assert list(rows[0].keys()) == omb_2025.COLUMNS and len(rows) == len(register)
    by_id = {}
    for row in rows:
        data = {k: (v or None) for k, v in row.items()}
        system_id = int(data["id"].rsplit("-", 1)[1])
        by_id[system_id] = data
    assert_conforms(by_id.items(), lambda r: omb_2025.FIELDS, export)
    triage = by_id[register[0].pk]
    assert triage["is_high_impact"] == "a) High-impact"
    assert triage["development_stage"].startswith("c) Deployed")
    # A "how to complain" text is not an established appeal process: empty and reported.
    assert FIELDS["complaints"] and triage["hi_appeal_process"] is None
    assert (register[0].pk, "hi_appeal_process") in reported(export)
    # High-impact practice columns stay empty where they do not apply.
    pilot = by_id[register[1].pk]
    assert all(pilot[c] is None for c in omb_2025.HI_COLUMNS)
    assert pilot["is_high_impact"] == "c) Not high-impact"
    assert (register[1].pk, "hi_testing_conducted") not in reported(export)
    assert (register[2].pk, "is_high_impact") in reported(export)


def test_atrs_records_conform(register):
    export = exports.build("atrs", register[0].agency)
    doc = json.loads(export.content)
    assert doc["standard_version"] == "4.0" and len(doc["records"]) == len(register)
    for record in doc["records"]:
        system_id = record["source"]["system"]
        for section, spec in atrs.SECTIONS.items():
            assert_conforms(
                [(system_id, record[section])], lambda r, s=spec: s, export, f"{section}."
            )
        assert record["tiers"]["tier_1"] == ["summary_information"]
        assert "owner_and_responsibility" in record["tiers"]["tier_2"]
    phases = {r["source"]["system"]: r["title_information"]["phase"] for r in doc["records"]}
    assert phases[register[0].pk] == "Production" and phases[register[3].pk] == "Retired"
    assert phases[register[1].pk] is None  # a pilot: private or public beta is not known
    assert (register[1].pk, "title_information.phase") in reported(export)


def test_eu_annex_viii_c_entries_conform(register):
    export = exports.build("eu-annex-viii-c", register[0].agency)
    entries = json.loads(export.content)["entries"]
    by_name = {e["ai_system"]["name"]: e for e in entries}
    for entry in entries:
        system_id = next(s.pk for s in register if s.name == entry["ai_system"]["name"])
        assert_conforms([(system_id, entry)], eu_annex_viii_c.fields_for, export)
        for party in ("deployer", "submitter"):
            assert_conforms(
                [(system_id, entry[party])], lambda r: eu_annex_viii_c.PARTY, export, f"{party}."
            )
    # Annex III point 7 (migration): the non-public section, items 1-3 only.
    border = by_name["Border check"]
    assert border["section"] == "non-public"
    assert "fria_summary" not in border and "dpia_summary" not in border
    triage = by_name["Benefit triage"]
    assert triage["section"] == "public" and triage["deployer"]["name"] == "Agency A"
    assert FIELDS["risks"] in triage["fria_summary"]


def test_nl_register_registrations_conform(register):
    export = exports.build("nl-register", register[0].agency)
    rows = json.loads(export.content)["registrations"]
    assert len(rows) == len(register)
    for row in rows:
        system_id = int(row["source_id"].rsplit("-", 1)[1])
        assert_conforms([(system_id, row)], lambda r: nl_register.FIELDS, export)
    by_id = {int(r["source_id"].rsplit("-", 1)[1]): r for r in rows}
    # Too long for the register: empty and reported, never cut.
    assert by_id[register[5].pk]["name"] is None
    assert (register[5].pk, "name") in reported(export)
    # A long description: whole leading sentences within 400 characters.
    short = by_id[register[2].pk]["description_short"]
    assert short and len(short) <= 400 and short.endswith(".") and LONG.startswith(short)
    assert by_id[register[4].pk]["publication_category"] == "Hoog-risico AI-systeem"
    assert by_id[register[1].pk]["status"] == "In gebruik"


def test_eurocities_records_conform(register):
    export = exports.build("eurocities", register[0].agency)
    rows = json.loads(export.content)["records"]
    names = {s.name: s.pk for s in register}
    for row in rows:
        assert_conforms([(names[row["name"]], row)], lambda r: eurocities.FIELDS, export)
    assert all(r["standard_version"] == "0.3.1" for r in rows)


def test_missing_information_is_reported_per_system_and_never_invented(register):
    export = exports.build("omb-2025", register[0].agency)
    systems = {m["system"] for m in export.missing}
    assert systems == {s.pk for s in register}
    for entry in export.missing:
        assert set(entry) >= {"system", "name", "field", "message"} and entry["message"]
    rows = list(csv.DictReader(io.StringIO(export.content.lstrip("\ufeff"))))
    # The register's non-public bureau/team is never filled in.
    assert all(r["agency_bureau"] == "" for r in rows)
