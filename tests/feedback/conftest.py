"""Fixtures for incidents and reports: a fixed clock passed to the services, and a way to send
the public form as a browser without JavaScript does (a plain form POST)."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def t0():
    """A Monday morning, UTC: the moment reports and incidents are received in these tests."""
    return dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def send_report(client):
    """POST the public form from a given address, as a browser would."""

    def send(
        agency,
        *,
        system=None,
        kind="harm",
        description="It refused my claim.",
        ip="203.0.113.7",
        **extra,
    ):
        data = {
            "agency": agency.pk,
            "system": system.pk if system is not None else "",
            "kind": kind,
            "description": description,
            "contact_email": "",
            "website": "",
            **extra,
        }
        return client.post("/public/report/", data, REMOTE_ADDR=ip)

    return send


@pytest.fixture
def public_report(world, t0):
    """A report received from the public about system A, with its secret."""
    from ombuds.feedback import services

    report, token = services.submit_public_report(
        agency=world.a,
        system=world.system_a,
        kind="misuse",
        description="Staff use the triage score to refuse appointments.",
        client_address="198.51.100.4",
        now=t0,
    )
    return report, token


@pytest.fixture(autouse=True)
def _systems_in_use(request):
    """The public form lists systems in use only: put the world's systems in use."""
    if "world" in request.fixturenames:
        from ombuds.registry.models import AISystem

        world = request.getfixturevalue("world")
        AISystem.objects.filter(pk__in=[world.system_a.pk, world.system_b.pk]).update(
            stage="deployed"
        )
        world.system_a.refresh_from_db()
        world.system_b.refresh_from_db()
