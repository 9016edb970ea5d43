"""The same case life through the API: a notice issued by the case system, an appeal entered by
staff, each step through the transitions endpoint, the statistics at the end."""

from __future__ import annotations

from .helpers import APPELLANT, NOTICE


def test_the_whole_case_life_through_the_api(world, client, token_for):
    worker = token_for(world.users["case_worker"])
    lead = token_for(world.lead)
    system = world.system_a.pk

    notice = client.post(
        f"/api/v1/systems/{system}/notices",
        {**NOTICE, "decision_maker": world.users["case_worker"].username},
        content_type="application/json",
        headers=worker,
    ).json()
    created = client.post(
        f"/api/v1/systems/{system}/appeals",
        {**APPELLANT, "channel": "post", "notice_reference": notice["reference"]},
        content_type="application/json",
        headers=worker,
    )
    assert created.status_code == 201, created.content
    appeal = created.json()
    assert appeal["state"] == "received" and appeal["notice_reference"] == notice["reference"]
    assert "/public/appeal/" in appeal["tracking_url"]
    assert "ada.appellant" not in created.content.decode().replace(appeal["tracking_url"], "")

    def move(headers, **body):
        return client.post(
            f"/api/v1/appeals/{appeal['id']}/transitions",
            body,
            content_type="application/json",
            headers=headers,
        )

    assert move(worker, to="acknowledged").json()["state"] == "acknowledged"
    # The case worker took the first decision: refused as reviewer.
    refused = move(worker, to="in_review")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reviewer"
    assert move(lead, to="in_review").json()["reviewer"] == world.lead.username
    missing = move(lead, to="decided", outcome="upheld")
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"reasons"}
    decided = move(lead, to="decided", outcome="upheld", reasons="The payslips were counted.")
    assert decided.json()["state"] == "decided" and decided.json()["outcome"] == "upheld"
    closed = move(worker, to="closed")
    assert closed.status_code == 200
    assert closed.json()["remedy_status"] == "not_needed"
    assert [e["to_state"] for e in closed.json()["events"]] == [
        "received",
        "acknowledged",
        "in_review",
        "decided",
        "closed",
    ]
    again = client.get(f"/api/v1/appeals/{appeal['id']}", headers=worker).json()
    assert again["state"] == "closed"

    stats = client.get(f"/api/v1/systems/{system}/appeal-statistics", headers=lead).json()
    assert stats["appeals"] == 1 and stats["decided"] == 1 and stats["overturned"] == 0


def test_a_step_the_case_cannot_take_is_named(world, client, token_for):
    lead = token_for(world.lead)
    appeal = client.post(
        f"/api/v1/systems/{world.system_a.pk}/appeals",
        {**APPELLANT, "channel": "phone"},
        content_type="application/json",
        headers=lead,
    ).json()
    response = client.post(
        f"/api/v1/appeals/{appeal['id']}/transitions",
        {"to": "decided", "outcome": "upheld", "reasons": "x"},
        content_type="application/json",
        headers=lead,
    )
    assert response.status_code == 422
    assert "Acknowledged" in response.json()["errors"][0]["message"]


def test_an_operator_may_review_but_not_acknowledge(world, client, token_for):
    lead = token_for(world.lead)
    appeal = client.post(
        f"/api/v1/systems/{world.system_a.pk}/appeals",
        {**APPELLANT, "channel": "in_person"},
        content_type="application/json",
        headers=lead,
    ).json()
    operator = token_for(world.users["operator"])
    url = f"/api/v1/appeals/{appeal['id']}/transitions"
    assert (
        client.post(
            url, {"to": "acknowledged"}, content_type="application/json", headers=operator
        ).status_code
        == 403
    )
    client.post(url, {"to": "acknowledged"}, content_type="application/json", headers=lead)
    assert (
        client.post(
            url,
            {"to": "in_review", "not_original_decision_maker": True},
            content_type="application/json",
            headers=operator,
        ).status_code
        == 200
    )
