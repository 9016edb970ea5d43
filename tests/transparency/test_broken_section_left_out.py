"""A section another app adds to the public system page never takes the page or its JSON twin
down: a section whose template is missing, whose template fails, or whose data JSON cannot carry
is left out of both, and the rest of the page (other sections included) is served."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch

from ombuds.transparency import sections
from tests.transparency.helpers import publish

GOOD = "transparency/public/_section_facts.html"


@pytest.fixture
def mixed_sections():
    names = {
        "good": lambda s: ("Good news", GOOD, {"facts": [{"label": "Counted", "value": 7}]}),
        "missing_template": lambda s: ("Lost heading", "nowhere/_no_such.html", {"n": 1}),
        "not_json": lambda s: ("Odd heading", GOOD, {"text": "hi", "when": object()}),
        "not_a_triple": lambda s: ("Half heading", GOOD),
        "dated": lambda s: ("Dated heading", GOOD, {"text": "on", "on": dt.date(2026, 1, 2)}),
    }
    for name, fn in names.items():
        sections.register(name, fn)
    yield
    for name in names:
        sections.unregister(name)


@pytest.fixture
def bad_template(settings, tmp_path):
    folder = tmp_path / "templates" / "broken"
    folder.mkdir(parents=True)
    (folder / "_section.html").write_text("{% url 'no-such-route' %}", encoding="utf-8")
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [str(tmp_path / "templates"), *settings.TEMPLATES[0]["DIRS"]],
        }
    ]
    # The template is found and fails while rendering (not a missing one).
    with pytest.raises(NoReverseMatch):
        render_to_string("broken/_section.html")
    sections.register("bad_template", lambda s: ("Broken heading", "broken/_section.html", {}))
    yield
    sections.unregister("bad_template")


def test_broken_sections_are_left_out_of_the_page_and_its_twin(world, client, mixed_sections):
    publish(world.system_a, world.users["system_owner"], world.lead)
    url = f"/public/systems/{world.system_a.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Good news" in html and "Counted" in html and "Dated heading" in html
    for heading in ("Lost heading", "Odd heading", "Half heading"):
        assert heading not in html
    twin = client.get(url + "?format=json")
    assert twin.status_code == 200
    data = twin.json()["sections"]
    assert set(data) >= {"good", "dated"}
    assert not {"missing_template", "not_json", "not_a_triple"} & set(data)
    assert data["good"]["data"]["facts"][0]["value"] == 7
    assert data["dated"]["data"]["on"] == "2026-01-02"


def test_a_template_that_fails_to_render_is_left_out(world, client, bad_template):
    publish(world.system_a, world.users["system_owner"], world.lead)
    url = f"/public/systems/{world.system_a.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "Broken heading" not in page.content.decode()
    assert "bad_template" not in client.get(url + "?format=json").json()["sections"]
