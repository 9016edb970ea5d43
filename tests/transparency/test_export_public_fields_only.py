"""No export carries a non-public field: every non-public field of a system (the register's
detail, cards, attachments, assessment answers, evaluation notes, waivers, drafters) is seeded
with a unique marker, as for the public pages, and none appears in any format, from the command
or from the staff download. An unpublished draft's new text does not appear either."""

from __future__ import annotations

import pytest

from ombuds.registry.models import AISystem
from ombuds.transparency import exports, services
from tests.transparency.test_public_private_separation import (
    ANSWER,
    ATTACHMENT,
    CARD_MARKER,
    DRAFTER,
    EVAL_NOTE,
    GROUP,
    MARKERS,
    PUBLISHER,
    seeded,
)

SECRETS = [
    *MARKERS.values(),
    CARD_MARKER,
    ATTACHMENT,
    "MKattachment08",
    ANSWER,
    GROUP,
    EVAL_NOTE,
    "MKwaiver12",
    DRAFTER,
    PUBLISHER,
    "example.org",
    "MKlegal15",
    "MKpublic16",
    "MKdraft17",
]


@pytest.fixture
def system(world, make_user):
    system = seeded(world, make_user)
    # More register fields that are not public.
    AISystem.objects.filter(pk=system.pk).update(
        legal_basis=["MKlegal15"],
        public_contact="MKpublic16@register.example",
        purpose_and_benefits="MKpurpose",
        outputs="MKoutputs",
        demographic_features=["age"],
        uses_personal_data=True,
    )
    # A later draft, never published.
    drafter = world.users["system_owner"]
    services.save_draft(drafter, system, {"risks": "MKdraft17 not yet public"})
    return system


def leaks(content: str) -> list[str]:
    return [s for s in [*SECRETS, "MKpurpose", "MKoutputs"] if s in content]


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_no_private_field_in_any_export(system, fmt):
    for agency in (None, system.agency):
        export = exports.build(fmt, agency, "https://register.example")
        assert "Alpha" in export.content, fmt  # the published record is there...
        assert not leaks(export.content), (fmt, leaks(export.content))  # ...and nothing else
        for entry in export.missing:
            assert not leaks(str(entry)), (fmt, entry)


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_no_private_field_in_any_download(system, world, client, fmt):
    client.force_login(world.users["viewer"])
    response = client.get(f"/exports/agency-a/download?format={fmt}")
    assert response.status_code == 200
    assert not leaks(response.content.decode("utf-8-sig"))
    page = client.get(f"/exports/?agency=agency-a&format={fmt}").content.decode()
    assert not leaks(page.split("<main", 1)[-1])
