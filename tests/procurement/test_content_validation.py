"""Procurement content is validated at load; a broken file is refused naming the file, the item
and the problem."""

from __future__ import annotations

import pytest

from ombuds.procurement import content


def test_the_shipped_content_loads():
    q = content.questionnaire()
    ids = {question.id for question in q.questions}
    assert {"annotation-work", "subcontracting", "grievance-mechanism", "log-access"} <= ids
    assert any(question.evidence == "required" for question in q.questions)
    assert set(content.card_sections()) == {"model", "data", "system"}


@pytest.mark.parametrize(
    "data,message",
    [
        ({"id": "x", "version": 1, "title": "T", "sections": []}, "dd.yaml: 'sections'"),
        (
            {
                "id": "x",
                "version": 1,
                "title": "T",
                "sections": [
                    {
                        "id": "s",
                        "title": "S",
                        "questions": [{"id": "q", "text": "Q", "evidence": "maybe"}],
                    }
                ],
            },
            "dd.yaml question 'q': 'evidence' must be one of",
        ),
        (
            {
                "id": "x",
                "version": 1,
                "title": "T",
                "sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "text": ""}]}],
            },
            "dd.yaml question 'q': 'text' must be a non-empty text",
        ),
        ({"id": "x", "version": 0, "title": "T", "sections": []}, "'version'"),
    ],
)
def test_questionnaire_errors_name_file_item_and_problem(data, message):
    with pytest.raises(content.ContentError) as err:
        content.parse_questionnaire(data, "dd.yaml")
    assert message in str(err.value)


def _clause(**kw):
    base = {
        "id": "c",
        "version": 1,
        "title": "C",
        "text": "Within {days} days.",
        "parameters": {"days": {"type": "integer", "default": 5, "label": "Days"}},
    }
    return {"version": 1, "clauses": [{**base, **kw}]}


@pytest.mark.parametrize(
    "data,message",
    [
        (_clause(text="Within {weeks} weeks."), "uses undefined parameter(s) weeks"),
        (_clause(text="No parameter here."), "parameter(s) days not used"),
        (_clause(required_from_level=5), "'required_from_level' must be 1, 2, 3 or 4"),
        (_clause(parameters={"days": {"type": "date", "label": "D"}}), "parameter 'days': 'type'"),
        (
            _clause(parameters={"days": {"type": "integer", "default": "soon", "label": "D"}}),
            "the default is not valid",
        ),
    ],
)
def test_clause_errors_name_file_item_and_problem(data, message):
    with pytest.raises(content.ContentError) as err:
        content.parse_clauses(data, "clauses.yaml")
    assert "clauses.yaml clause 'c'" in str(err.value)
    assert message in str(err.value)
