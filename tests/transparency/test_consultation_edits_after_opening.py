"""What people were asked stays as they read it: before a consultation opens anything may
change (but it cannot be moved to open in the past); once it is open only the closing day may
move, and only later; a closed consultation does not change. Each refusal names the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ombuds.transparency import services
from ombuds.transparency.models import Consultation
from tests.transparency.helpers import open_consultation, publish


def _values(c: Consultation, **changes) -> dict:
    return {
        "title": c.title,
        "description": c.description,
        "opens_on": c.opens_on,
        "closes_on": c.closes_on,
        "questions": list(c.questions),
        **changes,
    }


@pytest.fixture
def opened(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    return open_consultation(world.system_a, world.lead)


def _refused(world, c, **changes) -> dict:
    with pytest.raises(ValidationError) as refused:
        services.edit_consultation(world.lead, c, _values(c, **changes))
    return refused.value.message_dict


@pytest.mark.parametrize(
    "field,value,words",
    [
        ("title", "Something else entirely", "Title"),
        ("description", "Another subject.", "What the consultation is about"),
        ("questions", ["Is the ranking fair?"], "Questions"),
        ("opens_on", "later", "Opens on"),
        ("opens_on", "earlier", "Opens on"),
        ("closes_on", "earlier", "Closes on"),
    ],
)
def test_once_open_only_the_closing_day_moves_later(world, opened, field, value, words):
    if value == "later":
        value = opened.opens_on + dt.timedelta(days=1)
    elif value == "earlier":
        value = getattr(opened, field) - dt.timedelta(days=1)
    errors = _refused(world, opened, **{field: value})
    assert words in errors[field][0]
    fresh = Consultation.objects.get(pk=opened.pk)
    assert _values(fresh) == _values(opened)


def test_an_open_consultation_can_be_extended(world, opened):
    later = opened.closes_on + dt.timedelta(days=7)
    assert services.edit_consultation(world.lead, opened, _values(opened, closes_on=later))
    assert Consultation.objects.get(pk=opened.pk).closes_on == later


def test_before_opening_anything_changes_but_not_into_the_past(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    today = timezone.localdate()
    upcoming = open_consultation(
        world.system_a,
        world.lead,
        opens_on=today + dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=20),
    )
    errors = _refused(world, upcoming, opens_on=today - dt.timedelta(days=1))
    assert "already past" in errors["opens_on"][0]
    services.edit_consultation(
        world.lead,
        upcoming,
        _values(upcoming, title="A better title", opens_on=today, questions=["One?"]),
    )
    fresh = Consultation.objects.get(pk=upcoming.pk)
    assert (fresh.title, fresh.opens_on, fresh.questions) == ("A better title", today, ["One?"])


def test_a_consultation_past_its_closing_day_is_not_reopened(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    today = timezone.localdate()
    ended = open_consultation(
        world.system_a,
        world.lead,
        opens_on=today - dt.timedelta(days=9),
        closes_on=today - dt.timedelta(days=1),
    )
    errors = _refused(world, ended, closes_on=today + dt.timedelta(days=9))
    assert "closed consultation cannot be changed" in errors["__all__"][0]


def test_the_staff_form_shows_the_refusal_on_the_field(world, opened, client):
    client.force_login(world.lead)
    url = f"/systems/{world.system_a.pk}/consultations/{opened.pk}/edit/"
    page = client.post(
        url,
        {
            "title": "Renamed",
            "description": opened.description,
            "opens_on": opened.opens_on.isoformat(),
            "closes_on": opened.closes_on.isoformat(),
            "questions": "\n".join(opened.questions),
        },
    ).content.decode()
    assert "its title cannot change any more" in page
    assert Consultation.objects.get(pk=opened.pk).title == opened.title
