"""Procurement content as YAML data: the due-diligence questionnaire, the contract clauses and the
sections expected in vendors' cards. Validated at load; a problem names the file, the item and
what is wrong. No Django here, so the validator runs anywhere.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTENT = Path(__file__).resolve().parent.parent / "content"
DD_DIR = CONTENT / "due_diligence"
CLAUSE_DIR = CONTENT / "clauses"
CARD_SECTIONS_FILE = DD_DIR / "card-sections.yaml"
EVIDENCE = {"none", "optional", "required"}
PARAM_TYPES = {"integer", "percent", "text", "choice"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _(message: str) -> str:
    """gettext when Django is set up (messages reach officers); the text itself otherwise, so the
    validator still runs without Django."""
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)


class ContentError(ValueError):
    """Content that cannot be used; the message names the file, the item and the problem."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    section: str
    help: str = ""
    evidence: str = "none"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    title: str
    sections: tuple[Section, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    label: str
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()

    def clean(self, raw: Any) -> Any:
        """The value as the clause will print it; ValueError with a sentence when it is wrong."""
        text = "" if raw is None else str(raw).strip()
        if text == "":
            if self.default is None:
                raise ValueError(_("give a value"))
            text = str(self.default)
        if self.type in ("integer", "percent"):
            try:
                number = Decimal(text.replace(",", "."))
            except InvalidOperation:
                raise ValueError(_("give a number")) from None
            if not number.is_finite():
                raise ValueError(_("give a number"))
            if self.type == "integer" and number != number.to_integral_value():
                raise ValueError(_("give a whole number"))
            low = 0 if self.type == "percent" and self.min is None else self.min
            high = 100 if self.type == "percent" and self.max is None else self.max
            if low is not None and number < Decimal(str(low)):
                raise ValueError(_("give at least %(n)s") % {"n": f"{low:g}"})
            if high is not None and number > Decimal(str(high)):
                raise ValueError(_("give at most %(n)s") % {"n": f"{high:g}"})
            return int(number) if self.type == "integer" else float(number)
        if self.type == "choice":
            if text not in self.choices:
                raise ValueError(_("choose one of: %(c)s") % {"c": "; ".join(self.choices)})
            return text
        if "\n" in text or "\r" in text:
            raise ValueError(_("keep it on one line"))
        if len(text) > 500:
            raise ValueError(_("keep it under %(n)d characters") % {"n": 500})
        return text


@dataclass(frozen=True)
class Clause:
    id: str
    version: int
    title: str
    text: str
    parameters: tuple[Parameter, ...] = ()
    required_from_level: int | None = None
    applies_to: str = "bought"
    source: str = field(default="", compare=False)

    def required_at(self, level: int) -> bool:
        return self.required_from_level is not None and level >= self.required_from_level

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}

    def render(self, values: dict[str, Any]) -> str:
        filled = {p.name: values.get(p.name, p.default) for p in self.parameters}
        return self.text.format(**{k: show(v) for k, v in filled.items()})


def show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from None


def _text(entry: dict, key: str, where: str, required: bool = True) -> str:
    value = entry.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ContentError(f"{where}: '{key}' must be a non-empty text")
    return value.strip()


def _ident(entry: Any, where: str, seen: set[str]) -> str:
    if not isinstance(entry, dict):
        raise ContentError(f"{where}: each item must be a mapping")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ID_RE.match(ident):
        raise ContentError(f"{where}: 'id' must be lower-case letters, digits, '-' or '_'")
    if ident in seen:
        raise ContentError(f"{where} '{ident}': the id is used twice")
    seen.add(ident)
    return ident


def _version(data: dict, where: str) -> int:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ContentError(f"{where}: 'version' must be a whole number from 1")
    return version


# --- due diligence --------------------------------------------------------------------------


