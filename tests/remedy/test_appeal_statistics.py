"""Statistics per system: volumes, time to decision (median and 90th percentile, working and
calendar days), share decided within the deadline, overturn rate overall and by group, with
groups below the minimum size suppressed wherever they may be shown publicly."""

from __future__ import annotations

import datetime as dt

import pytest

from ombuds.remedy import services, stats

MON = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def decide(world, outcome, *, received=MON, after_days=7, group=""):
    case, _token = services.submit_public_appeal(
        {
            "grounds": "Wrong.",
            "contact_phone": "0123 456 789",
            "system": world.system_a,
            "group": group,
            "group_consent": bool(group),
        },
        client_address="",
        now=received,
    )
    when = received + dt.timedelta(days=after_days)
    services.transition(world.lead, case, "acknowledged", now=when)
    services.transition(world.lead, case, "in_review", not_original_decision_maker=True, now=when)
    services.transition(world.lead, case, "decided", outcome=outcome, reasons="r", now=when)
    return case


@pytest.fixture(autouse=True)
def _groups(world):
    """The agency asks about two groups (a fixed list; appellants choose with consent)."""
    services.save_policy(world.lead, world.a, {"groups": ["over 65", "disabled"]})


@pytest.fixture(autouse=True)
def _unlimited(settings):
    settings.OMBUDS_APPEALS_PER_ADDRESS_PER_HOUR = 1000
    settings.OMBUDS_PUBLIC_MIN_GROUP = 10


def test_percentiles_interpolate_between_ranks():
    assert stats.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert stats.percentile([0, 10], 0.9) == 9.0
    assert stats.percentile([], 0.5) is None


def test_volumes_times_and_overturn_rate(world):
    decide(world, "upheld", after_days=7)  # 7 calendar days, 5 working days
    decide(world, "overturned", after_days=14)  # 14 calendar, 10 working
    decide(world, "partly_overturned", after_days=60)  # past the 30-working-day deadline
    services.submit_public_appeal(
        {"grounds": "x", "contact_phone": "0123 456 789", "system": world.system_a}, now=MON
    )
    s = stats.summary(world.system_a)
    assert s["appeals"] == 4 and s["open"] == 1 and s["decided"] == 3
    assert s["overturned"] == 2 and s["overturn_rate"] == pytest.approx(2 / 3)
    assert s["median_calendar_days"] == 14 and s["median_working_days"] == 10
    assert s["p90_calendar_days"] == pytest.approx(14 + 0.8 * 46)
    assert s["within_deadline"] == 2 and s["share_within_deadline"] == pytest.approx(2 / 3)
    assert stats.overturn_rate(world.system_a) == (3, 2)
    assert stats.overturn_rate(world.system_a, dt.date(2026, 3, 10), dt.date(2026, 3, 31)) == (
        1,
        1,
    )
    assert stats.overturn_rate(world.system_b) == (0, 0)


def test_small_groups_are_suppressed_in_public(world):
    for n in range(10):
        decide(world, "overturned" if n < 4 else "upheld", group="over 65")
    for _n in range(3):
        decide(world, "overturned", group="disabled")
    staff = stats.summary(world.system_a)
    # Staff see no more than the public: the small group is only counted as left out.
    assert [g["group"] for g in staff["groups"]] == ["over 65"]
    assert staff["groups_suppressed"] == 1 and "disabled" not in repr(staff)
    public = stats.public_summary(world.system_a)
    assert [g["group"] for g in public["groups"]] == ["over 65"]
    assert public["groups"][0]["overturn_rate"] == pytest.approx(0.4)
    assert public["decided"] == 13 and public["overturn_rate"] == pytest.approx(7 / 13)
    assert "disabled" not in repr(public)


def test_too_few_decisions_show_no_public_figures(world):
    decide(world, "overturned")
    public = stats.public_summary(world.system_a)
    assert public["decided"] is None and public["overturn_rate"] is None and public["groups"] == []


def test_a_group_without_consent_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        services.submit_public_appeal(
            {
                "grounds": "x",
                "contact_phone": "0123 456 789",
                "system": world.system_a,
                "group": "over 65",
            }
        )
    assert "group_consent" in err.value.message_dict


def test_the_staff_statistics_page(world, client):
    decide(world, "overturned", group="over 65")
    client.force_login(world.users["operator"])
    page = client.get(f"/systems/{world.system_a.pk}/appeal-statistics/").content.decode()
    assert 'id="decided">1<' in page
    # One decided appeal in the group: the group is not named, only counted as left out.
    assert "over 65" not in page and "fewer than 10 decided appeals" in page
    later = client.get(
        f"/systems/{world.system_a.pk}/appeal-statistics/", {"start": "2026-04-01"}
    ).content.decode()
    assert 'id="appeals">0<' in later


def test_the_public_page_shows_how_to_appeal_and_the_figures_once_there_are_enough(world, client):
    from tests.transparency.helpers import publish

    publish(world.system_a, world.users["system_owner"], world.lead)
    for n in range(9):
        decide(world, "overturned" if n < 3 else "upheld")
    page = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert "Appeal a decision" in page and "/public/appeal/" in page
    assert "Decisions changed on appeal" not in page  # 9 decided: below the minimum of 10
    assert (
        client.get(f"/public/systems/{world.system_a.pk}/?format=json").json()["sections"][
            "appeals"
        ]["data"]["overturn_rate"]
        is None
    )

    decide(world, "overturned")
    page = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert "Decisions changed on appeal" in page and "40 %" in page  # 4 of 10
    twin = client.get(f"/public/systems/{world.system_a.pk}/?format=json").json()
    assert twin["sections"]["appeals"]["data"]["overturn_rate"] == pytest.approx(0.4)
