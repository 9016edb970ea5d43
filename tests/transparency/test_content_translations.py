"""A record's plain-language fields carry French and Spanish translations: the public page
shows the visitor's language when a translation exists, else the original marked with its
language for screen readers."""

from __future__ import annotations

import re

from ombuds.transparency.models import PublicRecord
from tests.transparency.helpers import FIELDS

FR = "Classe les demandes urgentes en premier."


def _field_html(page: str, text: str) -> str:
    return re.search(r'<p lang="([a-z]+)">' + re.escape(text), page).group(1)


def test_staff_form_saves_translations_and_the_page_follows_the_language(world, client):
    system = world.system_a
    owner = world.users["system_owner"]
    client.force_login(owner)
    response = client.post(
        f"/systems/{system.pk}/public-record/edit/",
        {**FIELDS, "tr_fr_what_it_does": FR, "opt_out_available": "on"},
    )
    assert response.status_code == 302
    record = PublicRecord.objects.get(system=system)
    assert record.translations == {"fr": {"what_it_does": FR}}
    assert record.opt_out_available is True
    client.post(f"/systems/{system.pk}/public-record/submit/")
    client.force_login(world.lead)
    client.post(f"/systems/{system.pk}/public-record/publish/")
    client.logout()

    url = f"/public/systems/{system.pk}/"
    french = client.get(url + "?lang=fr").content.decode()
    assert _field_html(french, FR) == "fr"
    assert FIELDS["what_it_does"] not in french
    # Not translated: the original, marked as English.
    assert _field_html(french, FIELDS["use_in_decisions"]) == "en"
    spanish = client.get(url + "?lang=es").content.decode()
    assert _field_html(spanish, FIELDS["what_it_does"]) == "en" and FR not in spanish
    english = client.get(url).content.decode()
    assert _field_html(english, FIELDS["what_it_does"]) == "en"
    data = client.get(url + "?format=json").json()
    assert data["translations"] == {"fr": {"what_it_does": FR}} and data["language"] == "en"


def test_the_api_takes_translations_and_refuses_unknown_languages(world, client, token_for):
    system = world.system_a
    url = f"/api/v1/systems/{system.pk}/public-record"
    headers = token_for(world.users["system_owner"])
    ok = client.put(
        url,
        {"what_it_does": "Ranks.", "translations": {"es": {"what_it_does": "Ordena."}}},
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["translations"] == {"es": {"what_it_does": "Ordena."}}
    bad = client.put(
        url,
        {"translations": {"de": {"what_it_does": "Sortiert."}}},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code in (400, 422)
    assert "de" in bad.content.decode()
    wrong_field = client.put(
        url,
        {"translations": {"fr": {"contact": "x"}}},
        content_type="application/json",
        headers=headers,
    )
    assert wrong_field.status_code in (400, 422)
    record = PublicRecord.objects.get(system=system)
    assert record.translations == {"es": {"what_it_does": "Ordena."}}


def test_the_api_sets_the_opt_out_flags(world, client, token_for):
    url = f"/api/v1/systems/{world.system_a.pk}/public-record"
    response = client.put(
        url,
        {"human_alternative_available": True},
        content_type="application/json",
        headers=token_for(world.users["system_owner"]),
    )
    assert response.status_code == 200
    assert response.json()["human_alternative_available"] is True
    assert response.json()["opt_out_available"] is False