def parse_questionnaire(data: Any, source: str) -> Questionnaire:
    if not isinstance(data, dict):
        raise ContentError(f"{source}: the questionnaire must be a mapping")
    qid = _ident(data, source, set())
    version = _version(data, source)
    title = _text(data, "title", source)
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise ContentError(f"{source}: 'sections' must be a non-empty list")
    sections, seen_s, seen_q = [], set(), set()
    for raw in raw_sections:
        sid = _ident(raw, f"{source} section", seen_s)
        where = f"{source} section '{sid}'"
        questions = raw.get("questions")
        if not isinstance(questions, list) or not questions:
            raise ContentError(f"{where}: 'questions' must be a non-empty list")
        built = []
        for q in questions:
            question_id = _ident(q, f"{where} question", seen_q)
            qwhere = f"{source} question '{question_id}'"
            unknown = set(q) - {"id", "text", "help", "evidence"}
            if unknown:
                raise ContentError(f"{qwhere}: unknown key(s) {', '.join(sorted(unknown))}")
            evidence = q.get("evidence", "none")
            if evidence not in EVIDENCE:
                raise ContentError(f"{qwhere}: 'evidence' must be one of none, optional, required")
            built.append(
                Question(
                    question_id,
                    _text(q, "text", qwhere),
                    sid,
                    _text(q, "help", qwhere, required=False),
                    evidence,
                )
            )
        sections.append(Section(sid, _text(raw, "title", where), tuple(built)))
    return Questionnaire(qid, version, title, tuple(sections))


def load_questionnaires(folder: Path = DD_DIR) -> dict[str, Questionnaire]:
    found: dict[str, Questionnaire] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path == CARD_SECTIONS_FILE or path.name == CARD_SECTIONS_FILE.name:
            continue
        q = parse_questionnaire(_read(path), path.name)
        if q.id in found:
            raise ContentError(f"{path.name}: questionnaire '{q.id}' is also defined elsewhere")
        found[q.id] = q
    if not found:
        raise ContentError(f"{folder}: no due-diligence questionnaire found")
    return found


@cache
def questionnaires() -> dict[str, Questionnaire]:
    return load_questionnaires()


DEFAULT_QUESTIONNAIRE = "vendor-due-diligence"


def questionnaire(qid: str = DEFAULT_QUESTIONNAIRE) -> Questionnaire:
    return questionnaires()[qid]


# --- clauses ----------------------------------------------------------------------------------


def _parameter(name: Any, spec: Any, where: str) -> Parameter:
    if not isinstance(name, str) or not re.match(r"^[a-z_][a-z0-9_]*$", name):
        raise ContentError(f"{where}: parameter names are lower-case identifiers (got {name!r})")
    pwhere = f"{where} parameter '{name}'"
    if not isinstance(spec, dict):
        raise ContentError(f"{pwhere}: must be a mapping with type, default and label")
    unknown = set(spec) - {"type", "default", "label", "min", "max", "choices"}
    if unknown:
        raise ContentError(f"{pwhere}: unknown key(s) {', '.join(sorted(unknown))}")
    kind = spec.get("type")
    if kind not in PARAM_TYPES:
        raise ContentError(f"{pwhere}: 'type' must be one of {', '.join(sorted(PARAM_TYPES))}")
    for bound in ("min", "max"):
        if spec.get(bound) is not None and not isinstance(spec[bound], int | float):
            raise ContentError(f"{pwhere}: '{bound}' must be a number")
    choices = spec.get("choices") or []
    if kind == "choice" and (
        not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices)
    ):
        raise ContentError(f"{pwhere}: a choice parameter lists its 'choices'")
    param = Parameter(
        name,
        kind,
        _text(spec, "label", pwhere),
        spec.get("default"),
        spec.get("min"),
        spec.get("max"),
        tuple(choices),
    )
    if param.default is not None:
        try:
            param.clean(param.default)
        except ValueError as exc:
            raise ContentError(f"{pwhere}: the default is not valid: {exc}") from None
    return param


