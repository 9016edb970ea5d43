"""Questionnaire templates are content: the shipped ones load and cover what they must; a broken
one is refused naming the file, the item and the problem; scoring follows the documented
thresholds."""

from __future__ import annotations

import textwrap

import pytest

from ombuds.assessments import questionnaire as qn


def test_shipped_templates_load():
    templates = qn.load_all()
    assert {"ombuds-impact-assessment", "eu-ai-act-fria"} <= set(templates)


def test_ombuds_template_covers_mission_sections_1_and_2():
    t = qn.load_all()["ombuds-impact-assessment"]
    ids = set(t.questions)
    for needed in [
        "obligations.legal_basis",
        "obligations.instruments",
        "purpose.intended",
        "purpose.foreseeable_uses",
        "purpose.benefits",
        "purpose.ai_suitability",
        "failure.ai",
        "failure.system",
        "stakeholders.most_affected",
        "stakeholders.participation",
        "data.provenance",
        "data.collection",
        "data.storage_retention",
        "data.quality",
        "data.representativeness",
        "data.relevance",
        "data.breadth",
        "data.gaps",
        "testing.realistic",
        "testing.pilot",
        "testing.bias_audit",
        "decision.recommendation",
    ]:
        assert needed in ids, needed
    audited = {c.id for c in t.questions["testing.bias_audit"].choices}
    assert audited >= {
        "race",
        "ethnicity",
        "disability",
        "gender",
        "sexuality",
        "gender_identity",
        "intersections",
    }
    assert {c.id for c in t.questions["decision.recommendation"].choices} == {
        "deploy",
        "deploy_with_conditions",
        "do_not_deploy",
    }
    assert all(q.maps_to for q in t.questions.values())


def test_fria_has_elements_a_to_f():
    t = qn.load_all()["eu-ai-act-fria"]
    refs = {m for q in t.questions.values() for m in q.maps_to}
    assert {f"eu-ai-act:art-27-{x}" for x in "abcdef"} <= refs


SMALL = """
id: small
version: 1
title: Small
sections:
  - id: s
    title: S
    questions:
      - id: q1
        type: single
        text: One
        choices:
          - {id: a, text: A, risk: 0}
          - {id: b, text: B, risk: 4}
      - id: q2
        type: multiple
        text: Two
        choices:
          - {id: x, text: X, risk: 1}
          - {id: y, text: Y, risk: 3}
          - {id: m, text: M, mitigation: 5}
      - id: q3
        type: single
        text: Shown only after q1 = b
        show_if: {question: q1, in: [b]}
        choices:
          - {id: lo, text: Lo, risk: 0}
          - {id: hi, text: Hi, risk: 8}
scoring:
  mitigation_reduction: {when_share_at_least: 0.8, reduce_by: 0.15}
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return qn.load_file(path)


@pytest.mark.parametrize(
    "answers,max_raw,total,level",
    [
        ({"q1": "a"}, 4 + 4, 0, 1),  # q3 hidden: max 8
        ({"q1": "a", "q2": ["x", "y"]}, 8, 4, 2),  # 4/8 = 50 %: still II
        ({"q1": "b", "q2": ["x"]}, 16, 5, 2),  # q3 shown: max 16; 5/16 = 31 %
        ({"q1": "b", "q2": ["x", "y"], "q3": "lo"}, 16, 8, 2),  # 50 %
        ({"q1": "b", "q2": ["x", "y"], "q3": "hi"}, 16, 16, 4),
        ({"q1": "b", "q3": "hi"}, 16, 12, 3),  # 75 %: still III
    ],
)
def test_levels_at_the_boundaries(small, answers, max_raw, total, level):
    result = qn.score(small, answers)
    assert (result.max_raw, result.total, result.level) == (max_raw, total, level)


def test_mitigation_reduction_rounds_half_up(small):
    result = qn.score(small, {"q1": "b", "q2": ["x", "m"], "q3": "hi"})
    # raw 13, mitigation 5 of 5 → 13 × 0.85 = 11.05 → 11; 11/16 = 69 % → III
    assert (result.raw, result.total, result.reduced, result.level) == (13, 11, True, 3)


def test_unanswered_questions_are_listed_and_count_toward_the_maximum(small):
    result = qn.score(small, {})
    assert result.unanswered == ["q1", "q2"] and result.max_raw == 8


def test_an_answer_that_is_not_a_choice_is_refused(small):
    with pytest.raises(qn.TemplateError, match="'q1'.*zz"):
        qn.score(small, {"q1": "zz"})


@pytest.mark.parametrize(
    "change,message",
    [
        (
            ("type: single\n        text: One", "type: slider\n        text: One"),
            "small.yaml template 'small' section 's' question 'q1': type 'slider' is not one of",
        ),
        (
            ("- {id: b, text: B, risk: 4}", "- {id: b, text: B, risk: -1}"),
            "question 'q1' choice 'b': 'risk' must be a whole number",
        ),
        (
            ("show_if: {question: q1, in: [b]}", "show_if: {question: q9, in: [b]}"),
            "question 'q3': show_if names 'q9'",
        ),
        (("- id: q2", "- id: q1"), "question 'q1': the id is used twice"),
        (("version: 1", "version: one"), "'version' must be a non-empty int"),
        (("title: S\n", "title: S\n    colour: red\n"), None),
        (
            ("        text: Two", "        text: Two\n        weight: 3"),
            "question 'q2': unknown key(s) weight",
        ),
        (("sections:", "sections: [\n"), "small.yaml (line"),
    ],
)
def test_a_broken_template_names_file_item_and_problem(tmp_path, change, message):
    old, new = change
    assert old in SMALL
    path = tmp_path / "small.yaml"
    path.write_text(SMALL.replace(old, new, 1))
    if message is None:  # unknown section keys are tolerated (titles in other languages later)
        qn.load_file(path)
        return
    with pytest.raises(qn.TemplateError) as err:
        qn.load_file(path)
    assert message in str(err.value)


def test_yaml_booleans_do_not_sneak_in_as_ids(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(textwrap.dedent(SMALL).replace("{id: a, text: A", "{id: yes, text: A"))
    with pytest.raises(qn.TemplateError, match="'id' must be a non-empty str"):
        qn.load_file(path)
