"""The agency's response to a consultation ("what we heard, what we changed") is published once
the consultation is closed, and only once: it is never written while people can still comment
and a published response is never silently rewritten."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ombuds.transparency import services
from tests.transparency.helpers import open_consultation, publish

HEARD, CHANGED = "People want a person to check.", "A person reads every claim."


@pytest.fixture
def consultation(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    return open_consultation(world.system_a, world.lead)


def _respond(world, c, heard=HEARD, changed=CHANGED):
    return services.publish_response(world.lead, c, heard, changed)


def test_no_response_while_open_or_before_opening(world, consultation):
    with pytest.raises(services.PublicationRefused) as refused:
        _respond(world, consultation)
    assert "once it is closed" in refused.value.detail
    today = timezone.localdate()
    upcoming = open_consultation(
        world.system_a,
        world.lead,
        opens_on=today + dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=9),
    )
    with pytest.raises(services.PublicationRefused):
        _respond(world, upcoming)
    consultation.refresh_from_db()
    assert consultation.response_published_at is None and consultation.heard == ""


def test_a_response_once_closed_or_past_the_closing_day(world, consultation):
    services.close_consultation(world.lead, consultation)
    assert _respond(world, consultation).response_published_at is not None
    today = timezone.localdate()
    ended = open_consultation(
        world.system_a,
        world.lead,
        opens_on=today - dt.timedelta(days=9),
        closes_on=today - dt.timedelta(days=1),
    )
    assert _respond(world, ended).heard == HEARD


def test_a_published_response_is_not_rewritten(world, consultation, client):
    services.close_consultation(world.lead, consultation)
    _respond(world, consultation)
    with pytest.raises(services.PublicationRefused) as refused:
        _respond(world, consultation, "Something else.", "Nothing.")
    assert "already published" in refused.value.detail
    # Through the staff page too: the message says why, the public still reads the first one.
    client.force_login(world.lead)
    page = client.post(
        f"/systems/{world.system_a.pk}/consultations/{consultation.pk}/response/",
        {"heard": "Something else.", "changed": "Nothing."},
        follow=True,
    ).content.decode()
    assert "already published" in page
    public = client.get(f"/public/systems/{world.system_a.pk}/").content.decode()
    assert HEARD in public and "Something else." not in public


def test_the_staff_page_refuses_a_response_while_open(world, consultation, client):
    client.force_login(world.lead)
    url = f"/systems/{world.system_a.pk}/consultations/{consultation.pk}/"
    assert 'action="' + url + 'response/"' not in client.get(url).content.decode()
    page = client.post(
        url + "response/", {"heard": HEARD, "changed": CHANGED}, follow=True
    ).content.decode()
    assert "once it is closed" in page
    consultation.refresh_from_db()
    assert consultation.response_published_at is None
