"""Canada's Algorithmic Impact Assessment, scored exactly as the official tool scores it.

A question is risk-scored when its own name, or failing that its parent panel's name, ends in
`-RS`, mitigation-scored for `-MS`. An answer's weight is the number after the last `-` of the
choice value (a list of answers sums). A single-choice question's maximum is its highest choice
weight, a checkbox's the sum of its weights; every scored question counts toward the maxima,
answered or not. When the mitigation score is at least 80 % of half the maximum mitigation score,
the raw score is reduced by 15 % (rounded half up). Level I up to 25 % of the maximum raw score,
II up to 50 %, III up to 75 %, IV above. Unknown questions or values are listed, never scored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from .errors import AssuranceError

SCHEMA = "ombuds.aia/1"
DEFAULT_SURVEY = Path(__file__).resolve().parent.parent / "content" / "aia" / "survey-enfr.json"
CHOICE_TYPES = {"radiogroup", "dropdown", "checkbox", "tagbox", "imagepicker"}


@dataclass
class Question:
    name: str
    kind: str  # "RS", "MS" or "" (not scored)
    multiple: bool
    weights: dict[str, int]

    @property
    def maximum(self) -> int:
        if not self.weights:
            return 0
        return sum(self.weights.values()) if self.multiple else max(self.weights.values())


def weight(value: Any) -> int:
    text = str(value)
    if "-" not in text:
        return 0
    tail = text.rsplit("-", 1)[1]
    return int(tail) if tail.isdigit() else 0


def _suffix(name: str | None) -> str:
    if name and name.endswith("-RS"):
        return "RS"
    if name and name.endswith("-MS"):
        return "MS"
    return ""


def load_survey(path: str | Path | None = None) -> dict[str, Question]:
    source = Path(path) if path else DEFAULT_SURVEY
    try:
        survey = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssuranceError(f"survey file not found: {source}") from None
    except ValueError as exc:
        raise AssuranceError(f"survey {source} is not JSON: {exc}") from None
    if not isinstance(survey, dict) or not isinstance(survey.get("pages"), list):
        raise AssuranceError(f"survey {source} has no 'pages': is it a SurveyJS definition?")
    return parse_survey(survey)


def parse_survey(survey: dict) -> dict[str, Question]:
    """The questions of a SurveyJS definition, each with its scoring kind and choice weights."""
    questions: dict[str, Question] = {}

    def walk(elements, parent_name):
        for element in elements or []:
            name = element.get("name")
            if element.get("type") in CHOICE_TYPES and name:
                choices = [
                    c.get("value") if isinstance(c, dict) else c
                    for c in element.get("choices") or []
                ]
                # SurveyJS adds these choices itself when the question asks for them
                choices += [
                    v
                    for flag, v in (("hasOther", "other"), ("hasNone", "none"))
                    if element.get(flag)
                ]
                questions[name] = Question(
                    name=name,
                    kind=_suffix(name) or _suffix(parent_name),
                    multiple=element.get("type") in {"checkbox", "tagbox"},
                    weights={str(c): weight(c) for c in choices},
                )
            elif name and element.get("type") not in ("panel", "paneldynamic"):
                questions.setdefault(name, Question(name=name, kind="", multiple=False, weights={}))
            for key in ("elements", "templateElements"):
                if key in element:
                    walk(element[key], name)

    for page in survey.get("pages") or []:
        walk(page.get("elements"), page.get("name"))
    return questions


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def score(results: dict, survey: dict[str, Question] | None = None) -> dict:
    questions = survey if survey is not None else load_survey()
    data = results.get("data") if isinstance(results, dict) else None
    if not isinstance(data, dict):
        raise AssuranceError("the results file has no 'data' object: is it saved by the AIA tool?")
    raw = mitigation = 0
    unknown: list[dict[str, Any]] = []
    for name, answer in data.items():
        q = questions.get(name)
        if q is None and name.endswith("-Comment") and name[: -len("-Comment")] in questions:
            continue  # the free text SurveyJS keeps beside an "other" answer
        if q is None:
            unknown.append({"question": name, "reason": "not a question of this survey"})
            continue
        if not q.kind:
            continue
        values = answer if isinstance(answer, list) else [answer]
        total = 0
        for v in values:
            if str(v) not in q.weights:
                unknown.append(
                    {"question": name, "value": v, "reason": "not a choice of this question"}
                )
                continue
            total += q.weights[str(v)]
        if q.kind == "RS":
            raw += total
        else:
            mitigation += total
    max_raw = sum(q.maximum for q in questions.values() if q.kind == "RS")
    max_mitigation = sum(q.maximum for q in questions.values() if q.kind == "MS")
    reduced = Decimal(mitigation) >= Decimal("0.8") * Decimal(max_mitigation) / 2
    total_score = _round_half_up(Decimal(raw) * Decimal("0.85")) if reduced else raw
    share = Decimal(total_score) / Decimal(max_raw) if max_raw else Decimal(0)
    level = (
        1
        if share <= Decimal("0.25")
        else 2
        if share <= Decimal("0.5")
        else 3
        if share <= Decimal("0.75")
        else 4
    )
    return {
        "schema": SCHEMA,
        "raw": raw,
        "mitigation": mitigation,
        "total": total_score,
        "level": level,
        "max_raw": max_raw,
        "max_mitigation": max_mitigation,
        "mitigation_reduction_applied": reduced,
        "unknown": unknown,
        "version": results.get("version"),
    }
