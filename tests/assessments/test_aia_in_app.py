"""Canada's AIA in the web app: imported from a results file saved by the official tool, or filled
in Ombuds, in English or French, and scored as the official tool scores it."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.assessments import services
from ombuds.assessments import templates_catalogue as catalogue
from ombuds.assessments.models import Assessment
from ombuds.assurance import aia

# Two risk-scored answers (weights 3 and 1), one mitigation-scored answer and a free comment.
RESULTS = {
    "version": "0.10.0",
    "currentPage": 3,
    "data": {
        "riskProfile1": "item1-3",
        "riskProfile3": "item1-1",
        "riskProfile3A": "Minors: the system is never applied to them.",
    },
}


def complete_results() -> dict:
    """A results file answering every question the official tool always shows for a project in
    design, with the lowest-weighted choice, plus the answers of RESULTS."""
    from ombuds.assessments.questionnaire import visible

    template = catalogue.get(catalogue.CANADA_AIA)
    data = {"projectDetailsPhase": "item1", **RESULTS["data"]}
    for q in visible(template, data):
        if q.required and q.id not in data:
            low = min(q.choices, key=lambda c: aia.weight(c.id))
            data[q.id] = [low.id] if q.type == "multiple" else low.id
    return {**RESULTS, "data": data}


def upload(client, system, results, language="en"):
    return client.post(
        f"/systems/{system.pk}/assessments/",
        {
            "imp-file": SimpleUploadedFile(
                "aia.json", json.dumps(results).encode(), "application/json"
            ),
            "imp-language": language,
        },
    )


def test_the_converted_survey_has_the_official_maxima():
    template = catalogue.get(catalogue.CANADA_AIA, "en")
    official = aia.score({"data": {}})
    assert template.max_risk == official["max_raw"]
    assert template.max_mitigation == official["max_mitigation"]


def test_import_a_results_file_and_score_it_as_the_official_tool(world, client):
    client.force_login(world.users["system_owner"])
    results = complete_results()
    response = upload(client, world.system_a, results)
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert a.template_id == "canada-aia" and a.source == "imported"
    assert a.answers["riskProfile3A"].startswith("Minors")
    services.add_risk(
        world.users["system_owner"],
        a,
        {
            "risk": "r",
            "affected_groups": "g",
            "likelihood": 1,
            "severity": 1,
            "mitigation": "m",
            "owner": "o",
            "residual": "low",
        },
    )
    services.submit(world.users["system_owner"], a)
    a.refresh_from_db()
    official = aia.score(results)  # the official rules, tested by hand in tests/assurance
    assert official["unknown"] == []
    for key in ("raw", "mitigation", "total", "level", "max_raw", "max_mitigation"):
        assert a.score[key] == official[key], key
    assert a.level == official["level"]
    page = client.get(f"/assessments/{a.pk}/").content.decode()
    assert "Is the project within an area of intense public scrutiny" in page


def test_a_blank_aia_cannot_be_submitted(world):
    owner = world.users["system_owner"]
    a = services.start(owner, world.system_a, catalogue.CANADA_AIA)
    services.add_risk(
        owner,
        a,
        {
            "risk": "r",
            "affected_groups": "g",
            "likelihood": 1,
            "severity": 1,
            "mitigation": "m",
            "owner": "o",
            "residual": "low",
        },
    )
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.submit(owner, a)
    assert "riskProfile1" in refused.value.message_dict


def test_unknown_questions_and_values_are_listed_and_nothing_is_imported(world, client):
    client.force_login(world.users["system_owner"])
    bad = {"version": "0.10.0", "data": {"riskProfile1": "item9-9", "notAQuestion": "yes"}}
    page = upload(client, world.system_a, bad)
    text = page.content.decode()
    assert page.status_code == 200
    assert "riskProfile1 = &#x27;item9-9&#x27;: not a choice of this question" in text
    assert "notAQuestion: not a question of this survey" in text
    assert not Assessment.objects.exists()


def test_a_file_that_is_not_a_results_file_is_refused(world, client):
    client.force_login(world.users["system_owner"])
    page = upload(client, world.system_a, ["not", "an", "object"])
    assert "This is not a results file saved by the AIA tool" in page.content.decode()
    assert not Assessment.objects.exists()


def test_fill_the_aia_in_french(world, client):
    owner = world.users["system_owner"]
    client.force_login(owner)
    response = client.post(
        f"/systems/{world.system_a.pk}/assessments/",
        {"start-template": "canada-aia", "start-language": "fr"},
    )
    a = Assessment.objects.get()
    assert response["Location"] == f"/assessments/{a.pk}/"
    page = client.get(f"/assessments/{a.pk}/answer/riskProfile/").content.decode()
    assert "Le projet s&#x27;inscrit-il dans un domaine sujet à un examen public" in page
    client.post(
        f"/assessments/{a.pk}/answer/riskProfile/", {"riskProfile1": "item1-3", "save": "1"}
    )
    a.refresh_from_db()
    assert a.answers == {"riskProfile1": "item1-3"}
    assert catalogue.compute(a.template_id, a.answers)["raw"] == 3
