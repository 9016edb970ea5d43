"""The schemas written in the product agree with the standards' own published files in
/work/shared/standards (read here by the tests only, never by the product): OMB's columns and
value lists, the Dutch register's fields, lengths, required flags and value lists, and every
ATRS v3 attribute accounted for in the v4 schema or by the v3→v4 change log."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ombuds.transparency.exports import atrs, nl_register, omb_2025

STANDARDS = Path("/work/shared/standards")
pytestmark = pytest.mark.skipif(
    not STANDARDS.is_dir(), reason="the standards' reference files are not on this machine"
)


def omb_dictionary() -> dict:
    return json.loads((STANDARDS / "us-omb-2025-inventory-data-dictionary.json").read_text())


def test_omb_columns_are_the_data_dictionary_columns_in_order():
    data = omb_dictionary()
    reported = sorted(data, key=lambda c: data[c]["column_order_in_original_excel"])
    # OMB adds agency and agency_name (the markdown dictionary's columns 1 and 2).
    md = (STANDARDS / "us-omb-2025-inventory-data-dictionary.md").read_text()
    md_columns = re.findall(r"^### \d+\) `([^`]+)`", md, flags=re.M)
    assert omb_2025.COLUMNS == md_columns == ["agency", "agency_name", *reported]
    assert len(reported) == 34


def test_omb_value_lists_equal_the_data_dictionary():
    data = omb_dictionary()
    ours = {f.name: f for f in omb_2025.FIELDS}
    for column, spec in data.items():
        allowed = spec.get("valid_selections")
        field = ours[column]
        if allowed is None:
            assert field.allowed is None, column
        else:
            assert list(field.allowed) == allowed, column
        kind = {"multiple_choice": "enum", "select_multiple": "array", "date": "date"}
        assert field.type == kind.get(spec["data_type"], "string"), column


def test_omb_required_rules_follow_the_instructions():
    data = omb_dictionary()
    deployed_high = {
        "development_stage": omb_2025.STAGES[2],
        "is_high_impact": omb_2025.HIGH_IMPACT[0],
    }
    retired = {"development_stage": omb_2025.STAGES[3], "is_high_impact": omb_2025.HIGH_IMPACT[2]}
    ours = {f.name: f for f in omb_2025.FIELDS}
    for column, spec in data.items():
        text = spec["instructions"]
        rule = text.rsplit("Required:", 1)[1].strip().lower()
        field = ours[column]
        if rule.startswith("no"):
            assert not field.is_required(deployed_high), column
        elif rule == "yes":
            assert field.is_required(retired) and field.is_required(deployed_high), column
        elif "only for high-impact deployed" in rule:
            assert field.is_required(deployed_high), column
            assert not field.is_required({**deployed_high, "is_high_impact": "c) Not high-impact"})
        elif "pilot and deployed" in rule:
            assert field.is_required(deployed_high) and not field.is_required(retired), column
            pre = {"development_stage": omb_2025.STAGES[0]}
            assert field.is_required(pre) == ("pre-deployment" in rule), column
        else:  # "Yes, but question should only appear if ..."
            assert "only appear" in rule, column
            assert not field.is_required(retired), column


def nl_standard() -> dict:
    return json.loads((STANDARDS / "nl-algorithm-register-v1_0.json").read_text())["properties"]


def test_nl_fields_lengths_required_and_values_equal_v1_0():
    standard = nl_standard()
    ours = {f.name: f for f in nl_register.FIELDS}
    assert list(ours) == list(standard)
    for name, spec in standard.items():
        field = ours[name]
        assert field.max_length == spec.get("max_length"), name
        required = spec.get("required") in (True, "true")
        assert field.is_required({}) == required, name
        values = spec.get("permitted_values")
        assert (list(field.allowed) if field.allowed else None) == values, name
        if spec["type"] == "array":
            assert field.type == "array", name
            for key, item in (spec.get("items") or {}).items():
                sub = {f.name: f for f in field.items}[key]
                assert sub.max_length == item.get("max_length"), (name, key)
                assert sub.is_required({}) == (item.get("required") is True), (name, key)
        elif spec["type"] == "enum":
            assert field.type == "enum", name


def atrs_v3_attributes() -> set[str]:
    names = set()
    for line in (STANDARDS / "uk-atrs-v3-template-table.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2 and re.fullmatch(r"\d+(\.\d+)+", cells[0]):
            names.add(cells[1].replace("<br>", "").strip())
    return names


# What the v3→v4 change log says happened to v3 attributes that v4 no longer has by that name.
V4_DELETED = {
    "id",
    "standard_version",
    "organisation_type",
    "function",
    "capability",
    "task",
    "tags",
    "date_of_completion",
    "date_updated",
    "date_archived",
    "scope",  # merged into detailed_description
    "process_integration",  # merged with provided_information ...
    "provided_information",  # ... into integration_into_broader_operational_process
    "dataset_purposes",  # merged into datasets
}
V4_RENAMED = {
    "external_supplier_involvement": "third_party_involvement",
    "external_supplier": "third_party",
    "external_supplier_role": "third_party_role",
    "human_decisions_and_review": "human_review",
}


def test_every_atrs_v3_attribute_is_in_v4_or_changed_by_the_change_log():
    changelog = (STANDARDS / "uk-atrs-v4-changelog.txt").read_text()
    v4 = {f.name for spec in atrs.SECTIONS.values() for f in spec}
    for name in sorted(atrs_v3_attributes()):
        if name in V4_DELETED:
            assert name not in v4, name
            continue
        assert V4_RENAMED.get(name, name) in v4, name
    for deleted in ("Organisation type", "Date archived", "Scope", "Pilot/beta"):
        assert deleted in changelog
    assert "International" in changelog and "International" in atrs.REGIONS
    assert "Private beta" in atrs.PHASES and "Public beta" in atrs.PHASES
    assert "Pilot/beta" not in atrs.PHASES
    # The tool specification lost "phase" and gained the system-level fields.
    tool = {f.name for f in atrs.SECTIONS["tool_specification"]}
    assert "phase" not in tool and {"system_level_input", "system_level_output"} <= tool
    assert {"development_data", "operational_data"} <= set(atrs.SECTIONS)
