"""Per-operator figures are for governance leads only: others see the overall figures, on the
page and in its JSON twin, and never an operator's name."""

from __future__ import annotations

from django.urls import reverse

from ombuds.monitoring import runner
from tests.monitoring.bias_logs import TODAY, oversight_monitor


def test_only_governance_leads_see_per_operator_figures(world, tmp_path, client):
    monitor = oversight_monitor(world, tmp_path, "rubber_stamp")
    runner.run_monitor(monitor, today=TODAY)
    page = reverse("monitor_detail", args=[world.system_a.pk, monitor.pk])
    twin = reverse("monitor_json", args=[world.system_a.pk, monitor.pk])

    client.force_login(world.lead)
    html = client.get(page).content.decode()
    assert "op3" in html and "possible rubber-stamping" in html
    data = client.get(twin).json()
    assert {o["operator"] for o in data["runs"][-1]["detail"]["operators"]} == {
        "op1",
        "op2",
        "op3",
        "op4",
        "op5",
    }

    for role in ("system_owner", "assessor", "operator", "viewer"):
        client.force_login(world.users[role])
        response = client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert "override_rate" in html  # the overall figures are there
        assert not any(name in html for name in ("op1", "op3", "op5")), role
        response = client.get(twin)
        assert response.status_code == 200
        assert b"op3" not in response.content, role
        assert "operators" not in response.json()["runs"][-1]["detail"]
        assert response.json()["runs"][-1]["figures"]["rubber_stamping_operators"] == 1
