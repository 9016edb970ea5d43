"""The staff case page shows the other appeals to the same agency by the same person (keyed hash
of the identifier on the notices), with links; identifiers are normalised before hashing, so the
same identifier written differently links."""

from __future__ import annotations

from ombuds.remedy import services

from .helpers import APPELLANT, NOTICE


def appeal_on(world, lead, system, identifier, t0):
    notice = services.issue_notice(
        lead, system, {**NOTICE, "person_identifier": identifier}, now=t0
    )
    case, _t = services.enter_appeal(
        lead, system, {**APPELLANT, "channel": "post", "notice_reference": notice.reference}
    )
    return case


def test_repeat_appeals_are_counted_and_linked(world, client, t0):
    first = appeal_on(world, world.lead, world.system_a, "PN 123 456 789", t0)
    second = appeal_on(world, world.lead, world.system_a, "pn123456789", t0)
    stranger = appeal_on(world, world.lead, world.system_a, "PN 999", t0)
    elsewhere = appeal_on(world, world.other_lead, world.system_b, "PN 123 456 789", t0)
    client.force_login(world.users["case_worker"])
    page = client.get(f"/agencies/{world.a.slug}/appeals/{second.pk}/").content.decode()
    assert "1 other appeal to this agency comes from the same person" in page
    assert f"/agencies/{world.a.slug}/appeals/{first.pk}/" in page
    assert stranger.reference not in page and elsewhere.reference not in page
