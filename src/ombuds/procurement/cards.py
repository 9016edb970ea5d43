"""Reading a vendor's structured card: Markdown with YAML front matter, or JSON.

Front-matter keys and Markdown headings (## Intended use) both become sections, named in
snake_case; the expected sections per card kind are content (content/due_diligence/card-sections.yaml).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import content

MAX_CARD = 500_000


def key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    return {key(k): v for k, v in data.items() if key(k)}


def parse(text: str, filename: str = "") -> tuple[dict[str, Any], str]:
    """(sections, format) of a card; a ValidationError names what is wrong with it."""
    if len(text) > MAX_CARD:
        raise ValidationError({"card": _("The card is longer than 500,000 characters.")})
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        raise ValidationError({"card": _("The card is empty.")})
    if filename.lower().endswith(".json") or stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                {"card": _("Not valid JSON (line %(l)d): %(m)s") % {"l": exc.lineno, "m": exc.msg}}
            ) from None
        if not isinstance(data, dict):
            raise ValidationError({"card": _("A JSON card must be an object of sections.")})
        return _flatten(data), "json"
    fields: dict[str, Any] = {}
    body = stripped
    if stripped.startswith("---"):
        parts = re.split(r"^---\s*$", stripped, maxsplit=2, flags=re.M)
        if len(parts) < 3:
            raise ValidationError({"card": _("The YAML front matter is not closed with '---'.")})
        try:
            front = yaml.safe_load(parts[1]) or {}
        except yaml.YAMLError as exc:
            raise ValidationError(
                {"card": _("The front matter is not valid YAML: %(m)s") % {"m": exc}}
            ) from None
        if not isinstance(front, dict):
            raise ValidationError({"card": _("The front matter must be a mapping of fields.")})
        fields.update(_flatten(front))
        body = parts[2]
    current, lines = None, []
    for line in body.splitlines():
        heading = re.match(r"^#{1,3}\s+(.+?)\s*#*\s*$", line)
        if heading:
            if current:
                fields.setdefault(current, "\n".join(lines).strip())
            current, lines = key(heading.group(1)), []
        elif current:
            lines.append(line)
    if current:
        fields.setdefault(current, "\n".join(lines).strip())
    if not fields:
        raise ValidationError(
            {"card": _("No sections found: give YAML front matter or '## Section' headings.")}
        )
    return fields, "markdown"


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


def missing_sections(kind: str, fields: dict[str, Any]) -> list[str]:
    """Titles of the expected sections the card lacks or leaves empty."""
    _title, sections = content.card_sections()[kind]
    present = {k for k, v in fields.items() if _filled(v)}
    return [s.title for s in sections if not ({s.id, *(key(a) for a in s.aliases)} & present)]
