"""Public pages are served from a cache, and no visitor ever sees a page older than the last
change: publishing, retracting or renaming empties it for every server process at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from ombuds.core import public_cache
from ombuds.registry.models import AISystem
from tests.transparency.helpers import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cached(settings):
    settings.OMBUDS_PUBLIC_CACHE = 300
    cache.clear()
    yield
    cache.clear()


def test_a_second_visit_is_served_from_the_cache(world, cached):
    publish(world.system_a, world.users["system_owner"], world.lead)
    first = Client().get("/public/")
    again = Client().get("/public/")
    assert first["X-Ombuds-Cache"] == "miss" and again["X-Ombuds-Cache"] == "hit"
    assert again.content == first.content and b"Alpha" in again.content


def test_publishing_renaming_and_retracting_show_at_once(world, cached):
    from ombuds.transparency import services

    publish(world.system_a, world.users["system_owner"], world.lead)
    assert b"Beta" not in Client().get("/public/").content
    publish(world.system_b, world.admin, world.other_lead)
    page = Client().get("/public/")
    assert page["X-Ombuds-Cache"] == "miss" and b"Beta" in page.content

    url = f"/public/systems/{world.system_b.pk}/"
    assert b"suspended" not in Client().get(url).content.lower()
    AISystem.objects.filter(pk=world.system_b.pk).update(stage="suspended")  # no signal: stays
    assert b"suspended" not in Client().get(url).content.lower()
    system = AISystem.objects.get(pk=world.system_b.pk)
    system.save()  # a saved change moves the generation on: the suspension shows at once
    assert b"suspended" in Client().get(url).content.lower()

    services.retract(world.other_lead, system, "The system was replaced by a new one.")
    assert Client().get(f"/public/systems/{system.pk}/").status_code == 404


def test_each_language_has_its_own_copy(world, cached):
    publish(world.system_a, world.users["system_owner"], world.lead)
    english = Client().get("/public/")
    french = Client(headers={"accept-language": "fr"}).get("/public/")
    assert english.content != french.content
    assert '<html lang="fr">' in french.content.decode()
    assert '<html lang="en">' in Client().get("/public/").content.decode()


def test_signed_in_visitors_and_forms_are_never_cached(world, cached):
    publish(world.system_a, world.users["system_owner"], world.lead)
    staff = Client()
    staff.force_login(world.lead)
    assert "X-Ombuds-Cache" not in staff.get("/public/")
    form = Client().get("/public/report/")
    assert "X-Ombuds-Cache" not in form and Client().get("/public/report/").status_code == 200


def test_one_transaction_moves_the_generation_once(world, cached):
    from django.db import transaction

    before = public_cache.current()
    with transaction.atomic():
        for name in ("One", "Two", "Three"):
            AISystem.objects.create(agency=world.a, name=name, short_description="x")
    assert public_cache.current() == before + 1


def test_the_language_switcher_keeps_the_filters_and_remembers_the_choice(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    client = Client()
    page = client.get("/public/?q=Alpha&lang=es")
    html = page.content.decode()
    assert '<html lang="es">' in html
    assert '<input type="hidden" name="q" value="Alpha">' in html
    assert page.cookies["ombuds_language"].value == "es"
    assert '<html lang="es">' in client.get("/public/").content.decode()


def test_anonymous_submissions_leave_the_cache_alone_until_moderation(world, cached):
    """A pending comment or an error report shows nowhere public: the pages stay cached. A
    comment published, or taken down again, shows at once; an opt-out request changes the
    public counts, so it does too."""
    from ombuds.transparency import services
    from tests.transparency.helpers import open_consultation

    publish(world.system_a, world.users["system_owner"], world.lead, opt_out_available=True)
    consultation = open_consultation(world.system_a, world.lead)
    url = f"/public/systems/{world.system_a.pk}/consultations/{consultation.pk}/"
    assert Client().get(url).status_code == 200  # not a cached view: the generation is what counts
    system_page = f"/public/systems/{world.system_a.pk}/"
    Client().get(system_page)
    before = public_cache.current()

    comment = services.submit_comment(consultation, answers={None: "Rank by need, not date."})[0]
    services.report_record_error(world.system_a, description="The contact is wrong.")
    assert public_cache.current() == before
    assert Client().get(system_page)["X-Ombuds-Cache"] == "hit"

    services.moderate(world.lead, comment, True)
    assert public_cache.current() == before + 1
    services.unpublish_comment(world.lead, comment, "It quoted a neighbour by name.")
    assert public_cache.current() == before + 2

    other = services.submit_comment(consultation, answers={None: "Off topic."})[0]
    services.moderate(world.lead, other, False, "Off topic.")  # kept back: nothing public moved
    assert public_cache.current() == before + 2

    assert b"Opt-out requests received" in Client().get(system_page).content
    services.request_opt_out(world.system_a, {"contact_email": "p@example.net"})
    assert public_cache.current() == before + 3
    assert Client().get(system_page)["X-Ombuds-Cache"] == "miss"


def test_each_host_has_its_own_copy(world, cached, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    publish(world.system_a, world.users["system_owner"], world.lead)
    Client().get("/public/register.json", HTTP_HOST="evil.example")
    page = Client().get("/public/register.json")
    assert "evil.example" not in page.content.decode()


def test_made_up_query_strings_are_not_stored(world, cached):
    publish(world.system_a, world.users["system_owner"], world.lead)
    first = Client().get("/public/register.json?x=1")
    again = Client().get("/public/register.json?x=1")
    assert "X-Ombuds-Cache" not in first and "X-Ombuds-Cache" not in again
    filtered = Client().get("/public/?q=Alpha&page=1")
    assert filtered["X-Ombuds-Cache"] == "miss"


def test_a_wrong_tracking_link_does_not_empty_the_cache(world, cached):
    publish(world.system_a, world.users["system_owner"], world.lead)
    Client().get("/public/")
    before = public_cache.current()
    assert Client().get("/public/appeal/AP-ABCDEFGH/wrong-token/").status_code == 404
    assert public_cache.current() == before
    assert Client().get("/public/")["X-Ombuds-Cache"] == "hit"


def test_a_failing_bump_does_not_stop_other_work_after_commit(world, cached, monkeypatch):
    from django.db import transaction

    from ombuds.core.models import Generation

    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(Generation.objects, "filter", broken)
    ran = []
    with transaction.atomic():
        AISystem.objects.create(agency=world.a, name="One", short_description="x")
        transaction.on_commit(lambda: ran.append(True))
    assert ran == [True]
