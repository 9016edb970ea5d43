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


def test_the_operator_column_cannot_be_a_protected_group_or_a_feature(world, tmp_path):
    import pytest
    from django.core.exceptions import ValidationError

    from ombuds.monitoring import services
    from tests.monitoring.bias_logs import MAPPING, decision_log

    path = tmp_path / "log.parquet"
    decision_log("healthy", weeks=1, per_week=50).to_parquet(path)
    for role in ("protected", "features"):
        mapping = {**MAPPING, role: ["sex", "decided_by"]}
        with pytest.raises(ValidationError) as exc:
            services.save_source(
                world.users["system_owner"],
                world.system_a,
                {"name": "Log", "kind": "path", "location": str(path), "mapping": mapping},
            )
        message = " ".join(exc.value.message_dict[f"mapping.{role}"])
        assert "decided_by" in message and "governance leads only" in message


def test_a_window_with_one_operator_is_shown_to_governance_leads_only(world, tmp_path, client):
    from ombuds.monitoring import services
    from tests.monitoring.bias_logs import MAPPING, REFERENCE, decision_log

    frame = decision_log("healthy", per_week=300)
    frame["decided_by"] = "op1"  # one person decided everything
    path = tmp_path / "one.parquet"
    frame.to_parquet(path)
    owner = world.users["system_owner"]
    source = services.save_source(
        owner,
        world.system_a,
        {"name": "Log", "kind": "path", "location": str(path), "mapping": MAPPING},
    )
    monitor = services.create_monitor(
        owner,
        world.system_a,
        {
            "source": source,
            "kind": "oversight",
            "window": "weekly",
            "reference_start": REFERENCE[0],
            "reference_end": REFERENCE[1],
        },
    )
    runner.run_monitor(monitor, today=TODAY)
    page = reverse("monitor_detail", args=[world.system_a.pk, monitor.pk])
    twin = reverse("monitor_json", args=[world.system_a.pk, monitor.pk])
    client.force_login(world.users["viewer"])
    html = client.get(page).content.decode()
    assert "override_rate" not in html
    assert "shown to governance leads only" in html
    runs = client.get(twin).json()["runs"]
    assert runs and all(r["figures"] == {} and r["detail"] == {} for r in runs)
    client.force_login(world.lead)
    assert "override_rate" in client.get(page).content.decode()
    assert client.get(twin).json()["runs"][-1]["figures"]["operators"] == 1
