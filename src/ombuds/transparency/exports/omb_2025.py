"""The US federal AI use-case inventory, 2025 (OMB M-25-21): one CSV row per published system,
with the columns, order and value lists of the 2025 data dictionary. High-impact practice
columns (hi_*) are filled and required only for high-impact deployed use cases."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext_lazy as _

from .base import (
    NOT_HELD,
    NOT_PUBLIC,
    SUSPENDED_NOW,
    Export,
    Item,
    Missing,
    audit_summary,
    published_stage,
    safe_cell,
    suspended_now,
    text,
)
from .schema import Field, Row

NAME = "omb-2025"
TITLE = "US federal AI use-case inventory 2025 (CSV)"

WITHHELD = (
    "a) No",
    "b) Yes – agency has determined that there’s a risk to disclosure, such as a harm to an "
    "interest protected by a FOIA exemption",
    "c) Yes – disclosure is prohibited by law",
    "d) Other",
)
STAGES = (
    "a) Pre-deployment – The use case is in a development or acquisition status.",
    "b) Pilot – The use case has been deployed in a limited test or pilot capacity.",
    "c) Deployed – The use case is being actively authorized or utilized to support the "
    "functions or mission of an agency.",
    "d) Retired – The use case was reported in the agency’s prior year’s inventory, but its "
    "development and/or use has since been discontinued.",
)
HIGH_IMPACT = (
    "a) High-impact",
    "b) Presumed high-impact, but determined not high impact",
    "c) Not high-impact",
)
TOPICS = (
    "Administrative Functions",
    "Cybersecurity",
    "Emergency Management",
    "Energy and the Environment",
    "Government Benefits Processing",
    "Health and Medical",
    "Human Resources",
    "Information Technology",
    "International Affairs",
    "Law Enforcement",
    "Other",
    "Procurement and Financial Management",
    "Science",
    "Service Delivery",
    "Transportation",
)
CLASSIFICATIONS = (
    "Agentic AI: AI systems that perform tasks or make decisions autonomously with minimal "
    "human intervention.",
    "Classical/Predictive Machine Learning: Models trained on data to make predictions or "
    "classifications based on identified patterns or relationships.",
    "Computer Vision: AI that processes and interprets visual data (e.g., images and videos).",
    "Generative AI: AI that generates new or synthetic content (e.g., images, videos, audio, "
    "text, code).",
    "Natural Language Processing: AI that processes, interprets, and shares information in "
    "human language.",
    "Reinforcement Learning: AI trained through trial and error using rewards and penalties to "
    "optimize decision-making policies.",
)
CONTRACTING = (
    "a) Purchased from a vendor",
    "b) Developed in-house",
    "c) Developed with both contracting and in-house resources",
)
YES_NO = ("No", "Yes")
DEMOGRAPHICS = (
    "a) Race/Ethnicity",
    "b) Sex",
    "c) Age",
    "d) Religious Affiliation",
    "e) Socioeconomic Status",
    "f) Ability Status",
    "g) Residency Status",
    "h) Marital Status",
    "i) Income",
    "j) Employment Status",
    "k) None of the above",
    "l) Other",
)
WAIVED = "Agency CAIO has waived this minimum practice and reported such waiver to OMB"
TESTING = ("a) Yes", "b) In-progress", f"c) {WAIVED}")
ASSESSMENT = TESTING
REVIEW = (
    "a) Yes – by another appropriate agency office or reviewer not directly involved in the "
    "AI’s development",
    "b) Yes – by an agency AI oversight board not directly involved in the AI’s development",
    "c) Yes – by the CAIO",
    "d) In-progress",
    f"e) {WAIVED}",
)
# "in-progess" is spelled so in the 2025 data dictionary's valid selections; kept as published.
MONITORING = (
    "a) Yes, sufficient monitoring protocols have been established",
    "b) Development of monitoring protocols is in-progess",
    f"c) {WAIVED}",
)
TRAINING = (
    "a) Yes, sufficient and periodic training has been established",
    "b) Establishment of sufficient and periodic training is in-progress",
    f"c) {WAIVED}",
)
FAILSAFE = ("a) Yes", "b) Not applicable", "c) In-progress", f"d) {WAIVED}")
APPEAL = (
    "a) Yes, an appropriate appeal process has been established",
    "b) Not applicable",
    "c) Establishment of an appropriate appeal process is in-progress",
    "d) Law, operational limitations, or governmentwide guidance precludes an opportunity for an "
    "individual to appeal",
    f"e) {WAIVED}",
)
# The trailing space of c) is in the data dictionary too.
CONSULTATION = (
    "a) Direct usability testing",
    "b) General solicitations of feedback and comments from the public",
    "c) Public hearings or meetings ",
    "d) Other",
    "e) In-progress",
    f"f) {WAIVED}",
)


def _stage(row: Row) -> str:
    return text(row.get("development_stage"))[:2]


def in_use_or_planned(row: Row) -> bool:
    """Pre-deployment, pilot and deployed use cases (not retired)."""
    return _stage(row) in ("a)", "b)", "c)")


def piloted_or_deployed(row: Row) -> bool:
    return _stage(row) in ("b)", "c)")


def high_impact_deployed(row: Row) -> bool:
    return row.get("is_high_impact") == HIGH_IMPACT[0] and _stage(row) == "c)"


def presumed_not_high(row: Row) -> bool:
    return row.get("is_high_impact") == HIGH_IMPACT[1]


def vendor_applies(row: Row) -> bool:
    return piloted_or_deployed(row) and row.get("contracting_usage") in (
        CONTRACTING[0],
        CONTRACTING[2],
    )


def ato_applies(row: Row) -> bool:
    return piloted_or_deployed(row) and row.get("have_ato") == "Yes"


def _choice(name, values, required, label=""):
    return Field(name, "enum", required=required, allowed=values, label=label)


# The 34 columns agencies report, preceded by the two OMB adds (agency, agency_name), in the
# order of the consolidated 2025 inventory.
FIELDS: tuple[Field, ...] = (
    Field("agency", required=True, label="Agency abbreviation"),
    Field("agency_name", required=True, label="Agency name"),
    Field("id", required=True, label="Use Case ID"),
    Field("use_case_name", required=True, label="Use Case Name"),
    Field("agency_bureau", required=True, label="Bureau/Component"),
    Field("contact_email", required=True, label="Email Address"),
    _choice("is_withheld", WITHHELD, True),
    _choice("development_stage", STAGES, True),
    _choice("is_high_impact", HIGH_IMPACT, True),
    Field("HI_justification", required=presumed_not_high),
    _choice("topic_area", TOPICS, in_use_or_planned),
    _choice("classification", CLASSIFICATIONS, in_use_or_planned),
    Field("problem_solved", required=in_use_or_planned),
    Field("benefits", required=in_use_or_planned),
    Field("system_outputs", required=in_use_or_planned),
    Field("operational_date", "date", required=piloted_or_deployed),
    _choice("contracting_usage", CONTRACTING, piloted_or_deployed),
    Field("vendor_name", required=vendor_applies),
    _choice("have_ato", YES_NO, piloted_or_deployed),
    Field("system_name_ato", required=ato_applies),
    Field("data_description", required=piloted_or_deployed),
    Field("link_to_data"),
    _choice("has_pii", YES_NO, piloted_or_deployed),
    Field("pia_url"),
    Field("demographic_features", "array", required=piloted_or_deployed, allowed=DEMOGRAPHICS),
    _choice("has_custom_code", YES_NO, piloted_or_deployed),
    Field("code_url"),
    _choice("hi_testing_conducted", TESTING, high_impact_deployed),
    _choice("hi_assessment_completed", ASSESSMENT, high_impact_deployed),
    Field("hi_potential_impacts", required=high_impact_deployed),
    _choice("hi_independent_review", REVIEW, high_impact_deployed),
    _choice("hi_ongoing_monitoring", MONITORING, high_impact_deployed),
    _choice("hi_training_established", TRAINING, high_impact_deployed),
    _choice("hi_failsafe_presence", FAILSAFE, high_impact_deployed),
    _choice("hi_appeal_process", APPEAL, high_impact_deployed),
    Field("hi_public_consultation", "array", required=high_impact_deployed, allowed=CONSULTATION),
)
COLUMNS = [f.name for f in FIELDS]
HI_COLUMNS = [c for c in COLUMNS if c.startswith("hi_")]

STAGE_MAP = {
    "design": STAGES[0],
    "development": STAGES[0],
    "procurement": STAGES[0],
    "pilot": STAGES[1],
    "deployed": STAGES[2],
    "suspended": STAGES[2],
    "decommissioned": STAGES[3],
}
# Only the sectors whose OMB topic area is clear-cut; for the others (justice, migration,
# education, employment, critical infrastructure, other) the agency chooses, and is told so.
TOPIC_MAP = {
    "healthcare": "Health and Medical",
    "law_enforcement": "Law Enforcement",
    "public_benefits": "Government Benefits Processing",
}

WHY = {
    "agency_bureau": NOT_PUBLIC,
    "is_high_impact": _("no high-impact determination was published"),
    "HI_justification": _(
        "presumed high-impact but determined not: the written justification is staff text "
        "Ombuds does not publish; write it when you file"
    ),
    "topic_area": _("choose the OMB topic area (the sector does not decide it)"),
    "classification": NOT_HELD,
    "benefits": _(
        "the published public record has no field for this (problem_solved holds 'what it does and why')"
    ),
    "operational_date": NOT_HELD,
    "contracting_usage": NOT_PUBLIC,
    "vendor_name": NOT_PUBLIC,
    "have_ato": NOT_HELD,
    "system_name_ato": NOT_HELD,
    "has_pii": NOT_PUBLIC,
    "demographic_features": NOT_PUBLIC,
    "has_custom_code": NOT_PUBLIC,
    "hi_testing_conducted": _(
        "no published test result is dated before the system went into use: choose when you "
        "file (a test after deployment does not answer this)"
    ),
    "hi_assessment_completed": _("no approved assessment was published"),
    "hi_independent_review": NOT_HELD,
    "hi_ongoing_monitoring": NOT_HELD,
    "hi_training_established": NOT_HELD,
    "hi_failsafe_presence": NOT_HELD,
    "hi_appeal_process": _(
        "the published record does not say whether an appeal process is established (its "
        "'how to complain' text is not an answer): choose when you file"
    ),
    "hi_public_consultation": NOT_HELD,
}


def high_impact_value(item: Item, missing: Missing) -> str | None:
    """a) when determined high-impact; b) when the rules presumed it and a person determined
    not; c) when not presumed and determined not. A snapshot from before the presumption was
    published cannot tell b) from c): empty, reported."""
    high = item.get("high_impact")
    if high is True:
        return HIGH_IMPACT[0]
    if high is not False:
        return None
    presumed = item.get("presumed_high_impact")
    if presumed is True:
        return HIGH_IMPACT[1]
    if presumed is False:
        return HIGH_IMPACT[2]
    missing.add(
        item,
        "is_high_impact",
        _(
            "determined not high-impact, but this record was published before Ombuds recorded "
            "whether it was presumed high-impact: cannot tell b) from c); publish it again"
        ),
    )
    return None


def row_for(item: Item, missing: Missing) -> Row:
    fields = item.get("fields") or {}
    agency = item["agency"]
    stage = published_stage(item)
    row: Row = {c: None for c in COLUMNS}
    row.update(
        agency=agency["slug"],
        agency_name=agency["name"],
        id=f"{agency['slug'].upper()}-{item['id']}",
        use_case_name=item.get("name") or None,
        contact_email=text(fields.get("contact")) or None,
        is_withheld=WITHHELD[0],
        development_stage=STAGE_MAP.get(stage),
        problem_solved=text(fields.get("what_it_does")) or None,
        system_outputs=text(fields.get("use_in_decisions")) or None,
        data_description=text(fields.get("data_used")) or None,
    )
    if stage == "suspended":
        missing.add(
            item,
            "development_stage",
            _("suspended: reported as Deployed; say so in OMB's note"),
        )
    elif suspended_now(item):
        missing.add(
            item, "development_stage", SUSPENDED_NOW % {"stage": item.get("stage_at_publication")}
        )
    row["is_high_impact"] = high_impact_value(item, missing)
    row["topic_area"] = TOPIC_MAP.get(item.get("sector") or "")
    if high_impact_deployed(row):
        fill_high_impact(item, row)
    reported = {m["field"] for m in missing.entries if m["system"] == item["id"]}
    for f in FIELDS:
        if row.get(f.name) in (None, "", []) and f.is_required(row) and f.name not in reported:
            missing.add(item, f.name, WHY.get(f.name, _("empty in the published record")))
    return row


def tested_before_use(item: Item) -> bool:
    """A published test result dated before the day the system first went into use (both in
    the published record): only then is pre-deployment testing an explicit fact."""
    deployed = item.get("deployed_on")
    if not deployed:
        return False
    return any((a.get("audited_on") or "9999") < deployed for a in item.get("bias_audits") or [])


def approved_assessment(item: Item) -> bool:
    """An approved assessment was published: the impact level and decision in the snapshot come
    only from approved assessments, and the approved templates are listed."""
    return bool(
        item.get("decision")
        or item.get("impact_level") is not None
        or item.get("approved_assessments")
    )


def fill_high_impact(item: Item, row: Row) -> None:
    """Only explicit published facts; every other practice column stays empty and reported."""
    fields = item.get("fields") or {}
    if tested_before_use(item):
        row["hi_testing_conducted"] = TESTING[0]
    if approved_assessment(item):
        row["hi_assessment_completed"] = ASSESSMENT[0]
    impacts = " ".join(t for t in (text(fields.get("risks")), audit_summary(item)) if t)
    row["hi_potential_impacts"] = impacts or None


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return str(value)  # the dictionary's stringified-list form, e.g. ['a) Age']
    return safe_cell(value)


def build(items: list[Item]) -> Export:
    missing = Missing()
    rows = [row_for(i, missing) for i in items]
    out = io.StringIO()
    out.write("\ufeff")  # UTF-8-SIG, as the inventory's own files (em dashes in the values)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([cell(row[c]) for c in COLUMNS])
    return Export(
        format=NAME,
        content=out.getvalue(),
        content_type="text/csv; charset=utf-8",
        filename="ai-use-case-inventory-2025.csv",
        count=len(rows),
        missing=missing.entries,
    )
