"""Questionnaire templates as content: YAML files under content/questionnaires, validated at load.

A template has an id, a version, sections of questions (id, text, help, type single / multiple /
text / number / date, choices with risk and mitigation weights, show-if conditions, mappings to
the frameworks they serve) and a scoring block that turns answers into impact levels I–IV.
Any problem stops the load with a message naming the file, the item and what is wrong.
No Django here: the web app, the API and the tests all read templates through this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

CONTENT = Path(__file__).resolve().parent.parent / "content" / "questionnaires"
TYPES = {"single", "multiple", "text", "number", "date"}
FRAMEWORKS = {"foc-2024", "eu-ai-act", "canada-dadm", "omb-m-25-21", "nist-ai-rmf", "uk-atrs"}


class TemplateError(ValueError):
    """A template that cannot be used; the message names the file, the item and the problem."""


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    risk: int = 0
    mitigation: int = 0


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: str
    help: str = ""
    choices: tuple[Choice, ...] = ()
    show_if: dict | None = None
    maps_to: tuple[str, ...] = ()
    required: bool = True

    @property
    def max_risk(self) -> int:
        weights = [c.risk for c in self.choices]
        return (sum(weights) if self.type == "multiple" else max(weights)) if weights else 0

    @property
    def max_mitigation(self) -> int:
        weights = [c.mitigation for c in self.choices]
        return (sum(weights) if self.type == "multiple" else max(weights)) if weights else 0


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: str
    language: str
    sections: tuple[Section, ...]
    levels: tuple[tuple[int, Decimal], ...]
    mitigation_threshold: Decimal | None
    mitigation_reduction: Decimal
    description: str = ""
    frameworks: tuple[str, ...] = ()
    source: str = ""
    questions: dict[str, Question] = field(default_factory=dict, compare=False)

    @property
    def max_risk(self) -> int:
        return sum(q.max_risk for q in self.questions.values())

    @property
    def max_mitigation(self) -> int:
        return sum(q.max_mitigation for q in self.questions.values())


def _need(item: dict, key: str, where: str, kind=str):
    if key not in item:
        raise TemplateError(f"{where}: '{key}' is missing")
    value = item[key]
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        raise TemplateError(f"{where}: '{key}' must be a non-empty {kind.__name__}")
    return value


def _parse_question(raw: Any, where: str, seen: set[str]) -> Question:
    if not isinstance(raw, dict):
        raise TemplateError(f"{where}: a question must be a mapping")
    qid = _need(raw, "id", where)
    where = f"{where.rsplit(' ', 1)[0]} question '{qid}'"
    if qid in seen:
        raise TemplateError(f"{where}: the id is used twice")
    seen.add(qid)
    unknown = set(raw) - {"id", "text", "help", "type", "choices", "show_if", "maps_to", "required"}
    if unknown:
        raise TemplateError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    qtype = _need(raw, "type", where)
    if qtype not in TYPES:
        raise TemplateError(f"{where}: type '{qtype}' is not one of {', '.join(sorted(TYPES))}")
    choices: list[Choice] = []
    if qtype in {"single", "multiple"}:
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2:
            raise TemplateError(f"{where}: a {qtype} question needs at least two choices")
        ids = set()
        for c in raw_choices:
            if not isinstance(c, dict):
                raise TemplateError(f"{where}: each choice must be a mapping with id and text")
            cid = _need(c, "id", f"{where} choice")
            if cid in ids:
                raise TemplateError(f"{where}: choice '{cid}' is listed twice")
            ids.add(cid)
            extra = set(c) - {"id", "text", "risk", "mitigation"}
            if extra:
                raise TemplateError(
                    f"{where} choice '{cid}': unknown key(s) {', '.join(sorted(extra))}"
                )
            for w in ("risk", "mitigation"):
                if not isinstance(c.get(w, 0), int) or c.get(w, 0) < 0:
                    raise TemplateError(f"{where} choice '{cid}': '{w}' must be a whole number ≥ 0")
            choices.append(
                Choice(
                    cid,
                    _need(c, "text", f"{where} choice '{cid}'"),
                    c.get("risk", 0),
                    c.get("mitigation", 0),
                )
            )
    elif "choices" in raw:
        raise TemplateError(f"{where}: a {qtype} question has no choices")
    maps = raw.get("maps_to", [])
    if not isinstance(maps, list) or not all(isinstance(m, str) for m in maps):
        raise TemplateError(f"{where}: 'maps_to' must be a list of framework references")
    bad = [m for m in maps if m.split(":", 1)[0] not in FRAMEWORKS]
    if bad:
        raise TemplateError(
            f"{where}: unknown framework in {', '.join(bad)} "
            f"(known: {', '.join(sorted(FRAMEWORKS))})"
        )
    show_if = raw.get("show_if")
    if show_if is not None and (
        not isinstance(show_if, dict)
        or set(show_if) - {"question", "in"}
        or "question" not in show_if
        or not isinstance(show_if.get("in"), list)
    ):
        raise TemplateError(f"{where}: 'show_if' must be {{question: ID, in: [choice ids]}}")
    return Question(
        qid,
        _need(raw, "text", where),
        qtype,
        raw.get("help", ""),
        tuple(choices),
        show_if,
        tuple(maps),
        bool(raw.get("required", True)),
    )


def parse(data: Any, source: str = "<template>") -> Template:
    where = source
    if not isinstance(data, dict):
        raise TemplateError(f"{where}: the template must be a mapping")
    tid = _need(data, "id", where)
    version = _need(data, "version", f"{where} template '{tid}'", int)
    where = f"{where} template '{tid}'"
    sections, questions, seen = [], {}, set()
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise TemplateError(f"{where}: 'sections' must be a non-empty list")
    section_ids = set()
    for s in raw_sections:
        if not isinstance(s, dict):
            raise TemplateError(f"{where}: each section must be a mapping")
        sid = _need(s, "id", f"{where} section")
        if sid in section_ids:
            raise TemplateError(f"{where} section '{sid}': the id is used twice")
        section_ids.add(sid)
        qs = s.get("questions")
        if not isinstance(qs, list) or not qs:
            raise TemplateError(f"{where} section '{sid}': 'questions' must be a non-empty list")
        parsed = tuple(_parse_question(q, f"{where} section '{sid}' question", seen) for q in qs)
        for q in parsed:
            questions[q.id] = q
        sections.append(Section(sid, _need(s, "title", f"{where} section '{sid}'"), parsed))
    for q in questions.values():
        if q.show_if:
            target = questions.get(q.show_if["question"])
            if target is None or not target.choices:
                raise TemplateError(
                    f"{where} question '{q.id}': show_if names "
                    f"'{q.show_if['question']}', which is not a choice question"
                )
            unknown = set(q.show_if["in"]) - {c.id for c in target.choices}
            if unknown:
                raise TemplateError(
                    f"{where} question '{q.id}': show_if names unknown choice(s) "
                    f"{', '.join(sorted(unknown))} of '{target.id}'"
                )
    scoring = data.get("scoring") or {}
    raw_levels = scoring.get(
        "levels",
        [
            {"level": 1, "up_to": 0.25},
            {"level": 2, "up_to": 0.5},
            {"level": 3, "up_to": 0.75},
            {"level": 4, "up_to": 1.0},
        ],
    )
    try:
        levels = tuple((int(x["level"]), Decimal(str(x["up_to"]))) for x in raw_levels)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        raise TemplateError(f"{where}: scoring.levels must be a list of {{level, up_to}}") from None
    if (
        [lv for lv, _ in levels] != [1, 2, 3, 4]
        or [u for _, u in levels] != sorted(u for _, u in levels)
        or levels[-1][1] != 1
    ):
        raise TemplateError(
            f"{where}: scoring.levels must be levels 1–4 with rising up_to, the last 1.0"
        )
    reduction = scoring.get("mitigation_reduction") or {}
    threshold = reduction.get("when_share_at_least")
    return Template(
        id=tid,
        version=version,
        title=_need(data, "title", where),
        language=data.get("language", "en"),
        sections=tuple(sections),
        levels=levels,
        mitigation_threshold=Decimal(str(threshold)) if threshold is not None else None,
        mitigation_reduction=Decimal(str(reduction.get("reduce_by", 0))),
        description=data.get("description", ""),
        frameworks=tuple(data.get("frameworks", [])),
        source=source,
        questions=questions,
    )


def load_file(path: Path) -> Template:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark else ""
        raise TemplateError(
            f"{path.name}{at}: not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    return parse(data, path.name)


def load_all(folder: Path = CONTENT) -> dict[str, Template]:
    templates: dict[str, Template] = {}
    for path in sorted(folder.glob("*.yaml")):
        t = load_file(path)
        if t.id in templates:
            raise TemplateError(
                f"{path.name}: template id '{t.id}' is also used by {templates[t.id].source}"
            )
        templates[t.id] = t
    return templates


def visible(template: Template, answers: dict[str, Any]) -> list[Question]:
    """The questions shown for these answers (show-if conditions applied)."""
    out = []
    for q in template.questions.values():
        if q.show_if:
            given = answers.get(q.show_if["question"])
            given = given if isinstance(given, list) else [given]
            if not set(given) & set(q.show_if["in"]):
                continue
        out.append(q)
    return out


@dataclass
class Score:
    raw: int
    mitigation: int
    total: int
    level: int
    max_raw: int
    max_mitigation: int
    reduced: bool
    unanswered: list[str]


def score(template: Template, answers: dict[str, Any]) -> Score:
    """Risk and mitigation weights of the chosen answers; every visible question counts toward
    the maxima, answered or not; impact level by the template's documented thresholds."""
    shown = visible(template, answers)
    raw = mitigation = 0
    unanswered = []
    for q in shown:
        if not q.choices:
            if q.required and answers.get(q.id) in (None, ""):
                unanswered.append(q.id)
            continue
        given = answers.get(q.id)
        if given in (None, [], ""):
            if q.required:
                unanswered.append(q.id)
            continue
        chosen = given if isinstance(given, list) else [given]
        by_id = {c.id: c for c in q.choices}
        unknown = [c for c in chosen if c not in by_id]
        if unknown:
            raise TemplateError(
                f"answer to '{q.id}': {', '.join(map(str, unknown))} is not a choice"
            )
        raw += sum(by_id[c].risk for c in chosen)
        mitigation += sum(by_id[c].mitigation for c in chosen)
    max_raw = sum(q.max_risk for q in shown)
    max_mitigation = sum(q.max_mitigation for q in shown)
    reduced = (
        template.mitigation_threshold is not None
        and max_mitigation > 0
        and Decimal(mitigation) >= template.mitigation_threshold * max_mitigation
    )
    total = raw
    if reduced:
        total = int(
            (Decimal(raw) * (1 - template.mitigation_reduction)).quantize(
                Decimal("1"), rounding=ROUND_HALF_UP
            )
        )
    share = Decimal(total) / Decimal(max_raw) if max_raw else Decimal(0)
    level = next(lv for lv, up_to in template.levels if share <= up_to)
    return Score(raw, mitigation, total, level, max_raw, max_mitigation, reduced, unanswered)
