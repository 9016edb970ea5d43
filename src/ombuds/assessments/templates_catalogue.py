"""The questionnaires an assessment can use: the YAML templates under content/questionnaires and
Canada's Algorithmic Impact Assessment, converted from the official SurveyJS definition (in
English and French) so that it is filled in Ombuds like any other template, and scored exactly
as the official tool scores it (`ombuds.assurance.aia`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from ombuds.assurance import aia

from .questionnaire import Score, Template, TemplateError, load_all, parse
from .questionnaire import score as score_template

CANADA_AIA = "canada-aia"
_VISIBLE_IF = re.compile(r'^\{([^}]+)\}\s*(?:contains|=|anyof)\s*\[?"([^"]+)"\]?$')


def _text(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or value.get("default") or next(iter(value.values()), ""))
    return str(value or "")


def survey_to_template(survey: dict, language: str = "en", source: str = "survey") -> Template:
    """A SurveyJS AIA definition as an Ombuds template: pages become sections, radio groups and
    dropdowns single-choice questions, checkboxes multiple-choice ones, text and comments text.
    Weights come from the choice values as the official tool reads them (`aia.load_survey`)."""
    scored = aia.parse_survey(survey)
    lang = "default" if language == "en" else language
    sections = []
    page_show_if: dict | None = None

    def walk(elements, out, conditional=False):
        for el in elements or []:
            kind, name = el.get("type"), el.get("name")
            shown_sometimes = conditional or bool(el.get("visibleIf"))
            if kind in ("panel", "paneldynamic"):
                walk(el.get("elements") or el.get("templateElements"), out, shown_sometimes)
                continue
            if not name or kind == "html":
                continue
            title = _text(el.get("title") or name, lang).strip() or name
            info = scored.get(name)
            # A scored question the official tool always shows must be answered before the
            # assessment is submitted; the others are optional, as in the official tool.
            required = bool(info and info.kind) and not shown_sometimes
            q: dict[str, Any] = {"id": name, "text": title, "required": required}
            if el.get("description"):
                q["help"] = _text(el["description"], lang)
            if kind in aia.CHOICE_TYPES:
                choices = []
                for c in el.get("choices") or []:
                    value = c.get("value") if isinstance(c, dict) else c
                    label = _text(c.get("text", value), lang) if isinstance(c, dict) else str(c)
                    w = info.weights.get(str(value), 0) if info else 0
                    choices.append(
                        {
                            "id": str(value),
                            "text": label or str(value),
                            "risk": w if info and info.kind == "RS" else 0,
                            "mitigation": w if info and info.kind == "MS" else 0,
                        }
                    )
                for flag, value, label in (
                    ("hasOther", "other", {"default": "Other", "fr": "Autre"}),
                    ("hasNone", "none", {"default": "None", "fr": "Aucun"}),
                ):
                    if el.get(flag):
                        choices.append({"id": value, "text": _text(label, lang)})
                if len(choices) < 2:
                    continue  # SurveyJS allows a lone checkbox; it is never scored
                q["type"] = "multiple" if kind in ("checkbox", "tagbox") else "single"
                q["choices"] = choices
                q["maps_to"] = ["canada-dadm:aia"]
            else:
                q["type"] = "number" if el.get("inputType") == "number" else "text"
            match = _VISIBLE_IF.match(str(el.get("visibleIf", "")).strip())
            if match:
                q["show_if"] = {"question": match.group(1), "in": [match.group(2)]}
            elif page_show_if and not shown_sometimes:
                q["show_if"] = page_show_if  # the page's own condition (design or implementation)
            out.append(q)

    for page in survey.get("pages") or []:
        questions: list[dict] = []
        condition = str(page.get("visibleIf", "")).strip()
        match = _VISIBLE_IF.match(condition)
        page_show_if = {"question": match.group(1), "in": [match.group(2)]} if match else None
        walk(page.get("elements"), questions, bool(condition) and not match)
        if questions:
            sections.append(
                {
                    "id": page.get("name") or f"page{len(sections) + 1}",
                    "title": _text(page.get("title") or page.get("name"), lang),
                    "questions": questions,
                }
            )
    ids = {q["id"]: q for s in sections for q in s["questions"]}
    for q in ids.values():  # drop conditions that name a question we do not show as a choice
        cond = q.get("show_if")
        target = ids.get(cond["question"]) if cond else None
        if cond and (
            not target
            or "choices" not in target
            or not set(cond["in"]) <= {c["id"] for c in target["choices"]}
        ):
            q.pop("show_if")
    title = (
        "Algorithmic Impact Assessment (Government of Canada)"
        if language == "en"
        else "Évaluation de l'incidence algorithmique (gouvernement du Canada)"
    )
    return parse(
        {
            "id": CANADA_AIA,
            "version": 1,
            "title": title,
            "language": language,
            "frameworks": ["canada-dadm"],
            "description": (
                "The official AIA questionnaire of the Treasury Board of Canada Secretariat "
                "(MIT licence), scored exactly as the official tool scores it."
            ),
            "sections": sections,
        },
        source,
    )


@cache
def _canada(language: str) -> Template:
    survey = json.loads(Path(aia.DEFAULT_SURVEY).read_text(encoding="utf-8"))
    return survey_to_template(survey, language, Path(aia.DEFAULT_SURVEY).name)


@cache
def _yaml_templates() -> dict[str, Template]:
    return load_all()


def templates() -> dict[str, Template]:
    return {**_yaml_templates(), CANADA_AIA: _canada("en")}


def get(template_id: str, language: str = "en") -> Template:
    if template_id == CANADA_AIA:
        return _canada("fr" if language == "fr" else "en")
    found = _yaml_templates().get(template_id)
    if found is None:
        raise TemplateError(f"no questionnaire template '{template_id}'")
    return found


def languages(template_id: str) -> list[str]:
    return ["en", "fr"] if template_id == CANADA_AIA else [get(template_id).language]


def compute(template_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The score of a set of answers, as stored on the assessment. For Canada's AIA, the official
    rules (every scored question counts toward the maxima); otherwise the template's own."""
    if template_id == CANADA_AIA:
        doc = aia.score({"data": answers})
        template = get(CANADA_AIA)
        valid = {}
        for qid, value in answers.items():
            q = template.questions.get(qid)
            values = value if isinstance(value, list) else [value]
            if q is None or value in (None, "", []):
                continue
            if q.choices and not {str(v) for v in values} <= {c.id for c in q.choices}:
                continue  # listed in "unknown" by the official scoring above
            valid[qid] = value
        shown = score_template(template, valid)
        return {
            "raw": doc["raw"],
            "mitigation": doc["mitigation"],
            "total": doc["total"],
            "level": doc["level"],
            "max_raw": doc["max_raw"],
            "max_mitigation": doc["max_mitigation"],
            "reduced": doc["mitigation_reduction_applied"],
            "unknown": doc["unknown"],
            "unanswered": shown.unanswered,
        }
    result: Score = score_template(get(template_id), answers)
    return {
        "raw": result.raw,
        "mitigation": result.mitigation,
        "total": result.total,
        "level": result.level,
        "max_raw": result.max_raw,
        "max_mitigation": result.max_mitigation,
        "reduced": result.reduced,
        "unknown": [],
        "unanswered": result.unanswered,
    }
