"""Fixtures for notices and appeals: a pseudonym key, systems in use with an appeal route, a
fixed clock, a clean cache, and published public records (the public form lists only systems
with one)."""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import APPELLANT, NOTICE, certify, configure_route, publish_record


@pytest.fixture(autouse=True)
def _pseudonym_key(settings):
    settings.OMBUDS_PSEUDONYM_KEY = "test-pseudonym-key-not-for-production"


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _systems_in_use(request):
    """Appeals without a notice name a system in use: put the world's systems in use, with an
    appeal route configured."""
    if "world" in request.fixturenames:
        from ombuds.registry.models import AISystem

        world = request.getfixturevalue("world")
        AISystem.objects.filter(pk__in=[world.system_a.pk, world.system_b.pk]).update(
            stage="deployed"
        )
        world.system_a.refresh_from_db()
        world.system_b.refresh_from_db()
        configure_route(world.system_a, world.lead)
        configure_route(world.system_b, world.other_lead)
        publish_record(world.system_a)
        publish_record(world.system_b)
        # Reviewers hold the training the people app asks of them (core.qualifications).
        for user in (world.lead, world.users["case_worker"], world.users["operator"]):
            certify(user, world.system_a)
        certify(world.other_lead, world.system_b)


@pytest.fixture
def t0():
    """Monday 2 March 2026, 09:30 UTC."""
    return dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def notice(world, t0):
    """A notice about system A issued at t0 (appeal by 1 April 2026); the first decision was the
    operator's."""
    from ombuds.remedy import services

    return services.issue_notice(
        world.users["case_worker"],
        world.system_a,
        {**NOTICE, "decision_maker": world.users["operator"].username},
        now=t0,
    )


@pytest.fixture
def appeal(world, notice, t0):
    """An appeal by the notice's reference, from the public form, with its tracking secret."""
    from ombuds.remedy import services

    return services.submit_public_appeal(
        {**APPELLANT, "notice_reference": notice.reference},
        client_address="198.51.100.4",
        now=t0,
    )
