"""The gate control this app owns: `transparency.notice-published`.

Met only when the public register shows the system's record now: its newest public version is a
published record. A record never published, retracted, or withheld does not meet it. A withheld
record tells the public that the system exists and the legal ground, but not what it does nor
how to opt out, complain or appeal: withholding must not be a way around the notice. Where the
law truly forbids publishing, a governance lead records a waiver of
`transparency.notice-published` in the registry (written justification of at least 20
characters and an expiry date, audited), so the exception is visible and ends."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ombuds.core import controls

from .models import PublicRecord, VersionKind

CONTROL_ID = "transparency.notice-published"


def _current(system) -> tuple[str, str]:
    """(kind of the newest public version or "", the withholding ground when withheld)."""
    row = (
        PublicRecord.objects.filter(system=system)
        .values_list("current__kind", "withheld_ground")
        .first()
    )
    return (row[0] or "", row[1] or "") if row else ("", "")


def notice_published(system, to_stage: str) -> str | None:
    state, ground = _current(system)
    if state == VersionKind.PUBLISHED:
        return None
    if state == VersionKind.WITHHELD:
        return _(
            "the public record is withheld on the ground “%(ground)s”: the public is not told "
            "what the system does. Publish the record, or have a governance lead record a "
            "waiver of %(control)s with its justification (at least %(min)d characters) and "
            "expiry date"
        ) % {"ground": ground, "control": CONTROL_ID, "min": 20}
    if state == VersionKind.RETRACTED:
        return _("the public record was retracted: publish a new version")
    return _("no public record is published: draft it and have a second person publish it")


def fix_url(system) -> str:
    """Where the missing notice is dealt with: the waiver form for a withheld record (the law
    forbids publishing), the record's page otherwise."""
    state, _ground = _current(system)
    if state == VersionKind.WITHHELD:
        return reverse("waiver_create", args=[system.pk]) + f"?control={CONTROL_ID}"
    return reverse("public_record", args=[system.pk])


CONTROLS = [
    controls.Control(CONTROL_ID, "Public notice published", notice_published, fix_url),
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
