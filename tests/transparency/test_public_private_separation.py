"""Only published fields reach the public: every non-public field of a system, seeded with a
unique marker, appears on no public page, JSON twin, register export or feed."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.assessments import services as assessments
from ombuds.assessments.models import Assessment
from ombuds.evaluations.services import record_result
from ombuds.registry.models import AISystem
from ombuds.registry.services import add_attachment, grant_waiver, save_card
from ombuds.transparency import services
from ombuds.transparency.models import PublicRecord
from tests.transparency.helpers import FIELDS

MARKERS = {
    "detailed_description": "MKdetaileddesc01",
    "code_url": "https://code.example/MKcodeurl02",
    "team": "MKteam03",
    "senior_responsible_owner": "MKsro04",
    "impact_justification": "MKjustification05",
    "vendor_name": "MKvendor06",
}
CARD_MARKER = "MKcard07"
ATTACHMENT = "MKattachment08.txt"
ANSWER = "MKanswer09"
GROUP = "MKgroup10"
EVAL_NOTE = "MKevalnote11"
WAIVER = "MKwaiver12 because the vendor documentation is late this month."
DRAFTER = "mkdrafter13"
PUBLISHER = "mkpublisher14"


def seeded(world, make_user):
    system = world.system_a
    AISystem.objects.filter(pk=system.pk).update(impact_determination="rights", **MARKERS)
    system.refresh_from_db()
    drafter = make_user(DRAFTER, world.a, "system_owner")
    publisher = make_user(PUBLISHER, world.a, "governance_lead")
    for kind, field in (("model", "limitations"), ("data", "provenance"), ("system", "security")):
        save_card(drafter, system, kind, {field: f"{CARD_MARKER}-{kind}"})
    add_attachment(drafter, system, "model", SimpleUploadedFile(ATTACHMENT, b"x", "text/plain"))
    assessment = assessments.start(publisher, system, "ombuds-impact-assessment")
    Assessment.objects.filter(pk=assessment.pk).update(answers={"purpose": ANSWER})
    result = {
        "schema": "ombuds.audit/1",
        "config": {"protected": ["sex"]},
        "groups": [
            {"attributes": {"sex": GROUP}, "n": 400, "suppressed": False, "metrics": {}},
            {"attributes": {"sex": "other"}, "n": 300, "suppressed": False, "metrics": {}},
        ],
        "disparities": [],
        "findings": [{"severity": "high", "message": EVAL_NOTE}],
    }
    evaluation = record_result(publisher, system, result, characteristics={"sex": "sex_gender"})
    evaluation.note = EVAL_NOTE
    evaluation.save()
    grant_waiver(
        publisher, system, "registry.system-documented", WAIVER, dt.date.today() + dt.timedelta(30)
    )
    services.save_draft(drafter, system, FIELDS)
    services.submit(drafter, system)
    services.publish(publisher, system)
    return system


def public_outputs(client, system) -> dict[str, str]:
    urls = [
        "/public/",
        "/public/?format=json",
        f"/public/systems/{system.pk}/",
        f"/public/systems/{system.pk}/?format=json",
        "/public/agencies/agency-a/",
        "/public/agencies/agency-a/?format=json",
        "/public/register.json",
        "/public/register.csv",
        "/public/feed.atom",
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = response.content.decode()
    return found


def test_no_private_field_reaches_any_public_output(world, make_user, client):
    system = seeded(world, make_user)
    outputs = public_outputs(client, system)
    secrets = [
        *MARKERS.values(),
        CARD_MARKER,
        ATTACHMENT,
        "MKattachment08",
        ANSWER,
        GROUP,
        EVAL_NOTE,
        "MKwaiver12",
        DRAFTER,
        PUBLISHER,
        f"{DRAFTER}@example.org",
        "example.org",
    ]
    leaks = [(url, s) for url, body in outputs.items() for s in secrets if s in body]
    assert not leaks, leaks
    # ...while what was published is there.
    page = outputs[f"/public/systems/{system.pk}/"]
    assert FIELDS["what_it_does"] in page and "Alpha" in page
    assert "Sex or gender" in page


def test_published_snapshot_holds_only_public_keys(world, make_user):
    system = seeded(world, make_user)
    snap = PublicRecord.objects.get(system=system).current.snapshot
    assert set(snap) == {
        "schema",
        "agency",
        "system",
        "fields",
        "language",
        "translations",
        "opt_out_available",
        "human_alternative_available",
        "last_reviewed",
        "assessment",
        "monitoring",
        "bias_audits",
        "min_group_size",
    }
    assert set(snap["system"]) == {
        "id",
        "name",
        "sector",
        "stage",
        "high_impact",
        "impact",
        # Added for the exports (docs/exports.md), each public by nature:
        # whether the rules presumed it high-impact (an OMB inventory value; the written
        # justification is staff text and is not here),
        "presumed_high_impact",
        # the EU AI Act Annex III point (a legal classification the EU database shows),
        "eu_annex_iii_area",
        # the ids of the templates with an approved assessment (never answers or scores),
        "approved_assessments",
        # the day it first went into use (the US and Dutch registers publish it).
        "deployed_on",
    }
    assert snap["system"]["high_impact"] is True
    assert snap["bias_audits"] == [
        {
            "characteristic": "sex_gender",
            "groups_compared": 2,
            "disparities_flagged": False,
            "audited_on": dt.date.today().isoformat(),
        }
    ]
