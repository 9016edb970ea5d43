"""Labels instead of codes on the case page, no appellant address in the log when mail fails,
and a public form that lists only systems whose public record is published."""

from __future__ import annotations

import logging

from ombuds.remedy import services

from .helpers import APPELLANT


def test_the_remedy_is_shown_by_its_labels(world, client, appeal, t0):
    case, _token = appeal
    services.transition(world.lead, case, "acknowledged", now=t0)
    services.transition(world.lead, case, "in_review", now=t0)
    services.transition(world.lead, case, "decided", outcome="overturned", reasons="r", now=t0)
    services.transition(
        world.lead,
        case,
        "remedy_done",
        remedy_kinds=["decision_reversed", "payment"],
        remedy_done_on="2026-03-02",
        now=t0,
    )
    client.force_login(world.lead)
    page = client.get(f"/agencies/{world.a.slug}/appeals/{case.pk}/").content.decode()
    assert "Decision reversed, Payment" in page and "decision_reversed, payment" not in page


def test_a_failed_receipt_logs_no_address(world, caplog):
    bad = "ada\nBcc: ada.appellant@example.net"
    case, _t = services.enter_appeal(world.lead, world.system_a, {**APPELLANT, "channel": "post"})
    case.contact_email = bad
    with caplog.at_level(logging.ERROR, logger="ombuds.remedy"):
        services.send_receipt(case, "token")
    assert "could not e-mail the appellant" in caplog.text
    assert "ada.appellant@example.net" not in caplog.text


def test_the_public_form_lists_only_published_systems(world, client, make_system):
    from ombuds.registry.models import AISystem

    unpublished = make_system(world.a, "Deployed but unpublished")
    AISystem.objects.filter(pk=unpublished.pk).update(stage="deployed")
    page = client.get("/public/appeal/").content.decode()
    assert "Agency A — Alpha" in page and "Deployed but unpublished" not in page
    assert "Your system is not listed?" in page
    data = {**APPELLANT, "notice_reference": "", "system": unpublished.pk, "website": ""}
    assert client.post("/public/appeal/", data, REMOTE_ADDR="203.0.113.80").status_code == 400
