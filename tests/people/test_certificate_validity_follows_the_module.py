"""A certificate is judged by the module as it is now: a validity period added later makes old
certificates expire, a minimum accepted version leaves older ones out, and from impact level III
a certificate that never expires does not count."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from ombuds.people import modules, rules, services
from ombuds.people.models import AgencyModule, Certificate
from tests.people.helpers import make_high_impact

KEY = "agency-a.local-rules"


def module_text(version=1, validity=None, min_version=None) -> str:
    data = yaml.safe_load(modules.source_text("general.automation-bias"))
    data.update(id=KEY, version=version, title="Local rules")
    data["required_for"] = {"all_systems": True}
    data.pop("validity_months", None)
    if validity:
        data["validity_months"] = validity
    if min_version:
        data["min_accepted_version"] = min_version
    return yaml.safe_dump(data, allow_unicode=True)


def held(world, user, completed_on, version=1):
    return Certificate.objects.create(
        user=user,
        module=KEY,
        module_version=version,
        completed_on=completed_on,
        expires_on=None,  # as issued when the module had no validity period
        source="import",
        recorded_by=world.lead,
    )


def state(user, system):
    return {s.found.id: s.state for s in rules.person_status(user, system)}[KEY]


def test_a_validity_period_added_later_applies_to_old_certificates(world):
    system = make_high_impact(world.system_a, level=2)
    row = services.save_module(world.lead, world.a, module_text(validity=None))
    operator = world.users["operator"]
    long_ago = timezone.localdate() - dt.timedelta(days=800)
    held(world, operator, long_ago)
    assert state(operator, system) == rules.CERTIFIED
    services.save_module(world.lead, world.a, module_text(version=2, validity=12), row=row)
    assert state(operator, system) == rules.EXPIRED
    assert "Local rules" in rules.missing_for(operator, system)


def test_certificates_below_the_minimum_accepted_version_do_not_count(world):
    system = make_high_impact(world.system_a, level=2)
    services.save_module(world.lead, world.a, module_text(version=3, validity=12, min_version=2))
    operator = world.users["operator"]
    recent = timezone.localdate() - dt.timedelta(days=10)
    held(world, operator, recent, version=1)
    assert state(operator, system) == rules.MISSING
    held(world, operator, recent, version=2)
    assert state(operator, system) == rules.CERTIFIED


def test_the_minimum_version_is_checked_when_loading(world):
    with pytest.raises(modules.ModuleError, match="min_accepted_version"):
        modules.load(module_text(version=1, validity=12, min_version=2), "mine.yaml")


def test_from_level_three_a_never_expiring_certificate_does_not_count(world):
    row = services.save_module(world.lead, world.a, module_text(validity=None))
    operator = world.users["operator"]
    held(world, operator, timezone.localdate() - dt.timedelta(days=10))
    assert state(operator, make_high_impact(world.system_a, level=2)) == rules.CERTIFIED
    assert state(operator, make_high_impact(world.system_a, level=3)) == rules.MISSING
    assert row.pk


def test_an_import_of_an_old_version_is_recorded_as_that_version(world):
    services.save_module(world.lead, world.a, module_text(version=2, validity=12, min_version=2))
    AgencyModule.objects.update(created_at=timezone.now() - dt.timedelta(days=400))
    day = timezone.localdate() - dt.timedelta(days=5)
    row = {"username": "a-operator", "module": KEY, "completed_on": day.isoformat()}
    # Without the version an old completion would pass for the current one: refused.
    with pytest.raises(services.ImportRejected) as exc:
        services.import_completions(world.lead, world.a, [row])
    assert [(e.column, "version 2 or later" in e.message) for e in exc.value.errors] == [
        ("version", True)
    ]
    services.import_completions(world.lead, world.a, [{**row, "version": "1"}])
    cert = Certificate.objects.get(module=KEY)
    assert cert.module_version == 1
    system = make_high_impact(world.system_a, level=2)
    assert state(world.users["operator"], system) == rules.MISSING
