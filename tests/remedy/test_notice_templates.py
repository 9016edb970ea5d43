"""Notice templates are YAML content, validated at load: errors name the file, the template and
the problem, and a placeholder nobody fills in is refused."""

from __future__ import annotations

import copy

import pytest
import yaml

from ombuds.remedy import notices

GOOD = yaml.safe_load((notices.NOTICES_DIR / "adverse-decision.yaml").read_text())


def load_one(tmp_path, data, name="mine.yaml"):
    (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True))
    return notices.load(tmp_path)


def test_the_shipped_templates_load_in_three_languages():
    found = notices.load()
    assert {"adverse-decision", "appeal-decision"} <= set(found)
    for template in found.values():
        assert set(template.languages) == {"en", "fr", "es"}


def test_an_unknown_placeholder_is_refused_naming_file_template_and_placeholder(tmp_path):
    data = copy.deepcopy(GOOD)
    data["languages"]["fr"]["sections"][0]["body"] = "Vous pouvez faire appel avant le {apeal_by}."
    with pytest.raises(notices.TemplateError) as err:
        load_one(tmp_path, data)
    message = str(err.value)
    assert "mine.yaml" in message and "adverse-decision" in message
    assert "'fr'" in message and "apeal_by" in message


def test_a_declared_placeholder_ombuds_cannot_fill_is_refused(tmp_path):
    data = copy.deepcopy(GOOD)
    data["placeholders"].append("date_of_birth")
    with pytest.raises(notices.TemplateError, match="date_of_birth"):
        load_one(tmp_path, data)


def test_a_missing_language_is_named(tmp_path):
    data = copy.deepcopy(GOOD)
    del data["languages"]["es"]
    with pytest.raises(notices.TemplateError, match="missing language.*es"):
        load_one(tmp_path, data)


def test_a_missing_version_is_named(tmp_path):
    data = copy.deepcopy(GOOD)
    del data["version"]
    with pytest.raises(notices.TemplateError, match="version"):
        load_one(tmp_path, data)


def test_invalid_yaml_names_the_file(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    with pytest.raises(notices.TemplateError, match="broken.yaml"):
        notices.load(tmp_path)


def test_rendering_fills_every_placeholder_and_lists_the_factors():
    template = notices.get("adverse-decision")
    values = {name: f"<{name}>" for name in template.placeholders}
    rendered = notices.render(template, "fr", values, {"factors": ["Revenu", "Épargne"]})
    text = notices.as_text(rendered)
    assert "{" not in text
    assert "<appeal_by>" in text and "<notice_reference>" in text
    assert "- Revenu" in text and "- Épargne" in text
    assert "Votre droit à un examen humain" in text


def test_an_empty_opt_out_leaves_its_section_out():
    template = notices.get("adverse-decision")
    values = {name: "x" for name in template.placeholders} | {"opt_out": ""}
    headings = [s.heading for s in notices.render(template, "en", values).sections]
    assert "Opting out" not in headings and "Contact" in headings


DECISION = yaml.safe_load((notices.NOTICES_DIR / "appeal-decision.yaml").read_text())


@pytest.mark.parametrize(
    "needed", ["appeal_by", "appeal_url", "notice_reference", "system_role", "contact"]
)
def test_a_notice_must_say_how_and_by_when_to_appeal_and_whom_to_contact(tmp_path, needed):
    data = copy.deepcopy(GOOD)
    for section in data["languages"]["es"]["sections"]:
        section["body"] = section["body"].replace("{" + needed + "}", "")
    with pytest.raises(notices.TemplateError) as err:
        load_one(tmp_path, data)
    message = str(err.value)
    assert "mine.yaml" in message and "adverse-decision" in message and "'es'" in message
    assert needed in message


def test_a_notice_must_list_the_main_factors(tmp_path):
    data = copy.deepcopy(GOOD)
    for section in data["languages"]["en"]["sections"]:
        section.pop("list", None)
    with pytest.raises(notices.TemplateError) as err:
        load_one(tmp_path, data)
    assert "'en'" in str(err.value) and "factors" in str(err.value)


def test_a_decision_letter_must_say_what_happens_next(tmp_path):
    data = copy.deepcopy(DECISION)
    for section in data["languages"]["fr"]["sections"]:
        section.pop("role", None)
    with pytest.raises(notices.TemplateError) as err:
        load_one(tmp_path, data, "decision.yaml")
    message = str(err.value)
    assert "decision.yaml" in message and "appeal-decision" in message and "next_steps" in message


def test_the_shipped_decision_letter_tells_further_recourse_in_each_language():
    template = notices.load()["appeal-decision"]
    for language, letter in template.languages.items():
        roles = [s.role for s in letter.sections]
        assert "next_steps" in roles, language
