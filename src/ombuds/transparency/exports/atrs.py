"""The UK Algorithmic Transparency Recording Standard, version 4.0: one record per published
system, as JSON, with the title information, the tier 1 summary and the tier 2 sections.

Written from the v3.0 field table and the v3→v4 change log: the metadata filtering fields are
gone; 'Information' is 'Summary information'; 'external supplier' is 'third party'; 'scope' is
merged into 'detailed description'; 'process integration' and 'provided information' are one
field, 'integration into broader operational process'; 'human decisions and review' is 'human
review'; the section 'decision-making process' is 'deployment context'; the tool
specification loses 'phase' and gains 'system-level input' and 'system-level output'; 'datasets'
absorbs 'dataset purposes'; the data specification is split into development data and
operational data."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _

from .base import (
    NOT_HELD,
    NOT_PUBLIC,
    SUSPENDED_NOW,
    Export,
    Item,
    Missing,
    audit_summary,
    first_sentence,
    generated_at,
    published_stage,
    suspended_now,
    text,
)
from .schema import Field, Row

NAME = "atrs"
TITLE = "UK Algorithmic Transparency Recording Standard v4.0 (JSON)"
VERSION = "4.0"

# Where the two value lists come from: the v3.0 field table in ../shared/standards names the
# fields but not their drop-down options; the v3 options (phase: Pre-deployment, Pilot/beta,
# Production, Retired; region: England, Scotland, Wales, Northern Ireland, UK-wide) are those
# of the published ATRS v3.0 template's drop-down lists (co-cddo/algorithmic-transparency-
# recording-standard), and the v3→v4 change log changes them as below. Check both lists
# against the template before filing (docs/exports.md says so too).
# The phase list: v3's "Pilot/beta" is replaced in v4 by "Private beta" and "Public beta".
PHASES = ("Pre-deployment", "Private beta", "Public beta", "Production", "Retired")
# The region list: v4 adds "International".
REGIONS = ("England", "Scotland", "Wales", "Northern Ireland", "UK-wide", "International")

R = True  # required
OPT = False  # optional


def _fields(*specs) -> tuple[Field, ...]:
    return tuple(
        Field(name, "enum" if allowed else "string", required=req, allowed=allowed)
        for name, req, *rest in specs
        for allowed in (rest[0] if rest else None,)
    )


SECTIONS: dict[str, tuple[Field, ...]] = {
    "title_information": _fields(
        ("title", R),
        ("organisation_name", R),
        ("phase", R, PHASES),
        ("region", R, REGIONS),
        ("one_sentence_description", R),
    ),
    # Tier 1
    "summary_information": _fields(
        ("name", R), ("description", R), ("website_url", R), ("contact_email", R)
    ),
    # Tier 2
    "owner_and_responsibility": _fields(
        ("organisation_or_department", R),
        ("team", R),
        ("senior_responsible_owner", R),
        ("third_party_involvement", R),
        ("third_party", OPT),
        ("companies_house_number", OPT),
        ("third_party_role", OPT),
        ("procurement_procedure_type", OPT),
        ("data_access_terms", OPT),
    ),
    "description_and_rationale": _fields(
        ("detailed_description", R),
        ("benefit", R),
        ("previous_process", OPT),
        ("alternatives_considered", OPT),
    ),
    "deployment_context": _fields(
        ("integration_into_broader_operational_process", R),
        ("frequency_and_scale_of_usage", R),
        ("human_review", R),
        ("required_training", R),
        ("appeals_and_review", OPT),
    ),
    "tool_specification": _fields(
        ("system_architecture", R),
        ("system_level_input", R),
        ("system_level_output", R),
        ("maintenance", R),
        ("models", R),
    ),
    "model_specification": _fields(
        ("model_name", R),
        ("model_version", R),
        ("model_task", R),
        ("model_input", R),
        ("model_output", R),
        ("model_architecture", R),
        ("model_performance", R),
        ("datasets", R),
    ),
    # Pre-trained and off-the-shelf tools skip development data (v4), so its fields are not
    # required one by one; the export reports once per record that the section is required
    # unless the tool is pre-trained or off-the-shelf (the public record does not say which).
    "development_data": _fields(
        ("source_data_name", OPT),
        ("data_modality", OPT),
        ("data_description", OPT),
        ("data_quantities", OPT),
        ("sensitive_attributes", OPT),
        ("data_completeness_and_representativeness", OPT),
        ("source_data_url", OPT),
        ("data_collection", OPT),
        ("data_cleaning", OPT),
        ("data_sharing_agreements", OPT),
        ("data_access_and_storage", OPT),
    ),
    "operational_data": _fields(
        ("source_data_name", R),
        ("data_modality", R),
        ("data_description", R),
        ("data_quantities", R),
        ("sensitive_attributes", R),
        # Kept from v3's data specification (required there): the change log splits the section
        # in two and removes neither field.
        ("data_completeness_and_representativeness", R),
        ("source_data_url", OPT),
        ("data_collection", R),
        ("data_cleaning", OPT),  # optional in v3
        ("data_sharing_agreements", R),
        ("data_access_and_storage", R),
    ),
    "risks_mitigations_and_impact_assessments": _fields(
        ("impact_assessment", R), ("risks_and_mitigations", R)
    ),
}
TIER = {
    "title_information": "title",
    "summary_information": "tier_1",
}

PHASE_MAP = {
    "design": "Pre-deployment",
    "development": "Pre-deployment",
    "procurement": "Pre-deployment",
    "deployed": "Production",
    "suspended": "Production",
    "decommissioned": "Retired",
}
WHY = {
    "region": _("Ombuds records the agency's country, not the UK region the tool affects"),
    "team": NOT_PUBLIC,
    "senior_responsible_owner": NOT_PUBLIC,
    "third_party_involvement": NOT_PUBLIC,
    "phase": _("a pilot is either a private or a public beta: choose one"),
}
DEVELOPMENT_DATA = _(
    "required unless the tool is pre-trained or off-the-shelf (then the section is skipped); "
    "the published public record does not say which, nor hold the development data"
)
SUSPENDED = _(
    "suspended: the standard has no phase for a suspension, so it is given as Production; "
    "say that it is suspended when you file"
)


def _phase(item: Item, missing: Missing) -> str | None:
    stage = published_stage(item)
    if stage == "suspended":
        missing.add(item, "title_information.phase", SUSPENDED)
    elif suspended_now(item):
        missing.add(
            item, "title_information.phase", SUSPENDED_NOW % {"stage": item["stage_at_publication"]}
        )
    return PHASE_MAP.get(stage)


def record_for(item: Item, missing: Missing) -> Row:
    fields = item.get("fields") or {}
    what = text(fields.get("what_it_does"))
    appeals = "\n\n".join(
        t for t in (text(fields.get("complaints")), text(fields.get("opt_out"))) if t
    )
    values: dict[str, dict] = {
        "title_information": {
            "title": item.get("name"),
            "organisation_name": item["agency"]["name"],
            "phase": _phase(item, missing),
            "one_sentence_description": first_sentence(what),
        },
        "summary_information": {
            "name": item.get("name"),
            "description": what,
            "website_url": item.get("url"),
            "contact_email": text(fields.get("contact")),
        },
        "owner_and_responsibility": {"organisation_or_department": item["agency"]["name"]},
        "description_and_rationale": {"detailed_description": what},
        "deployment_context": {
            "integration_into_broader_operational_process": text(fields.get("use_in_decisions")),
            "human_review": text(fields.get("human_role")),
            "appeals_and_review": appeals,
        },
        "operational_data": {"data_description": text(fields.get("data_used"))},
        "risks_mitigations_and_impact_assessments": {
            "impact_assessment": audit_summary(item),
            "risks_and_mitigations": text(fields.get("risks")),
        },
    }
    record: Row = {"tiers": {}}
    for section, spec in SECTIONS.items():
        given = values.get(section, {})
        body = {f.name: (given.get(f.name) or None) for f in spec}
        if section == "development_data" and all(v is None for v in body.values()):
            missing.add(item, section, DEVELOPMENT_DATA)
        for f in spec:
            if body[f.name] is None and f.is_required(body):
                missing.add(item, f"{section}.{f.name}", WHY.get(f.name, _why(section, f.name)))
        record[section] = body
    record["tiers"] = {
        "title": ["title_information"],
        "tier_1": ["summary_information"],
        "tier_2": [s for s in SECTIONS if s not in TIER],
    }
    record["source"] = {
        "system": item["id"],
        "version": item.get("version"),
        "url": item.get("url"),
    }
    return record


TECHNICAL = _(
    "the published public record has no field for this (technical detail is kept in the "
    "register, not the public record)"
)


def _why(section: str, name: str):
    if section in ("tool_specification", "model_specification", "operational_data"):
        return TECHNICAL
    return NOT_HELD if section != "title_information" else _("empty in the published record")


def build(items: list[Item]) -> Export:
    missing = Missing()
    records = [record_for(i, missing) for i in items]
    doc = {
        "schema": "ombuds.export.atrs/1",
        "standard": "Algorithmic Transparency Recording Standard",
        "standard_version": VERSION,
        "generated_at": generated_at(),
        "records": records,
    }
    return Export(
        format=NAME,
        content=json.dumps(doc, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        filename="atrs-records.json",
        count=len(records),
        missing=missing.entries,
    )
