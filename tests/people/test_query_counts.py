"""The compliance page, a system's operators (page and API) and the reminders run in a number of
queries that does not grow with the number of systems, operators or certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ombuds.people import services
from ombuds.people.models import Assignment, Certificate
from tests.people.helpers import certify, make_high_impact


def populate(world, make_user, make_system, systems: int, people: int):
    """`systems` high-impact systems of agency A, each with `people` certified operators."""
    users = [make_user(f"op-{systems}-{i}", world.a, "operator") for i in range(people)]
    today = timezone.localdate()
    for s in range(systems):
        system = make_high_impact(make_system(world.a, f"S{systems}-{s}"))
        for u in users:
            if s == 0:
                certify(u, system, completed_on=today - dt.timedelta(days=340))
            Assignment.objects.create(
                system=system, user=u, duty="decisions", assigned_by=world.lead
            )
    return system


def count(django_assert_max_num_queries, limit, call):
    with django_assert_max_num_queries(limit):
        call()


@pytest.mark.parametrize("size", [(1, 1), (6, 5)], ids=["small", "large"])
def test_the_compliance_page(
    world, client, make_user, make_system, size, django_assert_max_num_queries
):
    populate(world, make_user, make_system, *size)
    client.force_login(world.lead)
    url = f"/agencies/{world.a.slug}/compliance/"
    assert client.get(url).status_code == 200  # warm: session, caches
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"{url}certificates.csv").status_code == 200


@pytest.mark.parametrize("people", [1, 8])
def test_a_systems_operators(
    world, client, make_user, make_system, people, token_for, django_assert_max_num_queries
):
    system = populate(world, make_user, make_system, 1, people)
    client.force_login(world.lead)
    page = f"/systems/{system.pk}/operators/"
    assert client.get(page).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(page).status_code == 200
    headers = token_for(world.lead)
    api = f"/api/v1/systems/{system.pk}/operators"
    assert client.get(api, headers=headers).status_code == 200
    with django_assert_max_num_queries(15):
        response = client.get(api, headers=headers)
    assert len(response.json()["operators"]) == people


@pytest.mark.parametrize("people", [1, 10])
def test_the_reminders(world, make_user, people, django_assert_max_num_queries):
    today = timezone.localdate()
    for i in range(people):
        user = make_user(f"r-{i}", world.a, "operator")
        for m in ("general.automation-bias", "general.override-escalate"):
            Certificate.objects.create(
                user=user,
                module=m,
                module_version=2,
                completed_on=today - dt.timedelta(days=350),
                expires_on=today + dt.timedelta(days=15),
                source="import",
                recorded_by=world.lead,
            )
            # Far-off certificates are not even loaded.
            Certificate.objects.create(
                user=user,
                module="general.rights-non-discrimination",
                module_version=2,
                completed_on=today,
                expires_on=today + dt.timedelta(days=700),
                source="import",
                recorded_by=world.lead,
            )
    # Loading, renewals, reminders already sent, catalogue: a few queries; then one insert
    # per reminder sent.
    with django_assert_max_num_queries(7 + 2 * people):
        assert services.send_reminders(today) == 2 * people
