"""EU AI Act, Annex VIII section C: what a deployer that is a public authority registers in the
EU database for a high-risk AI system (Art. 49(3)). For Annex III points 1, 6 and 7
(biometrics, law enforcement, migration) the entry goes to the non-public section and holds
items 1-3 only (Art. 49(4)). Annex III point 2 (critical infrastructure) systems are registered
at national level (Art. 49(5)), not in the EU database: they get no entry, and a report line.
Every fact comes from the published snapshot (the Annex III point included)."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _

from .base import OLDER_SNAPSHOT, Export, Item, Missing, audit_summary, generated_at, recorded, text
from .schema import Field, Row

NAME = "eu-annex-viii-c"
TITLE = "EU AI Act Annex VIII section C, public-authority deployer (JSON)"
NON_PUBLIC_POINTS = (1, 6, 7)
NATIONAL_POINTS = (2,)
FRIA_TEMPLATE = "eu-ai-act-fria"
SECTIONS = ("public", "non-public")

PARTY = (
    Field("name", required=True),
    Field("address", required=True),
    Field("contact", required=True),
)
FIELDS_PUBLIC: tuple[Field, ...] = (
    Field("ai_system", "object", required=True),
    Field("annex_iii_point", "integer", required=True),
    Field("section", "enum", required=True, allowed=SECTIONS),
    Field("deployer", "object", required=True),  # item 1
    Field("submitter", "object", required=True),  # item 2
    Field("provider_database_url", required=True),  # item 3
    Field("fria_summary", required=True),  # item 4
    Field("dpia_summary"),  # item 5, where applicable
)
FIELDS_NON_PUBLIC: tuple[Field, ...] = tuple(
    f for f in FIELDS_PUBLIC if f.name not in ("fria_summary", "dpia_summary")
)
SYSTEM = (Field("name", required=True), Field("public_record_url"))


def fields_for(entry: Row) -> tuple[Field, ...]:
    return FIELDS_NON_PUBLIC if entry.get("section") == "non-public" else FIELDS_PUBLIC


def entry_for(item: Item, missing: Missing) -> Row | None:
    """The entry of one published system; None (reported) when it is not filed in the EU
    database at all (Annex III point 2)."""
    fields = item.get("fields") or {}
    point = item.get("eu_annex_iii_area")
    if point in NATIONAL_POINTS:
        missing.add(
            item,
            "annex_iii_point",
            _(
                "Annex III point 2 (critical infrastructure): registered at national level "
                "(Art. 49(5)), not in the EU database; left out of this export"
            ),
        )
        return None
    section = "non-public" if point in NON_PUBLIC_POINTS else "public"
    entry: Row = {
        "ai_system": {"name": item.get("name"), "public_record_url": item.get("url") or None},
        "annex_iii_point": point,
        "section": section,
        "deployer": {
            "name": item["agency"]["name"],
            "address": None,
            "contact": text(fields.get("contact")) or None,
        },
        "submitter": {"name": None, "address": None, "contact": None},
    }
    entry["provider_database_url"] = None
    if point is None and not recorded(item, "eu_annex_iii_area"):
        missing.add(item, "annex_iii_point", OLDER_SNAPSHOT)
    elif point is None:
        missing.add(
            item,
            "annex_iii_point",
            _("no EU AI Act Annex III point is recorded: the system may not need registering"),
        )
    missing.add(item, "deployer.address", _("the agency's postal address is not held by Ombuds"))
    if entry["deployer"]["contact"] is None:
        missing.add(item, "deployer.contact", _("the public record has no contact"))
    for part in ("name", "address", "contact"):
        missing.add(
            item,
            f"submitter.{part}",
            _(
                "the person submitting on the agency's behalf is entered at the EU database, "
                "not published by Ombuds"
            ),
        )
    missing.add(
        item,
        "provider_database_url",
        _("the provider's EU database entry is not in the public record"),
    )
    if section == "public":
        entry["fria_summary"] = fria_summary(item, missing)
        entry["dpia_summary"] = None
        missing.add(
            item,
            "dpia_summary",
            _(
                "where a data protection impact assessment applies, its summary is not in the "
                "public record"
            ),
        )
    return entry


def fria_summary(item: Item, missing: Missing) -> str | None:
    """Item 4 only when a fundamental rights impact assessment was approved and published;
    the summary is the published risks and assessment/test facts."""
    approved = item.get("approved_assessments")
    if approved is None:
        missing.add(item, "fria_summary", OLDER_SNAPSHOT)
        return None
    if FRIA_TEMPLATE not in approved:
        missing.add(
            item,
            "fria_summary",
            _("no FRIA published: no approved fundamental rights impact assessment (Art. 27)"),
        )
        return None
    fields = item.get("fields") or {}
    fria = " ".join(t for t in (text(fields.get("risks")), audit_summary(item)) if t)
    if not fria:
        missing.add(
            item, "fria_summary", _("the FRIA is approved, but no summary of it was published")
        )
    return fria or None


def build(items: list[Item]) -> Export:
    missing = Missing()
    entries = [e for e in (entry_for(i, missing) for i in items) if e is not None]
    doc = {
        "schema": "ombuds.export.eu-annex-viii-c/1",
        "standard": "Regulation (EU) 2024/1689, Annex VIII, section C",
        "generated_at": generated_at(),
        "entries": entries,
    }
    return Export(
        format=NAME,
        content=json.dumps(doc, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        filename="eu-annex-viii-c.json",
        count=len(entries),
        missing=missing.entries,
    )
