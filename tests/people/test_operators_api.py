"""The API lists training modules and a system's operators with their status."""

from __future__ import annotations

from ombuds.people import services
from tests.people.helpers import certify


def test_operators_and_their_status(world, client, token_for):
    operator = world.users["operator"]
    world.system_a.impact_determination = "rights"
    world.system_a.save()
    certify(operator, world.system_a)
    services.assign(world.lead, world.system_a, operator, "decisions")
    response = client.get(
        f"/api/v1/systems/{world.system_a.pk}/operators", headers=token_for(world.users["viewer"])
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["required_modules"]) == 4
    [row] = body["operators"]
    assert row["username"] == "a-operator" and row["status"] == "certified"
    assert {m["status"] for m in row["modules"]} == {"certified"}
    response = client.get(
        f"/api/v1/systems/{world.system_a.pk}/operators", headers=token_for(world.other_lead)
    )
    assert response.status_code == 404


def test_modules(world, client, token_for):
    body = client.get("/api/v1/training/modules", headers=token_for(world.users["viewer"])).json()
    ids = {m["id"] for m in body}
    assert "general.automation-bias" in ids
    bias = next(m for m in body if m["id"] == "general.automation-bias")
    assert bias["validity_months"] == 12 and bias["questions"] == 4 and bias["agency"] is None
