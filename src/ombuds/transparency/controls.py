"""The gate control this app owns: `transparency.notice-published`.

Met when the public register shows the system now: its newest public version is a published
record, or a record withheld with its legal ground. A withheld record counts because the law
that forbids publishing the details is the reason; the register still tells the public the
system exists and on which ground its record is withheld. A record never published, or
retracted, does not count: the public is told nothing."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ombuds.core import controls

from .models import PublicRecord, VersionKind


def notice_published(system, to_stage: str) -> str | None:
    state = (
        PublicRecord.objects.filter(system=system).values_list("current__kind", flat=True).first()
    )
    if state in (VersionKind.PUBLISHED, VersionKind.WITHHELD):
        return None
    if state == VersionKind.RETRACTED:
        return _("the public record was retracted: publish a new version")
    return _("no public record is published: draft it and have a second person publish it")


CONTROLS = [
    controls.Control(
        "transparency.notice-published",
        "Public notice published",
        notice_published,
        lambda s: reverse("public_record", args=[s.pk]),
    ),
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