def parse_clauses(data: Any, source: str) -> list[Clause]:
    if not isinstance(data, dict):
        raise ContentError(f"{source}: the clause file must be a mapping")
    _version(data, source)
    raw = data.get("clauses")
    if not isinstance(raw, list) or not raw:
        raise ContentError(f"{source}: 'clauses' must be a non-empty list")
    out, seen = [], set()
    for entry in raw:
        cid = _ident(entry, f"{source} clause", seen)
        where = f"{source} clause '{cid}'"
        unknown = set(entry) - {
            "id",
            "version",
            "title",
            "text",
            "parameters",
            "required_from_level",
            "applies_to",
        }
        if unknown:
            raise ContentError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        level = entry.get("required_from_level")
        if level is not None and level not in (1, 2, 3, 4):
            raise ContentError(f"{where}: 'required_from_level' must be 1, 2, 3 or 4 (I–IV)")
        applies_to = entry.get("applies_to", "bought")
        if applies_to != "bought":
            raise ContentError(f"{where}: 'applies_to' can only be 'bought'")
        specs = entry.get("parameters") or {}
        if not isinstance(specs, dict):
            raise ContentError(f"{where}: 'parameters' must map a name to its definition")
        params = tuple(_parameter(n, s, where) for n, s in specs.items())
        text = _text(entry, "text", where)
        try:
            used = {f for _l, f, _s, _c in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            raise ContentError(f"{where}: the text's braces are unbalanced: {exc}") from None
        names = {p.name for p in params}
        if used - names:
            raise ContentError(
                f"{where}: the text uses undefined parameter(s) {', '.join(sorted(used - names))}"
            )
        if names - used:
            raise ContentError(
                f"{where}: parameter(s) {', '.join(sorted(names - used))} not used in the text"
            )
        out.append(
            Clause(
                cid,
                _version(entry, where),
                _text(entry, "title", where),
                text,
                params,
                level,
                applies_to,
                source,
            )
        )
    return out


def load_clauses(folder: Path = CLAUSE_DIR) -> dict[str, Clause]:
    found: dict[str, Clause] = {}
    for path in sorted(folder.glob("*.yaml")):
        for clause in parse_clauses(_read(path), path.name):
            if clause.id in found:
                raise ContentError(f"{path.name} clause '{clause.id}': also defined elsewhere")
            found[clause.id] = clause
    return found


@cache
def clauses() -> dict[str, Clause]:
    return load_clauses()


def required_clauses(level: int) -> list[Clause]:
    return [c for c in clauses().values() if c.required_at(level)]


# --- card sections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardSection:
    id: str
    title: str
    aliases: tuple[str, ...] = ()


def parse_card_sections(data: Any, source: str) -> dict[str, tuple[str, list[CardSection]]]:
    if not isinstance(data, dict) or not isinstance(data.get("cards"), dict):
        raise ContentError(f"{source}: 'cards' must map a card kind to its sections")
    _version(data, source)
    out = {}
    for kind, spec in data["cards"].items():
        where = f"{source} card '{kind}'"
        if not isinstance(spec, dict) or not isinstance(spec.get("sections"), list):
            raise ContentError(f"{where}: give a title and a list of sections")
        seen: set[str] = set()
        sections = []
        for s in spec["sections"]:
            sid = _ident(s, f"{where} section", seen)
            aliases = s.get("aliases") or []
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ContentError(f"{where} section '{sid}': 'aliases' must be a list of names")
            sections.append(
                CardSection(sid, _text(s, "title", f"{where} section '{sid}'"), tuple(aliases))
            )
        out[kind] = (_text(spec, "title", where), sections)
    return out


@cache
def card_sections() -> dict[str, tuple[str, list[CardSection]]]:
    return parse_card_sections(_read(CARD_SECTIONS_FILE), CARD_SECTIONS_FILE.name)
