"""The UK ATRS record does not hide what it cannot say: a suspended system's phase (the
standard has no suspension) is given as Production and reported; the development data section,
required unless the tool is pre-trained or off-the-shelf, is reported once; and the operational
data section keeps the v3 data-specification fields the v4 change log never removed
(data completeness and representativeness, data cleaning)."""

from __future__ import annotations

import json

from ombuds.registry.models import AISystem
from ombuds.transparency import exports
from ombuds.transparency.exports import atrs
from tests.transparency.helpers import publish


def record(world):
    export = exports.build("atrs", world.a)
    (rec,) = json.loads(export.content)["records"]
    mine = [m for m in export.missing if m["system"] == world.system_a.pk]
    return rec, mine


def test_a_system_published_while_suspended_is_reported(world):
    AISystem.objects.filter(pk=world.system_a.pk).update(stage="suspended")
    world.system_a.refresh_from_db()
    publish(world.system_a, world.users["system_owner"], world.lead)
    rec, missing = record(world)
    assert rec["title_information"]["phase"] == "Production"
    phase = [m for m in missing if m["field"] == "title_information.phase"]
    assert len(phase) == 1 and "suspended" in phase[0]["message"]


def test_development_data_is_reported_once(world):
    AISystem.objects.filter(pk=world.system_a.pk).update(stage="deployed")
    world.system_a.refresh_from_db()
    publish(world.system_a, world.users["system_owner"], world.lead)
    rec, missing = record(world)
    dev = [m for m in missing if m["field"].startswith("development_data")]
    assert len(dev) == 1
    assert "pre-trained" in dev[0]["message"] and "off-the-shelf" in dev[0]["message"]
    # A deployed system's phase is not reported.
    assert not [m for m in missing if m["field"] == "title_information.phase"]


def test_operational_data_keeps_completeness_and_cleaning(world):
    names = [f.name for f in atrs.SECTIONS["operational_data"]]
    assert "data_completeness_and_representativeness" in names
    assert "data_cleaning" in names
    publish(world.system_a, world.users["system_owner"], world.lead)
    rec, missing = record(world)
    assert "data_completeness_and_representativeness" in rec["operational_data"]
    fields = {m["field"] for m in missing}
    assert "operational_data.data_completeness_and_representativeness" in fields
    assert "operational_data.data_cleaning" not in fields  # optional, as in v3
