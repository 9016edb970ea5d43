"""Notice and decision-letter templates: YAML content in content/notices/, validated at load.

An error names the file, the item and the problem. A template may only use the placeholders it
declares, and it may only declare placeholders Ombuds knows how to fill: a typo in a letter that
goes to thousands of people is refused at load rather than printed as "{apeal_by}".
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.html import escape

NOTICES_DIR = Path(__file__).resolve().parent.parent / "content" / "notices"
LANGUAGES = ("en", "fr", "es")
KINDS = {
    "notice": {
        "agency",
        "system",
        "system_role",
        "decided_on",
        "outcome",
        "case_reference",
        "notice_reference",
        "appeal_url",
        "appeal_by",
        "contact",
        "opt_out",
    },
    "decision": {
        "agency",
        "system",
        "appeal_reference",
        "decided_on",
        "outcome",
        "reasons",
        "contact",
    },
}
LISTS = {"factors"}
# What every letter of a kind must say, in every language (Art. 86 and the remedy rules): a
# notice how and by when to appeal, the main factors, the system's role and whom to contact; a
# decision the outcome, the reasons, whom to contact and what happens next.
REQUIRED = {
    "notice": {
        "placeholders": {"appeal_by", "appeal_url", "notice_reference", "system_role", "contact"},
        "lists": {"factors"},
        "next_steps": False,
    },
    "decision": {
        "placeholders": {"appeal_reference", "outcome", "reasons", "contact"},
        "lists": set(),
        "next_steps": True,
    },
}
DEFAULT_NOTICE = "adverse-decision"
DEFAULT_DECISION = "appeal-decision"


class TemplateError(ValueError):
    """A template that cannot be used; the message names the file, the item and the problem."""


@dataclass(frozen=True)
class Section:
    heading: str
    body: str
    list: str = ""
    role: str = ""


@dataclass(frozen=True)
class Letter:
    subject: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class NoticeTemplate:
    id: str
    version: int
    kind: str
    title: dict[str, str]
    placeholders: frozenset[str]
    languages: dict[str, Letter]

    def label(self, language: str = "en") -> str:
        return self.title.get(language) or self.title.get("en") or self.id


def _fields(text: str, where: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"{where}: badly formed braces ({exc})") from None
    names = set()
    for _literal, name, spec, conv in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conv:
            raise TemplateError(f"{where}: write placeholders as {{name}}, not {{{name}}}")
        names.add(name)
    return names


def parse(data: Any, source: str) -> NoticeTemplate:
    if not isinstance(data, dict):
        raise TemplateError(f"{source}: a template must be a mapping")
    tid = data.get("id")
    if not isinstance(tid, str) or not tid.strip():
        raise TemplateError(f"{source}: the template needs an 'id'")
    where = f"{source} template '{tid}'"
    unknown = set(data) - {"id", "version", "kind", "title", "placeholders", "languages"}
    if unknown:
        raise TemplateError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TemplateError(f"{where}: 'version' must be a whole number from 1")
    kind = data.get("kind", "notice")
    if kind not in KINDS:
        raise TemplateError(f"{where}: 'kind' must be one of {', '.join(sorted(KINDS))}")
    title = data.get("title")
    if not isinstance(title, dict) or not all(isinstance(v, str) for v in title.values()):
        raise TemplateError(f"{where}: 'title' must map a language to a text")
    declared = data.get("placeholders") or []
    if not isinstance(declared, list) or not all(isinstance(p, str) for p in declared):
        raise TemplateError(f"{where}: 'placeholders' must be a list of names")
    not_known = set(declared) - KINDS[kind]
    if not_known:
        raise TemplateError(
            f"{where}: unknown placeholder(s) {', '.join(sorted(not_known))}; a {kind} template "
            f"may use {', '.join(sorted(KINDS[kind]))}"
        )
    langs = data.get("languages")
    if not isinstance(langs, dict):
        raise TemplateError(f"{where}: 'languages' must map a language to its letter")
    missing = [lang for lang in LANGUAGES if lang not in langs]
    if missing:
        raise TemplateError(f"{where}: missing language(s) {', '.join(missing)}")
    extra = set(langs) - set(LANGUAGES)
    if extra:
        raise TemplateError(f"{where}: unsupported language(s) {', '.join(sorted(extra))}")
    letters: dict[str, Letter] = {}
    for lang in LANGUAGES:
        raw = langs[lang]
        lwhere = f"{where} language '{lang}'"
        if not isinstance(raw, dict) or not isinstance(raw.get("subject"), str):
            raise TemplateError(f"{lwhere}: needs a 'subject' text and 'sections'")
        sections_raw = raw.get("sections")
        if not isinstance(sections_raw, list) or not sections_raw:
            raise TemplateError(f"{lwhere}: 'sections' must be a non-empty list")
        used = _fields(raw["subject"], f"{lwhere} subject")
        sections = []
        for i, sec in enumerate(sections_raw, start=1):
            swhere = f"{lwhere} section {i}"
            if not isinstance(sec, dict) or set(sec) - {"heading", "body", "list", "role"}:
                raise TemplateError(f"{swhere}: a section has a heading, a body and maybe a list")
            role = sec.get("role", "")
            if role and role != "next_steps":
                raise TemplateError(f"{swhere}: unknown role '{role}' (known: next_steps)")
            heading, body = sec.get("heading"), sec.get("body", "")
            if not isinstance(heading, str) or not heading.strip() or not isinstance(body, str):
                raise TemplateError(f"{swhere}: 'heading' and 'body' must be texts")
            listed = sec.get("list", "")
            if listed and (listed not in LISTS or kind != "notice"):
                raise TemplateError(f"{swhere}: unknown list '{listed}'")
            used |= _fields(heading, swhere) | _fields(body, swhere)
            sections.append(Section(heading, body, listed, role))
        undeclared = used - set(declared)
        if undeclared:
            raise TemplateError(
                f"{lwhere}: unknown placeholder(s) {', '.join(sorted(undeclared))} "
                f"(not declared under 'placeholders')"
            )
        required = REQUIRED[kind]
        missing_parts = sorted(required["placeholders"] - used)
        missing_parts += [
            f"the '{name}' list"
            for name in sorted(required["lists"])
            if not any(sec.list == name for sec in sections)
        ]
        if required["next_steps"] and not any(sec.role == "next_steps" for sec in sections):
            missing_parts.append("a section with role 'next_steps' (what happens next, recourse)")
        if missing_parts:
            raise TemplateError(
                f"{lwhere}: a {kind} letter must contain {', '.join(missing_parts)}"
            )
        letters[lang] = Letter(raw["subject"], tuple(sections))
    return NoticeTemplate(tid, version, kind, dict(title), frozenset(declared), letters)


def load(folder: Path = NOTICES_DIR) -> dict[str, NoticeTemplate]:
    found: dict[str, NoticeTemplate] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise TemplateError(f"{path.name}: not valid YAML: {exc}") from None
        template = parse(data, path.name)
        if template.id in found:
            raise TemplateError(f"{path.name} template '{template.id}': id used twice")
        found[template.id] = template
    return found


@cache
def catalogue() -> dict[str, NoticeTemplate]:
    return load()


def get(template_id: str) -> NoticeTemplate:
    return catalogue()[template_id]


def choices(kind: str = "notice") -> list[tuple[str, str]]:
    return [(t.id, t.label()) for t in catalogue().values() if t.kind == kind]


@dataclass(frozen=True)
class RenderedSection:
    heading: str
    body: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    subject: str
    sections: tuple[RenderedSection, ...]
    language: str


def render(template: NoticeTemplate, language: str, values: dict[str, Any], lists=None):
    """Fill a letter in. Values are text, escaped for HTML by the page template that shows them;
    sections whose body is left empty by empty values (no opt-out possible) are dropped."""
    letter = template.languages.get(language) or template.languages["en"]
    lists = lists or {}
    safe = {name: str(values.get(name, "") or "") for name in template.placeholders}
    sections = []
    for sec in letter.sections:
        body = sec.body.format_map(safe).strip()
        items = tuple(str(i) for i in lists.get(sec.list, ())) if sec.list else ()
        if not body and not items:
            continue
        sections.append(RenderedSection(sec.heading.format_map(safe), body, items))
    return Rendered(letter.subject.format_map(safe), tuple(sections), language)


def as_text(rendered: Rendered) -> str:
    parts = [rendered.subject, ""]
    for sec in rendered.sections:
        parts += [sec.heading, sec.body, *[f"- {i}" for i in sec.items], ""]
    return "\n".join(parts)


def as_html_fragment(rendered: Rendered) -> str:
    """The letter's body as escaped HTML, for the API (the pages use templates)."""
    out = [f"<h1>{escape(rendered.subject)}</h1>"]
    for sec in rendered.sections:
        out.append(f"<h2>{escape(sec.heading)}</h2><p>{escape(sec.body)}</p>")
        if sec.items:
            out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in sec.items) + "</ul>")
    return "\n".join(out)
