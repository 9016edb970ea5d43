"""Attaching engine results through the API, as `ombuds push` and pipelines do: what is stored,
what is refused (naming the field), and who may do it."""

from __future__ import annotations

import pytest

from ombuds.core.models import AuditEvent
from ombuds.evaluations.models import Evaluation

from .conftest import audit_result


@pytest.fixture
def url(world):
    return f"/api/v1/systems/{world.system_a.pk}/evaluations"


def test_an_assessor_attaches_an_audit_result(world, api, token_for, url, clean_audit):
    headers = token_for(world.users["assessor"])
    response = api.post(url, {"result": clean_audit, "note": "Q3 decisions"}, headers)
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Evaluation.objects.get(pk=body["id"])
    assert body["kind"] == "bias_audit" and body["schema"] == "ombuds.audit/1"
    assert body["covers"] == ["ethnicity", "sex_gender"]
    assert body["characteristics"] == {"sex": "sex_gender", "ethnicity": "ethnicity"}
    assert body["created_by"] == "a-assessor" and body["source"] == "api"
    assert body["engine_version"] and body["created_at"]
    # The engine gave no fingerprint of the data: the result's own, and it says so.
    assert body["data_fingerprint"].startswith("sha256:") and body["fingerprint_of"] == "result"
    assert body["url"].endswith(f"/systems/{world.system_a.pk}/evaluations/{stored.pk}/")
    assert stored.result == clean_audit and stored.config["protected"] == ["sex", "ethnicity"]
    assert stored.note == "Q3 decisions"
    event = AuditEvent.objects.filter(action="evaluation.add").get()
    assert event.changes["evaluation"] == stored.pk and event.actor_label == "a-assessor"


def test_the_characteristic_of_a_column_can_be_given(world, api, token_for, url):
    result = audit_result(("sex",))
    result["config"]["protected"] = ["grp"]  # a name that says nothing
    for group in result["groups"]:
        group["attributes"] = {
            "grp" if k == "sex" else k: v for k, v in group["attributes"].items()
        }
    headers = token_for(world.lead)
    guessed = api.post(url, {"result": result}, headers).json()
    assert guessed["covers"] == [] and guessed["characteristics"] == {}
    given = api.post(url, {"result": result, "characteristics": {"grp": "race"}}, headers)
    assert given.status_code == 201 and given.json()["covers"] == ["race"]


@pytest.mark.parametrize(
    "characteristics,field",
    [
        ({"sex": "gender"}, "characteristics.sex"),
        ({"postcode": "location"}, "characteristics.postcode"),
    ],
)
def test_an_unknown_characteristic_or_column_is_named(
    world, api, token_for, url, characteristics, field
):
    body = {"result": audit_result(("sex",)), "characteristics": characteristics}
    response = api.post(url, body, token_for(world.lead))
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert field in problem["detail"]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    "result",
    [{"groups": []}, {"schema": "ombuds.audit/9"}, {"schema": 3}, {"schema": "something/1"}],
)
def test_a_result_without_a_known_schema_is_refused(world, api, token_for, url, result):
    response = api.post(url, {"result": result}, token_for(world.lead))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "result.schema"
    assert "ombuds.audit/1" in response.json()["errors"][0]["message"]
    assert not Evaluation.objects.exists()


def test_an_audit_that_does_not_name_its_protected_columns_is_refused(world, api, token_for, url):
    result = {"schema": "ombuds.audit/1", "config": {"label": "y"}, "groups": []}
    response = api.post(url, {"result": result}, token_for(world.lead))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "result.config.protected"


def test_the_list_and_one_evaluation(world, api, token_for, url, clean_audit, gap_audit):
    lead = token_for(world.lead)
    first = api.post(url, {"result": clean_audit}, lead).json()
    second = api.post(url, {"result": gap_audit}, lead).json()
    viewer = token_for(world.users["viewer"])
    listing = api.get(url, viewer)
    assert listing.status_code == 200
    assert [e["id"] for e in listing.json()["items"]] == [second["id"], first["id"]]
    assert listing.json()["count"] == 2
    assert [e["flagged"] for e in listing.json()["items"]] == [True, False]
    one = api.get(f"/api/v1/evaluations/{second['id']}", viewer)
    assert one.status_code == 200
    assert one.json()["result"] == gap_audit and one.json()["findings_addressed"] is False
    assert api.get(url + "?kind=peer_review", viewer).json()["count"] == 0


def test_who_may_attach_and_read(world, api, token_for, url, clean_audit):
    body = {"result": clean_audit}
    assert api.post(url, body, {}).status_code == 401
    for role in ("viewer", "operator", "case_worker", "procurement_officer"):
        response = api.post(url, body, token_for(world.users[role]))
        assert response.status_code == 403, role
    # Another agency's system does not exist for this user, to read or to write.
    other = token_for(world.other_lead)
    assert api.post(url, body, other).status_code == 404
    assert api.get(url, other).status_code == 404
    created = api.post(url, body, token_for(world.users["system_owner"]))
    assert created.status_code == 201
    assert api.get(f"/api/v1/evaluations/{created.json()['id']}", other).status_code == 404
    assert Evaluation.objects.count() == 1


def test_the_endpoint_is_in_the_schema_that_ombuds_push_reads(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operation = paths["/api/v1/systems/{system_id}/evaluations"]["post"]
    assert operation["x-ombuds-access"] == "evaluation.create"
    assert {"201", "401", "403", "404", "422"} <= set(operation["responses"])


def test_a_number_that_is_not_finite_is_refused(world, client, token_for, url):
    body = '{"result": {"schema": "ombuds.audit/1", "config": {"protected": ["sex"]}, "x": NaN}}'
    response = client.post(
        url, body, content_type="application/json", headers=token_for(world.lead)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "result"
    assert not Evaluation.objects.exists()


def test_an_audit_with_no_group_compared_is_no_evidence(world, api, token_for, url):
    hollow = {"schema": "ombuds.audit/1", "config": {"protected": ["race", "age"]}, "groups": []}
    response = api.post(url, {"result": hollow}, token_for(world.lead))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "result.groups"
    assert "race, age" in response.json()["errors"][0]["message"]
    assert not Evaluation.objects.exists()


def test_a_body_too_large_is_413(world, api, token_for, url, clean_audit, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(url, {"result": clean_audit}, token_for(world.lead))
    assert response.status_code == 413
    assert response.json()["status"] == 413 and "larger than" in response.json()["detail"]
    assert not Evaluation.objects.exists()
