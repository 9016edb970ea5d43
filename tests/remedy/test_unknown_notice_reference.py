"""An unknown notice reference: the form says so and offers to appeal without one, by choosing
the agency and the system among systems in use."""

from __future__ import annotations

from ombuds.remedy.models import Appeal

from .helpers import APPELLANT


def post(client, **extra):
    data = {**APPELLANT, "system": "", "contact_address": "", "group": "", "website": ""}
    return client.post("/public/appeal/", {**data, **extra}, REMOTE_ADDR="203.0.113.20")


def test_the_form_says_the_reference_is_unknown_and_offers_the_other_way(world, client):
    response = post(client, notice_reference="N-NOSUCH99")
    assert response.status_code == 400
    page = response.content.decode()
    assert "We found no notice with the reference N-NOSUCH99" in page
    assert "appeal without a notice" in page
    assert 'name="system"' in page and "Agency A — Alpha" in page
    assert not Appeal.objects.exists()


def test_appealing_without_a_notice_by_choosing_the_system(world, client):
    response = post(client, notice_reference="", system=world.system_a.pk)
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.notice is None and appeal.system == world.system_a and appeal.agency == world.a


def test_neither_a_reference_nor_a_system_is_named(world, client):
    response = post(client, notice_reference="")
    assert response.status_code == 400
    assert 'href="#id_system"' in response.content.decode()


def test_a_system_not_in_use_is_not_offered(world, client, make_system):
    hidden = make_system(world.a, "Still in design")
    page = client.get("/public/appeal/").content.decode()
    assert "Still in design" not in page
    assert post(client, system=hidden.pk).status_code == 400


def test_a_reference_is_found_whatever_its_case_and_spacing(world, client, notice):
    response = post(client, notice_reference=" " + notice.reference.lower() + " ")
    assert response.status_code == 200
    assert Appeal.objects.get().notice == notice


def test_an_appeal_after_the_notice_date_is_received_and_flagged(world, client, notice):
    import datetime as dt

    from ombuds.remedy import services

    late, _t = services.submit_public_appeal(
        {"notice_reference": notice.reference, "grounds": "x", "contact_phone": "0123 456 789"},
        now=dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC),  # the notice said 1 April
    )
    client.force_login(world.lead)
    page = client.get(f"/agencies/{world.a.slug}/appeals/{late.pk}/").content.decode()
    assert "received after the appeal date of 2026-04-01" in page
