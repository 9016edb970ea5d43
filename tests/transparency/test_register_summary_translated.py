"""The register list and the agency page show what a system does in the visitor's language when
the record carries a translation, and mark a text left in the original language with its `lang`
so that screen readers pronounce it right."""

from __future__ import annotations

import re

from tests.transparency.helpers import FIELDS, publish

FR = "Classe les demandes urgentes en premier."


def _summary_tag(page: str, text: str) -> str:
    """The opening tag of the element that holds `text`."""
    found = re.search(r"<p([^>]*)>" + re.escape(text[:30]), page)
    assert found, text
    return found.group(1)


def test_the_register_and_agency_page_follow_the_language(world, client):
    publish(
        world.system_a,
        world.users["system_owner"],
        world.lead,
        translations={"fr": {"what_it_does": FR}},
    )
    publish(world.system_b, world.admin, world.other_lead, what_it_does="Reads forms aloud.")
    french = client.get("/public/?lang=fr").content.decode()
    assert '<html lang="fr">' in french
    assert FR in french and FIELDS["what_it_does"] not in french
    assert 'lang="' not in _summary_tag(french, FR)  # in the page's language: no mark
    assert _summary_tag(french, "Reads forms aloud.") == ' lang="en"'
    english = client.get("/public/?lang=en").content.decode()
    assert FIELDS["what_it_does"] in english and FR not in english
    assert 'lang="' not in _summary_tag(english, FIELDS["what_it_does"])

    agency = client.get("/public/agencies/agency-a/?lang=fr").content.decode()
    assert FR in agency and FIELDS["what_it_does"] not in agency
    other = client.get("/public/agencies/agency-b/?lang=fr").content.decode()
    assert _summary_tag(other, "Reads forms aloud.") == ' lang="en"'
    data = client.get("/public/?lang=fr&format=json").json()
    first = next(i for i in data["items"] if i["id"] == world.system_a.pk)
    assert first["summary"] == {"text": FR, "language": "fr"}
    assert first["fields"]["what_it_does"] == FIELDS["what_it_does"]  # the original stays
