"""Canada's Algorithmic Impact Assessment: scoring rules on hand-computed cases at every level
boundary, and the shipped official survey with a results file built here."""

from __future__ import annotations

import json

import pytest

from ombuds.assurance import aia

from .conftest import run_ombuds

# A small survey whose numbers are easy to follow: max raw = 4 + (1+2+5) = 12 (+ panel child 8
# = 20), max mitigation = 10.
SURVEY = {
    "pages": [
        {
            "name": "p1",
            "elements": [
                {
                    "type": "radiogroup",
                    "name": "r1-RS",
                    "choices": ["item1-0", "item2-2", "item3-4"],
                },
                {"type": "checkbox", "name": "c1-RS", "choices": ["item1-1", "item2-2", "item3-5"]},
                {
                    "type": "panel",
                    "name": "impactPanel-RS",
                    "elements": [
                        {
                            "type": "dropdown",
                            "name": "d1",
                            "choices": [{"value": "item1-8"}, {"value": "item2-0"}],
                        },
                        {"type": "comment", "name": "d1-explain"},
                    ],
                },
                {
                    "type": "panel",
                    "name": "mitigationPanel-MS",
                    "elements": [
                        {"type": "radiogroup", "name": "m1", "choices": ["item1-0", "item2-10"]},
                    ],
                },
                {"type": "radiogroup", "name": "unscored", "choices": ["item1-9"]},
            ],
        }
    ]
}


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "survey.json"
    path.write_text(json.dumps(SURVEY))
    return aia.load_survey(path)


def scored(survey, **answers):
    return aia.score({"version": "x", "data": answers}, survey)


def test_maxima_count_every_scored_question(survey):
    doc = scored(survey)
    assert (doc["max_raw"], doc["max_mitigation"]) == (4 + 8 + 8, 10)
    assert (doc["raw"], doc["total"], doc["level"]) == (0, 0, 1)


@pytest.mark.parametrize(
    "answers,total,level",
    [
        ({"r1-RS": "item2-2", "c1-RS": ["item2-2", "item1-1"]}, 5, 1),  # 5/20 = 25 %: still I
        ({"r1-RS": "item3-4", "c1-RS": ["item2-2"]}, 6, 2),  # 30 %
        ({"d1": "item1-8", "c1-RS": ["item2-2"]}, 10, 2),  # 50 %: still II
        ({"d1": "item1-8", "c1-RS": ["item3-5"]}, 13, 3),  # 65 %
        ({"d1": "item1-8", "r1-RS": "item3-4", "c1-RS": ["item1-1", "item2-2"]}, 15, 3),  # 75 %
        ({"d1": "item1-8", "r1-RS": "item3-4", "c1-RS": ["item1-1", "item3-5"]}, 18, 4),  # 90 %
    ],
)
def test_level_boundaries(survey, answers, total, level):
    doc = scored(survey, **answers)
    assert (doc["total"], doc["level"]) == (total, level)


def test_mitigation_reduces_the_raw_score_by_15_percent_rounded_half_up(survey):
    # raw 10; mitigation 10 ≥ 0.8 × 10 / 2 → total = round_half_up(8.5) = 9
    doc = scored(survey, d1="item1-8", **{"c1-RS": ["item2-2"]}, m1="item2-10")
    assert (doc["raw"], doc["mitigation"], doc["total"]) == (10, 10, 9)
    assert doc["mitigation_reduction_applied"] is True
    assert doc["level"] == 2  # 9/20 = 45 %
    without = scored(survey, d1="item1-8", **{"c1-RS": ["item2-2"]}, m1="item1-0")
    assert without["total"] == 10 and not without["mitigation_reduction_applied"]


def test_unknown_questions_and_values_are_listed_not_scored(survey):
    doc = scored(survey, **{"r1-RS": "item9-9", "ghost": "item1-3"}, d1="item1-8")
    assert doc["raw"] == 8
    assert {u["question"] for u in doc["unknown"]} == {"r1-RS", "ghost"}


def test_the_shipped_official_survey(tmp_path):
    questions = aia.load_survey()
    rs = [q for q in questions.values() if q.kind == "RS" and q.weights]
    ms = [q for q in questions.values() if q.kind == "MS" and q.weights]
    assert len(rs) > 30 and len(ms) > 20
    # The heaviest answer everywhere is level IV; the lightest, level I.
    heaviest = {
        q.name: (list(q.weights) if q.multiple else max(q.weights, key=q.weights.get)) for q in rs
    }
    lightest = {q.name: ([] if q.multiple else min(q.weights, key=q.weights.get)) for q in rs}
    assert aia.score({"data": heaviest})["level"] == 4
    doc = aia.score({"data": lightest})
    assert doc["level"] == 1 and doc["unknown"] == []
    assert aia.score({"data": heaviest})["raw"] == doc["max_raw"]
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"version": "0.10.1", "currentPage": 4, "data": heaviest}))
    cli = run_ombuds("aia", "score", str(results), "--format", "json", cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr
    out = json.loads(cli.stdout)
    assert out["schema"] == "ombuds.aia/1" and out["level"] == 4
    assert set(out) >= {"raw", "mitigation", "total", "level", "max_raw", "max_mitigation"}


def test_cli_reports_unknown_answers_on_stderr(tmp_path):
    results = tmp_path / "r.json"
    results.write_text(json.dumps({"data": {"notAQuestion": "item1-3"}}))
    cli = run_ombuds("aia", "score", str(results), cwd=tmp_path)
    assert cli.returncode == 0
    assert "notAQuestion" in cli.stderr and json.loads(cli.stdout)["unknown"]
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert run_ombuds("aia", "score", str(bad), cwd=tmp_path).returncode == 2
