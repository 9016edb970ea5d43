"""The US 2025 inventory's values come from explicit published facts only: a system the rules
presumed high-impact but a person determined not is "b) Presumed high-impact, but determined
not" (and its justification, staff text, is reported missing, never published); an older
snapshot cannot tell b) from c); the high-impact practice columns are not guessed from a
complaints text, a test done after deployment or a bare impact level; the topic area is left
to the agency where the sector does not decide it; and the conditional columns become
required exactly when their condition holds."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from ombuds.evaluations.models import Evaluation
from ombuds.evaluations.services import record_result
from ombuds.registry.models import AISystem, StageChange
from ombuds.transparency import exports
from ombuds.transparency.exports import omb_2025
from ombuds.transparency.exports.schema import check
from ombuds.transparency.models import PublicRecord
from tests.transparency.helpers import publish
from tests.transparency.test_export_schemas import approve

JUSTIFICATION = "MKjustification-presumed-but-not"
PRESUMED_NOT = "b) Presumed high-impact, but determined not high impact"


def make(world, make_system, name, *, sector, role, impact, stage="deployed", **fields):
    system = make_system(world.a, name, sector=sector)
    AISystem.objects.filter(pk=system.pk).update(
        decision_role=role,
        impact_determination=impact,
        impact_justification=JUSTIFICATION if impact == "neither" else "",
        stage=stage,
    )
    system.refresh_from_db()
    return system


def rows(export) -> dict[int, dict]:
    out = {}
    for row in csv.DictReader(io.StringIO(export.content.lstrip("\ufeff"))):
        out[int(row["id"].rsplit("-", 1)[1])] = {k: (v or None) for k, v in row.items()}
    return out


def reported(export, system) -> dict[str, str]:
    return {m["field"]: m["message"] for m in export.missing if m["system"] == system.pk}


def test_presumed_high_impact_but_determined_not_is_value_b(world, make_system):
    # Public benefits + recommends decisions: presumed rights-impacting (M-25-21).
    presumed = make(
        world,
        make_system,
        "Presumed",
        sector="public_benefits",
        role="recommendation",
        impact="neither",
    )
    plain = make(world, make_system, "Plain", sector="other", role="other", impact="neither")
    for system in (presumed, plain):
        publish(system, world.users["system_owner"], world.lead)
    export = exports.build("omb-2025", world.a)
    by_id = rows(export)
    assert by_id[presumed.pk]["is_high_impact"] == PRESUMED_NOT
    assert by_id[plain.pk]["is_high_impact"] == "c) Not high-impact"
    # b) needs the justification: it is staff text, so it is reported, never published.
    assert by_id[presumed.pk]["HI_justification"] is None
    assert "HI_justification" in reported(export, presumed)
    assert "HI_justification" not in reported(export, plain)
    assert JUSTIFICATION not in export.content
    assert JUSTIFICATION not in str(export.missing)


def test_an_older_snapshot_cannot_tell_b_from_c(world, make_system):
    presumed = make(
        world,
        make_system,
        "Presumed",
        sector="public_benefits",
        role="recommendation",
        impact="neither",
    )
    publish(presumed, world.users["system_owner"], world.lead)
    version = PublicRecord.objects.get(system=presumed).current
    snap = version.snapshot
    del snap["system"]["presumed_high_impact"]
    type(version).objects.filter(pk=version.pk).update(snapshot=snap)
    export = exports.build("omb-2025", world.a)
    assert rows(export)[presumed.pk]["is_high_impact"] is None
    assert "cannot tell b) from c)" in reported(export, presumed)["is_high_impact"]


def audit(world, system, days_ago: int) -> None:
    result = {
        "schema": "ombuds.audit/1",
        "config": {"protected": ["sex"]},
        "groups": [
            {"attributes": {"sex": "f"}, "n": 400, "suppressed": False, "metrics": {}},
            {"attributes": {"sex": "m"}, "n": 300, "suppressed": False, "metrics": {}},
        ],
        "disparities": [],
        "findings": [],
    }
    ev = record_result(world.lead, system, result, characteristics={"sex": "sex_gender"})
    Evaluation.objects.filter(pk=ev.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def deployed(system, days_ago: int) -> None:
    StageChange.objects.create(
        system=system,
        from_stage="pilot",
        to_stage="deployed",
        reason="Pilot went well.",
        at=timezone.now() - dt.timedelta(days=days_ago),
    )


@pytest.fixture
def high_impact(world, make_system):
    """Two high-impact deployed systems, whose records say "There is no appeal": one tested
    before it went into use, one only after; only an impact level on the second."""
    no_appeal = {"complaints": "There is no appeal against this decision."}
    before = make(
        world,
        make_system,
        "Tested before",
        sector="public_benefits",
        role="recommendation",
        impact="rights",
    )
    after = make(
        world,
        make_system,
        "Tested after",
        sector="public_benefits",
        role="recommendation",
        impact="rights",
    )
    audit(world, before, days_ago=60)
    deployed(before, days_ago=30)
    deployed(after, days_ago=60)
    audit(world, after, days_ago=10)
    approve(before, "ombuds-impact-assessment", world.lead, level=2, decision="deploy")
    AISystem.objects.filter(pk=after.pk).update(impact_level=None)
    for system in (before, after):
        publish(system, world.users["system_owner"], world.lead, **no_appeal)
    return before, after


def test_practice_columns_are_filled_only_from_explicit_facts(world, high_impact):
    before, after = high_impact
    export = exports.build("omb-2025", world.a)
    by_id = rows(export)
    # The complaints text is not an established appeal process.
    for system in (before, after):
        assert by_id[system.pk]["hi_appeal_process"] is None
        assert "hi_appeal_process" in reported(export, system)
    # Tested before it went into use: a) Yes. Tested only after: empty, reported.
    assert by_id[before.pk]["hi_testing_conducted"] == "a) Yes"
    assert by_id[after.pk]["hi_testing_conducted"] is None
    assert "hi_testing_conducted" in reported(export, after)
    # An approved assessment: a) Yes; none: empty, reported (never "In-progress").
    assert by_id[before.pk]["hi_assessment_completed"] == "a) Yes"
    assert by_id[after.pk]["hi_assessment_completed"] is None
    assert "hi_assessment_completed" in reported(export, after)


def test_a_bare_impact_level_counts_as_an_approved_assessment(world, make_system):
    # The register's impact level comes only from approved assessments.
    system = make(
        world,
        make_system,
        "Levelled",
        sector="public_benefits",
        role="recommendation",
        impact="rights",
    )
    AISystem.objects.filter(pk=system.pk).update(impact_level=3)
    system.refresh_from_db()
    publish(system, world.users["system_owner"], world.lead)
    export = exports.build("omb-2025", world.a)
    assert rows(export)[system.pk]["hi_assessment_completed"] == "a) Yes"


@pytest.mark.parametrize(
    "sector,topic",
    [
        ("healthcare", "Health and Medical"),
        ("law_enforcement", "Law Enforcement"),
        ("public_benefits", "Government Benefits Processing"),
        ("employment", None),
        ("education", None),
        ("critical_infrastructure", None),
        ("other", None),
    ],
)
def test_topic_area_only_where_the_sector_decides_it(world, make_system, sector, topic):
    system = make(world, make_system, "Topic", sector=sector, role="other", impact="neither")
    publish(system, world.users["system_owner"], world.lead)
    export = exports.build("omb-2025", world.a)
    assert rows(export)[system.pk]["topic_area"] == topic
    if topic is None:
        assert "choose the OMB topic area" in reported(export, system)["topic_area"]
    else:
        assert "topic_area" not in reported(export, system)


def base_row(**values) -> dict:
    row = {c: None for c in omb_2025.COLUMNS}
    row.update(
        agency="a",
        agency_name="A",
        id="A-1",
        use_case_name="X",
        agency_bureau="B",
        contact_email="x@a.example",
        is_withheld=omb_2025.WITHHELD[0],
        is_high_impact=omb_2025.HIGH_IMPACT[2],
    )
    row.update(values)
    return row


def required_errors(row) -> set[str]:
    return {e.split(":")[0] for e in check(row, omb_2025.FIELDS) if e.endswith(": required")}


@pytest.mark.parametrize(
    "condition,unless,column",
    [
        (
            {"is_high_impact": omb_2025.HIGH_IMPACT[1]},
            {"is_high_impact": omb_2025.HIGH_IMPACT[2]},
            "HI_justification",
        ),
        (
            {"development_stage": omb_2025.STAGES[1], "contracting_usage": omb_2025.CONTRACTING[0]},
            {"development_stage": omb_2025.STAGES[1], "contracting_usage": omb_2025.CONTRACTING[1]},
            "vendor_name",
        ),
        (
            {"development_stage": omb_2025.STAGES[1], "contracting_usage": omb_2025.CONTRACTING[2]},
            {"development_stage": omb_2025.STAGES[0], "contracting_usage": omb_2025.CONTRACTING[2]},
            "vendor_name",
        ),
        (
            {"development_stage": omb_2025.STAGES[2], "have_ato": "Yes"},
            {"development_stage": omb_2025.STAGES[2], "have_ato": "No"},
            "system_name_ato",
        ),
    ],
)
def test_conditional_columns_are_required_when_their_condition_holds(condition, unless, column):
    assert column in required_errors(base_row(**condition))
    assert column not in required_errors(base_row(**unless))


def test_every_unfilled_required_column_is_reported(world):
    """Not only agency_bureau: each column the schema requires and the export leaves empty is
    in the report for that system, with a reason."""
    AISystem.objects.filter(pk=world.system_a.pk).update(stage="deployed")
    world.system_a.refresh_from_db()
    publish(world.system_a, world.users["system_owner"], world.lead)
    export = exports.build("omb-2025", world.a)
    row = rows(export)[world.system_a.pk]
    empty_required = required_errors(row)
    report = reported(export, world.system_a)
    assert {"agency_bureau", "classification", "benefits", "operational_date"} <= empty_required
    assert empty_required <= set(report)
    assert all(report[c] for c in empty_required)
