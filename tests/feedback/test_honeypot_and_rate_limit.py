"""Bots are kept out without third-party services: a field only programs fill in, and limits on
reports per network and in total per hour, counted in the database so every process agrees."""

from __future__ import annotations

import datetime as dt

import pytest

from ombuds.feedback import services
from ombuds.feedback.models import Report

pytestmark = pytest.mark.django_db


def test_a_filled_honeypot_sends_nothing(send_report, world):
    response = send_report(world.a, website="http://spam.example")
    assert response.status_code == 400
    assert "Nothing was sent" in response.content.decode()
    assert not Report.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(client, world):
    html = client.get("/public/report/").content.decode()
    hidden = html.split('aria-hidden="true"', 1)[1].split("</div>", 1)[0]
    assert 'name="website"' in hidden and 'tabindex="-1"' in hidden


def test_five_reports_an_hour_from_one_network_then_429(send_report, world):
    for _i in range(5):
        assert send_report(world.a).status_code == 200
    refused = send_report(world.a)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many reports" in refused.content.decode()
    assert Report.objects.count() == 5
    # Someone else is not held back.
    assert send_report(world.a, ip="198.51.100.20").status_code == 200


def test_an_ipv6_sender_is_counted_by_network_not_by_address():
    one = services.client_hash("2001:db8:1:2::1")
    assert one == services.client_hash("2001:db8:1:2:ffff::9")
    assert one != services.client_hash("2001:db8:1:3::1")
    assert services.client_hash("::ffff:203.0.113.7") == services.client_hash("203.0.113.7")


def test_the_address_is_kept_only_as_a_keyed_hash(send_report, world, settings):
    send_report(world.a, ip="203.0.113.77")
    report = Report.objects.get()
    assert "203.0.113.77" not in str(Report.objects.values().get())
    assert report.client_hash == services.client_hash("203.0.113.77")
    settings.OMBUDS_PSEUDONYM_KEY = "another key"
    assert report.client_hash != services.client_hash("203.0.113.77")


def test_the_limit_is_per_hour(world, t0):
    def send(now):
        return services.submit_public_report(
            agency=world.a,
            system=None,
            kind="harm",
            description="d",
            client_address="203.0.113.5",
            now=now,
        )

    for minute in range(5):
        send(t0 + dt.timedelta(minutes=minute))
    with pytest.raises(services.RateLimited) as refused:
        send(t0 + dt.timedelta(minutes=30))
    assert refused.value.scope == "address"
    assert refused.value.retry_after == 30 * 60 + 1  # when the first one leaves the window
    send(t0 + dt.timedelta(minutes=61))  # an hour later it is accepted again


def test_an_agency_cap_holds_whatever_the_addresses(world, t0, settings):
    settings.OMBUDS_REPORTS_PER_HOUR = 3
    for i in range(3):
        services.submit_public_report(
            agency=world.a,
            system=None,
            kind="harm",
            description="d",
            client_address=f"203.0.113.{i}",
            now=t0,
        )
    with pytest.raises(services.RateLimited) as refused:
        services.submit_public_report(
            agency=world.a,
            system=None,
            kind="harm",
            description="d",
            client_address="198.51.100.1",
            now=t0,
        )
    assert refused.value.scope == "global"
    # A flood aimed at one agency does not silence reports to the others.
    services.submit_public_report(
        agency=world.b,
        system=None,
        kind="harm",
        description="d",
        client_address="198.51.100.2",
        now=t0,
    )


def test_staff_entries_do_not_count_against_the_public(world, t0):
    for _i in range(6):
        services.submit_internal_report(
            world.lead, agency=world.a, system=None, kind="misuse", description="d", now=t0
        )
    services.submit_public_report(
        agency=world.a, system=None, kind="harm", description="d", client_address="", now=t0
    )


def test_address_hashes_are_forgotten_after_a_day(world, t0):
    report, _token = services.submit_public_report(
        agency=world.a,
        system=None,
        kind="harm",
        description="d",
        client_address="203.0.113.5",
        now=t0,
    )
    assert services.forget_client_hashes(now=t0 + dt.timedelta(hours=23)) == 0
    assert services.forget_client_hashes(now=t0 + dt.timedelta(hours=25)) == 1
    report.refresh_from_db()
    assert report.client_hash == ""
