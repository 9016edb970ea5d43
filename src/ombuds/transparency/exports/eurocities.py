"""The Eurocities Algorithmic Transparency Standard (Digital Forum Lab, data schema version
0.3.1 beta, built on the Amsterdam and Helsinki registers and the Dutch standard): one record per
published system, as JSON. See docs/exports.md for which parts of the field list were checked
against the published schema and which follow the Dutch standard it builds on."""

from __future__ import annotations

import json

from .base import (
    Export,
    Item,
    Missing,
    audit_summary,
    generated_at,
    leading_sentences,
    published_stage,
    suspended_now,
    text,
)
from .schema import Field, Row

NAME = "eurocities"
TITLE = "Eurocities algorithmic transparency standard v0.3.1 (JSON)"
VERSION = "0.3.1"

DOMAINS = (
    "taxes",
    "housing, living and living environment",
    "culture, sports and leisure",
    "defence",
    "economy and entrepreneurship",
    "family, youth and households",
    "finance",
    "generic",
    "health and health care",
    "immigration and integration",
    "international collaboration and development aid",
    "agriculture, nature and food",
    "environment, spacial planning and water",
    "education and science",
    "public safety",
    "government",
    "justice",
    "travel, living and working abroad",
    "subsidies, benefits and allowances",
    "traffic and transportation",
    "work and career",
)
STATUSES = ("in development", "in use", "out of use")

FIELDS: tuple[Field, ...] = (
    # Basic information
    Field("name", required=True),
    Field("organization", required=True),
    Field("department", required=True),
    Field("area", required=True),
    Field("domain", "enum", required=True, allowed=DOMAINS),
    Field("description_short", required=True, max_length=150),
    Field("website"),
    Field("risk_category", required=True),
    Field("status", "enum", required=True, allowed=STATUSES),
    Field("contact_email", required=True),
    # Use, impact and safeguards
    Field("goal"),
    Field("decision_making_process"),
    Field("human_intervention"),
    Field("risks"),
    Field("objection_procedure"),
    Field("impact_assessment"),
    # Data and technology
    Field("source_data"),
    Field("lawful_basis"),
    Field("methods_and_models"),
    Field("provider"),
    Field("monitoring"),
    Field("lang", required=True),
    Field("standard_version", "enum", required=True, allowed=(VERSION,)),
)

DOMAIN_MAP = {
    "healthcare": "health and health care",
    "law_enforcement": "public safety",
    "justice": "justice",
    "public_benefits": "subsidies, benefits and allowances",
    "migration": "immigration and integration",
    "education": "education and science",
    "employment": "work and career",
}
STATUS_MAP = {
    "design": STATUSES[0],
    "development": STATUSES[0],
    "procurement": STATUSES[0],
    "pilot": STATUSES[1],
    "deployed": STATUSES[1],
    "suspended": STATUSES[2],
    "decommissioned": STATUSES[2],
}
MONITORING = {
    "normal": "No open critical monitoring alert.",
    "under_review": "Under review after a critical monitoring alert.",
}
NOT_PUBLIC = "not in the published public record (the register holds it, but it is not public)"


def record_for(item: Item, missing: Missing) -> Row:
    fields = item.get("fields") or {}
    what = text(fields.get("what_it_does"))
    high = item.get("high_impact")
    risk = {True: "high impact", False: "not high impact"}.get(high)  # type: ignore[call-overload]
    objection = "\n\n".join(
        t for t in (text(fields.get("complaints")), text(fields.get("opt_out"))) if t
    )
    row: Row = {
        "name": item.get("name") or None,
        "organization": item["agency"]["name"],
        "department": None,
        "area": None,
        "domain": DOMAIN_MAP.get(item.get("sector") or ""),
        "description_short": leading_sentences(what, 150) or None,
        "website": item.get("url") or None,
        "risk_category": risk,
        # The published stage; suspended now → "out of use" (the status field can say it).
        "status": STATUS_MAP["suspended"]
        if suspended_now(item)
        else STATUS_MAP.get(published_stage(item)),
        "contact_email": text(fields.get("contact")) or None,
        "goal": what or None,
        "decision_making_process": text(fields.get("use_in_decisions")) or None,
        "human_intervention": text(fields.get("human_role")) or None,
        "risks": text(fields.get("risks")) or None,
        "objection_procedure": objection or None,
        "impact_assessment": audit_summary(item) or None,
        "source_data": text(fields.get("data_used")) or None,
        "lawful_basis": None,
        "methods_and_models": None,
        "provider": None,
        "monitoring": MONITORING.get(item.get("monitoring") or ""),
        "lang": None,  # the language of the record's text is not recorded per record
        "standard_version": VERSION,
    }
    why = {
        "department": NOT_PUBLIC,
        "area": "the geographical area is not held (only the agency's country)",
        "domain": "the system's sector has no matching domain",
        "description_short": "the first sentence of 'what it does' is longer than 150 characters",
        "risk_category": "no high-impact determination was published",
        "lang": "the language of the record's text is not recorded",
    }
    for f in FIELDS:
        if row.get(f.name) in (None, "", []) and f.is_required(row):
            missing.add(item, f.name, why.get(f.name, "empty in the published record"))
    return row


def build(items: list[Item]) -> Export:
    missing = Missing()
    rows = [record_for(i, missing) for i in items]
    doc = {
        "schema": "ombuds.export.eurocities/1",
        "standard": "Eurocities Algorithmic Transparency Standard",
        "standard_version": VERSION,
        "generated_at": generated_at(),
        "records": rows,
    }
    return Export(
        format=NAME,
        content=json.dumps(doc, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        filename="eurocities-algorithm-register.json",
        count=len(rows),
        missing=missing.entries,
    )
