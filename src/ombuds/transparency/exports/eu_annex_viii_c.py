"""EU AI Act, Annex VIII section C: what a deployer that is a public authority registers in the
EU database for a high-risk AI system (Art. 49(3)). For Annex III points 1, 6 and 7
(biometrics, law enforcement, migration) the entry goes to the non-public section and holds
items 1-3 only (Art. 49(4))."""

from __future__ import annotations

import json

from .base import Export, Item, Missing, audit_summary, generated_at, text
from .schema import Field, Row

NAME = "eu-annex-viii-c"
TITLE = "EU AI Act Annex VIII section C, public-authority deployer (JSON)"
NON_PUBLIC_POINTS = (1, 6, 7)
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


def entry_for(item: Item, missing: Missing) -> Row:
    fields = item.get("fields") or {}
    point = item.get("_annex_iii")
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
    if point is None:
        missing.add(
            item,
            "annex_iii_point",
            "no EU AI Act Annex III point is recorded: the system may not need registering",
        )
    missing.add(item, "deployer.address", "the agency's postal address is not held by Ombuds")
    if entry["deployer"]["contact"] is None:
        missing.add(item, "deployer.contact", "the public record has no contact")
    for part in ("name", "address", "contact"):
        missing.add(
            item,
            f"submitter.{part}",
            "the person submitting on the agency's behalf is entered at the EU database, not "
            "published by Ombuds",
        )
    missing.add(
        item,
        "provider_database_url",
        "the provider's EU database entry is not in the public record",
    )
    if section == "public":
        fria = " ".join(t for t in (text(fields.get("risks")), audit_summary(item)) if t)
        entry["fria_summary"] = fria or None
        entry["dpia_summary"] = None
        if not fria:
            missing.add(item, "fria_summary", "no risks, assessment level or decision published")
        missing.add(
            item,
            "dpia_summary",
            "where a data protection impact assessment applies, its summary is not in the public "
            "record",
        )
    return entry


def build(items: list[Item]) -> Export:
    missing = Missing()
    entries = [entry_for(i, missing) for i in items]
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
