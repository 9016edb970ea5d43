"""`ombuds export --format json|csv` gives the same documents as /public/register.json and
/public/register.csv; with --agency, the same documents narrowed to that agency."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ombuds.transparency import exports, services
from tests.transparency.helpers import publish

BASE = "http://testserver"


@pytest.fixture
def published(world, make_system):
    publish(world.system_a, world.users["system_owner"], world.lead)
    publish(world.system_b, world.admin, world.other_lead)
    withheld = make_system(world.a, "Hidden")
    services.withhold(world.lead, withheld, "Official Secrets Act 1989, s. 2")
    return world


def test_json_is_the_public_register_json(published, client):
    public = json.loads(client.get("/public/register.json").content)
    ours = json.loads(exports.build("json", None, BASE).content)
    assert ours == public
    assert ours["withheld"] == [{"legal_ground": "Official Secrets Act 1989, s. 2", "count": 1}]


def test_csv_is_the_public_register_csv(published, client):
    public = client.get("/public/register.csv").content.decode()
    assert exports.build("csv", None, BASE).content == public


def test_agency_narrows_the_same_documents(published, client):
    public = json.loads(client.get("/public/register.json").content)
    ours = json.loads(exports.build("json", published.b, BASE).content)
    assert ours["items"] == [i for i in public["items"] if i["agency"]["slug"] == "agency-b"]
    assert ours["count"] == 1 and ours["withheld"] == []
    rows = list(csv.reader(io.StringIO(exports.build("csv", published.a, BASE).content)))
    public_rows = list(csv.reader(io.StringIO(client.get("/public/register.csv").content.decode())))
    assert rows[0] == public_rows[0]
    assert rows[1:] == [r for r in public_rows[1:] if r[2] == "agency-a"]
