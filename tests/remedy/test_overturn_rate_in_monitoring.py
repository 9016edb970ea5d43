"""Decided appeals feed the system's monitoring: setting the appeal route starts a monthly
overturn-rate monitor, and a month in which too many decisions were overturned raises its alert
like any other monitor's."""

from __future__ import annotations

import datetime as dt

import pytest

from ombuds.monitoring import runner
from ombuds.monitoring.models import Alert, Monitor
from ombuds.remedy import services


def decide(world, outcome, when):
    case, _token = services.submit_public_appeal(
        {"grounds": "Wrong.", "contact_phone": "0123 456 789", "system": world.system_a},
        client_address="",
        now=when - dt.timedelta(days=3),
    )
    services.transition(world.lead, case, "acknowledged", now=when)
    services.transition(world.lead, case, "in_review", not_original_decision_maker=True, now=when)
    services.transition(world.lead, case, "decided", outcome=outcome, reasons="r", now=when)
    return case


@pytest.fixture(autouse=True)
def _unlimited(settings):
    settings.OMBUDS_APPEALS_PER_ADDRESS_PER_HOUR = 1000


def appeals_monitor(world):
    monitor = Monitor.objects.get(system=world.system_a, kind="appeals")
    # Watched since the start of March 2026: March is the first whole window.
    Monitor.objects.filter(pk=monitor.pk).update(
        reference_start=dt.date(2026, 2, 1), reference_end=dt.date(2026, 3, 1)
    )
    monitor.refresh_from_db()
    return monitor


def test_the_appeal_route_starts_an_overturn_rate_monitor(world, client):
    monitor = Monitor.objects.get(system=world.system_a, kind="appeals")
    assert monitor.window == "monthly" and monitor.source.kind == "ombuds"
    client.force_login(world.users["viewer"])
    page = client.get(f"/systems/{world.system_a.pk}/monitoring/").content.decode()
    assert "Appeal outcomes" in page


def test_a_month_with_many_overturned_decisions_raises_a_critical_alert(world):
    monitor = appeals_monitor(world)
    march = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
    for n in range(20):  # 8 of 20 overturned or partly overturned: 40 % ≥ 30 % critical
        decide(world, ["overturned", "partly_overturned"][n % 2] if n < 8 else "upheld", march)
    decide(world, "overturned", dt.datetime(2026, 4, 2, 10, tzinfo=dt.UTC))  # next window
    runs = runner.run_monitor(
        monitor, today=dt.date(2026, 4, 3), now=dt.datetime(2026, 4, 3, 12, tzinfo=dt.UTC)
    )
    assert [r.window_start for r in runs] == [dt.date(2026, 3, 1)]
    assert runs[0].figures["appeals"] == 20
    assert runs[0].figures["overturn_rate"] == pytest.approx(0.4)
    alert = Alert.objects.get(monitor=monitor)
    assert alert.severity == "critical" and alert.metric == "overturn_rate"


def test_a_calm_month_raises_nothing(world):
    monitor = appeals_monitor(world)
    march = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
    for n in range(20):
        decide(world, "overturned" if n < 2 else "upheld", march)
    runs = runner.run_monitor(
        monitor, today=dt.date(2026, 4, 3), now=dt.datetime(2026, 4, 3, 12, tzinfo=dt.UTC)
    )
    assert runs[0].figures["overturn_rate"] == pytest.approx(0.1)
    assert not Alert.objects.filter(monitor=monitor).exists()


def test_a_source_of_ombuds_records_cannot_be_entered_by_hand(world):
    from django.core.exceptions import ValidationError

    from ombuds.monitoring import services as monitoring

    with pytest.raises(ValidationError) as refused:
        monitoring.save_source(
            world.lead,
            world.system_a,
            {"name": "x", "kind": "ombuds", "location": "remedy.appeals", "mapping": {"time": "t"}},
        )
    assert "kind" in refused.value.message_dict


def test_a_few_appeals_are_too_few_to_judge(world):
    monitor = appeals_monitor(world)
    march = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
    for _n in range(3):  # 3 of 3 overturned: 100 %, but three cases say little
        decide(world, "overturned", march)
    runs = runner.run_monitor(
        monitor, today=dt.date(2026, 4, 3), now=dt.datetime(2026, 4, 3, 12, tzinfo=dt.UTC)
    )
    assert runs[0].figures["appeals"] == 3 and runs[0].figures["overturn_rate"] is None
    assert not Alert.objects.filter(monitor=monitor).exists()
