"""The gate control `remedy.appeal-route`: met when a notice template is chosen, the agency's
remedy policy is set and the system has a public contact."""

from __future__ import annotations

from ombuds.core import controls
from ombuds.registry.models import AISystem
from ombuds.remedy.models import AppealRoute, RemedyPolicy


def check(system):
    control = {c.id: c for c in controls.registered()}["remedy.appeal-route"]
    return control.check(system, "deployed")


def test_a_configured_route_meets_the_control(world):
    assert check(world.system_a) is None


def test_each_missing_piece_is_named(world):
    AppealRoute.objects.filter(system=world.system_a).delete()
    assert "notice template" in check(world.system_a)
    RemedyPolicy.objects.filter(agency=world.a).delete()
    assert "remedy policy" in check(world.system_a)
    AISystem.objects.filter(pk=world.system_a.pk).update(public_contact="")
    world.system_a.refresh_from_db()
    assert "public contact" in check(world.system_a)


def test_the_route_page_chooses_the_template(world, client):
    AppealRoute.objects.filter(system=world.system_a).delete()
    client.force_login(world.lead)
    url = f"/systems/{world.system_a.pk}/appeal-route/"
    assert "notice template" in client.get(url).content.decode()
    response = client.post(url, {"template_id": "adverse-decision", "opt_out": "Ask by phone."})
    assert response.status_code == 302
    assert AppealRoute.objects.get(system=world.system_a).opt_out == "Ask by phone."
    assert client.post(url, {"template_id": "appeal-decision"}).status_code == 200  # not a notice


def test_the_policy_page_saves_deadlines_and_holidays(world, client):
    client.force_login(world.lead)
    url = f"/agencies/{world.a.slug}/remedy-policy/"
    response = client.post(
        url,
        {
            "acknowledge_days": 3,
            "decide_days": 20,
            "appeal_days": 28,
            "warning_days": 1,
            "retention_days": 365,
            "holidays": "2026-12-25\n2026-12-26",
        },
    )
    assert response.status_code == 302
    policy = RemedyPolicy.objects.get(agency=world.a)
    assert policy.decide_days == 20 and policy.holidays == ["2026-12-25", "2026-12-26"]
    client.force_login(world.users["case_worker"])
    assert client.get(url).status_code == 403
