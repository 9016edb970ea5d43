"""Script and formula payloads in a system's name and record are kept as data: CSV cells that
start with = + - @ are neutralised so no spreadsheet runs them, JSON keeps the exact text, the
Dutch register's HTML fields carry it escaped, and the staff page shows it as text."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ombuds.registry.models import AISystem
from ombuds.transparency import exports
from tests.transparency.helpers import publish

SCRIPT = '<script>alert("x")</script>'
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-3+4", "@SUM(A1)"]


@pytest.fixture
def payload(world):
    system = world.system_a
    AISystem.objects.filter(pk=system.pk).update(name=f"{FORMULAS[0]}{SCRIPT}")
    system.refresh_from_db()
    publish(
        system,
        world.users["system_owner"],
        world.lead,
        what_it_does=FORMULAS[1],
        use_in_decisions=FORMULAS[2],
        data_used=FORMULAS[3],
        human_role=SCRIPT,
        risks=SCRIPT,
    )
    return system


@pytest.mark.parametrize("fmt", ["omb-2025", "csv"])
def test_csv_cells_never_start_a_formula(payload, fmt):
    export = exports.build(fmt, payload.agency)
    rows = list(csv.reader(io.StringIO(export.content.lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    assert cells, "the record is exported"
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    # The text itself is kept, behind the apostrophe.
    assert f"'{FORMULAS[0]}{SCRIPT}" in cells
    assert "'" + FORMULAS[1] in cells and "'" + FORMULAS[3] in cells


def strings(value, key=""):
    """(key, text) of every string in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, key)
    elif isinstance(value, str):
        yield key, value


@pytest.mark.parametrize("fmt", ["atrs", "eu-annex-viii-c", "eurocities", "json", "nl-register"])
def test_json_keeps_the_exact_text(payload, fmt):
    export = exports.build(fmt, payload.agency)
    found = [text for _key, text in strings(json.loads(export.content))]
    assert f"{FORMULAS[0]}{SCRIPT}" in found


def test_nl_register_html_fields_carry_escaped_text(payload):
    doc = json.loads(exports.build("nl-register", payload.agency).content)
    row = doc["registrations"][0]
    assert row["risks"] == '&lt;script&gt;alert("x")&lt;/script&gt;'
    assert row["human_intervention"] == row["risks"]
    html_fields = {"goal", "human_intervention", "risks", "source_data"}
    assert not [t for k, t in strings(row) if k in html_fields and "<" in t]


def test_staff_page_shows_names_as_text(payload, world, client):
    client.force_login(world.lead)
    html = client.get("/exports/?agency=agency-a&format=omb-2025").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("fmt", ["omb-2025", "csv"])
@pytest.mark.parametrize("lead", ["\t", "\r"])
def test_a_leading_tab_or_carriage_return_is_neutralised(world, fmt, lead):
    """Some spreadsheets skip a leading tab or CR and then run the formula behind it."""
    name = f'{lead}=HYPERLINK("http://evil.example","x")'
    AISystem.objects.filter(pk=world.system_a.pk).update(name=name)
    world.system_a.refresh_from_db()
    publish(world.system_a, world.users["system_owner"], world.lead)
    export = exports.build(fmt, world.a)
    rows = list(csv.reader(io.StringIO(export.content.lstrip("\ufeff"), newline="")))
    cells = [c for row in rows[1:] for c in row]
    assert "'" + name in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
