"""Training modules as content: YAML files under content/training, validated at load.

A module has an id, a version, a title, objectives, materials (text shown in the app, and links),
a knowledge check (questions with choices, exactly one right, and a pass mark in percent), a
validity period in months (or none: taken once) and which systems and roles require it.
Agencies' own modules (stored in the database) have the same structure and go through the same
`parse`. Any problem stops the load with a message naming the file, the item and what is wrong.
No Django here: the web app, the API and the tests all read modules through this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTENT = Path(__file__).resolve().parent.parent / "content" / "training"
ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,98}[a-z0-9]$")
ROLES = {
    "governance_lead",
    "system_owner",
    "assessor",
    "operator",
    "procurement_officer",
    "case_worker",
    "viewer",
}
SECTORS = {
    "healthcare",
    "law_enforcement",
    "justice",
    "public_benefits",
    "migration",
    "education",
    "employment",
    "critical_infrastructure",
    "other",
}
TOP_KEYS = {
    "id",
    "version",
    "title",
    "summary",
    "objectives",
    "materials",
    "links",
    "check",
    "validity_months",
    "required_for",
    "based_on",
    "min_accepted_version",
}


class ModuleError(ValueError):
    """A module that cannot be used; the message names the file, the item and the problem."""


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[Choice, ...]

    @property
    def answer(self) -> str:
        return next(c.id for c in self.choices if c.correct)


@dataclass(frozen=True)
class Material:
    title: str
    text: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Requirement:
    """Which systems require the module: all of them, the high-impact ones, those from an
    impact level, those of listed sectors (any one condition suffices); and which roles of the
    people who operate them (none listed: everyone assigned)."""

    all_systems: bool = False
    high_impact: bool = False
    min_level: int | None = None
    sectors: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()

    def applies(self, *, high_impact: bool | None, level: int | None, sector: str) -> bool:
        if self.all_systems:
            return True
        if self.high_impact and high_impact:
            return True
        if self.min_level is not None and level is not None and level >= self.min_level:
            return True
        return sector in self.sectors


@dataclass(frozen=True)
class Module:
    id: str
    version: int
    title: str
    objectives: tuple[str, ...]
    materials: tuple[Material, ...]
    questions: tuple[Question, ...]
    pass_mark: int
    validity_months: int | None
    required_for: Requirement
    summary: str = ""
    links: tuple[Link, ...] = ()
    based_on: str = ""
    # Certificates of an older version than this do not count (the content changed enough
    # that those who took the old one must take it again).
    min_accepted_version: int = 1
    source: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def score(self, answers: dict[str, str]) -> int:
        """Percent of questions answered right (rounded down: a pass mark is never reached by
        rounding)."""
        right = sum(1 for q in self.questions if answers.get(q.id) == q.answer)
        return right * 100 // len(self.questions)

    def unanswered(self, answers: dict[str, str]) -> list[Question]:
        """Questions with no answer, or an answer that is not one of their choices."""
        out = []
        for q in self.questions:
            if answers.get(q.id) not in {c.id for c in q.choices}:
                out.append(q)
        return out


def _text(item: dict, key: str, where: str, required: bool = True) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ModuleError(f"{where}: '{key}' must be a non-empty text")
    return value.strip()


def _questions(raw: Any, where: str) -> tuple[tuple[Question, ...], int]:
    if not isinstance(raw, dict):
        raise ModuleError(f"{where}: 'check' must be a mapping with pass_mark and questions")
    unknown = set(raw) - {"pass_mark", "questions"}
    if unknown:
        raise ModuleError(f"{where} check: unknown key(s) {', '.join(sorted(unknown))}")
    mark = raw.get("pass_mark")
    if not isinstance(mark, int) or isinstance(mark, bool) or not 1 <= mark <= 100:
        raise ModuleError(f"{where} check: 'pass_mark' must be a whole percent from 1 to 100")
    items = raw.get("questions")
    if not isinstance(items, list) or len(items) < 3:
        raise ModuleError(f"{where} check: 'questions' must list at least three questions")
    seen: set[str] = set()
    out = []
    for i, q in enumerate(items, 1):
        if not isinstance(q, dict):
            raise ModuleError(f"{where} question {i}: must be a mapping with id, text, choices")
        qid = q.get("id")
        if not isinstance(qid, str) or not qid.strip():
            raise ModuleError(f"{where} question {i}: 'id' is missing")
        qwhere = f"{where} question '{qid}'"
        if qid in seen:
            raise ModuleError(f"{qwhere}: the id is used twice")
        seen.add(qid)
        unknown = set(q) - {"id", "text", "choices"}
        if unknown:
            raise ModuleError(f"{qwhere}: unknown key(s) {', '.join(sorted(unknown))}")
        text = _text(q, "text", qwhere)
        raw_choices = q.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2:
            raise ModuleError(f"{qwhere}: needs at least two choices")
        choices = []
        ids: set[str] = set()
        for c in raw_choices:
            if not isinstance(c, dict) or not isinstance(c.get("id"), str):
                raise ModuleError(f"{qwhere}: each choice must be a mapping with id and text")
            if c["id"] in ids:
                raise ModuleError(f"{qwhere}: choice '{c['id']}' is listed twice")
            ids.add(c["id"])
            if set(c) - {"id", "text", "correct"}:
                raise ModuleError(f"{qwhere} choice '{c['id']}': takes id, text and correct")
            if not isinstance(c.get("correct", False), bool):
                raise ModuleError(f"{qwhere} choice '{c['id']}': 'correct' is true or false")
            choices.append(
                Choice(c["id"], _text(c, "text", f"{qwhere} choice '{c['id']}'"), c.get("correct"))
            )
        right = [c for c in choices if c.correct]
        if len(right) != 1:
            raise ModuleError(f"{qwhere}: exactly one choice must be marked correct: true")
        out.append(Question(qid, text, tuple(choices)))
    return tuple(out), mark


def _requirement(raw: Any, where: str) -> Requirement:
    if raw is None:
        return Requirement()
    if not isinstance(raw, dict):
        raise ModuleError(f"{where}: 'required_for' must be a mapping")
    unknown = set(raw) - {"all_systems", "high_impact", "min_level", "sectors", "roles"}
    if unknown:
        raise ModuleError(f"{where} required_for: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("all_systems", "high_impact"):
        if not isinstance(raw.get(key, False), bool):
            raise ModuleError(f"{where} required_for: '{key}' is true or false")
    level = raw.get("min_level")
    if level is not None and level not in (1, 2, 3, 4):
        raise ModuleError(f"{where} required_for: 'min_level' must be 1, 2, 3 or 4")
    sets = {}
    for key, allowed in (("sectors", SECTORS), ("roles", ROLES)):
        value = raw.get(key) or []
        if not isinstance(value, list) or set(value) - allowed:
            raise ModuleError(
                f"{where} required_for: '{key}' must list values among {', '.join(sorted(allowed))}"
            )
        sets[key] = frozenset(value)
    return Requirement(
        all_systems=raw.get("all_systems", False),
        high_impact=raw.get("high_impact", False),
        min_level=level,
        sectors=sets["sectors"],
        roles=sets["roles"],
    )


def parse(data: Any, source: str = "<module>") -> Module:
    """A module from its YAML data; ModuleError names the file, the item and the problem."""
    if not isinstance(data, dict):
        raise ModuleError(f"{source}: the module must be a mapping")
    mid = data.get("id")
    if not isinstance(mid, str) or not ID.match(mid):
        raise ModuleError(
            f"{source}: 'id' must be 3–100 lower-case letters, digits, '.', '-' or '_'"
        )
    where = f"{source} module '{mid}'"
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ModuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModuleError(f"{where}: 'version' must be a whole number from 1")
    title = _text(data, "title", where)
    objectives = data.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        raise ModuleError(f"{where}: 'objectives' must be a non-empty list of texts")
    if not all(isinstance(o, str) and o.strip() for o in objectives):
        raise ModuleError(f"{where}: each objective must be a non-empty text")
    materials = data.get("materials")
    if not isinstance(materials, list) or not materials:
        raise ModuleError(f"{where}: 'materials' must list at least one part with title and text")
    parts = []
    for i, m in enumerate(materials, 1):
        mwhere = f"{where} material {i}"
        if not isinstance(m, dict) or set(m) - {"title", "text"}:
            raise ModuleError(f"{mwhere}: a part is a mapping with title and text")
        parts.append(Material(_text(m, "title", mwhere), _text(m, "text", mwhere)))
    links = []
    for i, link in enumerate(data.get("links") or [], 1):
        lwhere = f"{where} link {i}"
        if not isinstance(link, dict) or set(link) - {"title", "url"}:
            raise ModuleError(f"{lwhere}: a link is a mapping with title and url")
        url = _text(link, "url", lwhere)
        if not url.startswith(("https://", "http://")):
            raise ModuleError(f"{lwhere}: 'url' must start with https:// or http://")
        links.append(Link(_text(link, "title", lwhere), url))
    questions, mark = _questions(data.get("check"), where)
    validity = data.get("validity_months")
    if validity is not None and (
        not isinstance(validity, int) or isinstance(validity, bool) or not 1 <= validity <= 120
    ):
        raise ModuleError(
            f"{where}: 'validity_months' must be a whole number of months from 1 to 120, "
            "or left out for a module taken once"
        )
    accepted = data.get("min_accepted_version", 1)
    if not isinstance(accepted, int) or isinstance(accepted, bool) or not 1 <= accepted <= version:
        raise ModuleError(
            f"{where}: 'min_accepted_version' must be a whole number from 1 to the module's "
            f"version ({version})"
        )
    return Module(
        id=mid,
        version=version,
        title=title,
        summary=_text(data, "summary", where, required=False),
        objectives=tuple(o.strip() for o in objectives),
        materials=tuple(parts),
        links=tuple(links),
        questions=questions,
        pass_mark=mark,
        validity_months=validity,
        required_for=_requirement(data.get("required_for"), where),
        based_on=str(data.get("based_on") or ""),
        min_accepted_version=accepted,
        source=source,
        raw=data,
    )


def load(text: str, source: str = "<module>") -> Module:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ModuleError(f"{source}: not valid YAML: {exc}") from None
    return parse(data, source)


def load_folder(folder: Path = CONTENT) -> dict[str, Module]:
    out: dict[str, Module] = {}
    for path in sorted(folder.glob("*.yaml")):
        module = load(path.read_text(encoding="utf-8"), path.name)
        if module.id in out:
            raise ModuleError(f"{path.name} module '{module.id}': also defined in another file")
        out[module.id] = module
    return out


@cache
def shipped() -> dict[str, Module]:
    """The modules Ombuds ships, by id."""
    return load_folder()


def source_text(module_id: str) -> str:
    """The YAML of a shipped module, for an agency to copy and adapt."""
    for path in sorted(CONTENT.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if load(text, path.name).id == module_id:
            return text
    raise KeyError(module_id)
