"""The US federal AI use-case inventory, 2025 (OMB M-25-21): one CSV row per published system,
with the columns, order and value lists of the 2025 data dictionary. High-impact practice
columns (hi_*) are filled and required only for high-impact deployed use cases."""

from __future__ import annotations

import csv
import io

from .base import Export, Item, Missing, audit_summary, safe_cell, text
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
TOPIC_MAP = {
    "healthcare": "Health and Medical",
    "law_enforcement": "Law Enforcement",
    "public_benefits": "Government Benefits Processing",
    "employment": "Service Delivery",
}

# Why a column is empty although the register may hold it: the value is not public.
NOT_PUBLIC = "not in the published public record (the register holds it, but it is not public)"
NOT_HELD = "the published public record has no field for this"


def row_for(item: Item, missing: Missing) -> Row:
    fields = item.get("fields") or {}
    agency = item["agency"]
    stage = item.get("stage") or ""
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
            item, "development_stage", "suspended: reported as Deployed; say so in OMB's note"
        )
    high = item.get("high_impact")
    if high is True:
        row["is_high_impact"] = HIGH_IMPACT[0]
    elif high is False:
        # "Presumed high-impact, but determined not" needs the justification, which is not
        # public; a published determination of "not high-impact" is reported as such.
        row["is_high_impact"] = HIGH_IMPACT[2]
    row["topic_area"] = TOPIC_MAP.get(item.get("sector") or "", "Other")
    if high_impact_deployed(row):
        fill_high_impact(item, row)
    explain = {
        "agency_bureau": NOT_PUBLIC,
        "is_high_impact": "no high-impact determination was published",
        "classification": NOT_HELD,
        "benefits": NOT_HELD + " (problem_solved holds 'what it does and why')",
        "operational_date": NOT_HELD,
        "contracting_usage": NOT_PUBLIC,
        "have_ato": NOT_HELD,
        "has_pii": NOT_PUBLIC,
        "demographic_features": NOT_PUBLIC,
        "has_custom_code": NOT_PUBLIC,
        "hi_testing_conducted": "no test results were published",
        "hi_assessment_completed": "no assessment level or decision was published",
        "hi_independent_review": NOT_HELD,
        "hi_ongoing_monitoring": NOT_HELD,
        "hi_training_established": NOT_HELD,
        "hi_failsafe_presence": NOT_HELD,
        "hi_public_consultation": NOT_HELD,
    }
    for f in FIELDS:
        if row.get(f.name) in (None, "", []) and f.is_required(row):
            missing.add(item, f.name, explain.get(f.name, "empty in the published record"))
    return row


def fill_high_impact(item: Item, row: Row) -> None:
    fields = item.get("fields") or {}
    if item.get("bias_audits"):
        row["hi_testing_conducted"] = TESTING[0]
    if item.get("decision"):
        row["hi_assessment_completed"] = ASSESSMENT[0]
    elif item.get("impact_level") is not None:
        row["hi_assessment_completed"] = ASSESSMENT[1]
    impacts = " ".join(t for t in (text(fields.get("risks")), audit_summary(item)) if t)
    row["hi_potential_impacts"] = impacts or None
    if text(fields.get("complaints")):
        row["hi_appeal_process"] = APPEAL[0]


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
