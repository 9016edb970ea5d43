"""Sections other apps add to a system's public page, without this app importing them.

An app calls `register(name, fn)` in its ready(); fn(system) returns None (nothing to show) or
(heading, template_name, context). The page renders the template with the context under
`section`; the JSON twin puts the context under `sections[name]["data"]`, so the context must
hold only JSON-safe, public values (numbers, text, lists, mappings; dates and decimals are
written as Django's JSON encoder writes them).

A section is checked and rendered here, before the page is: one that raises, returns something
else than the triple, holds a value JSON cannot carry, or names a template that is missing or
fails to render is left out of both the page and its twin (and logged), rather than taking the
public page down."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

log = logging.getLogger("ombuds.transparency")

SectionFn = Callable[[Any], "tuple[str, str, dict[str, Any]] | None"]
_SECTIONS: dict[str, SectionFn] = {}


def register(name: str, fn: SectionFn) -> None:
    """Add (or replace) the section `name`; sections show in the order they were registered."""
    _SECTIONS[name] = fn


def unregister(name: str) -> None:
    _SECTIONS.pop(name, None)


def registered() -> list[str]:
    return list(_SECTIONS)


def _build(name: str, fn: SectionFn, system, request) -> dict[str, Any] | None:
    result = fn(system)
    if result is None:
        return None
    heading, template, context = result
    context = context or {}
    if not isinstance(context, dict):
        raise TypeError(f"the context of section {name} is not a mapping")
    # The twin must be able to carry it: fail here, not while the JSON response is written.
    data = json.loads(json.dumps(context, cls=DjangoJSONEncoder))
    html = render_to_string(
        template, {"section": context, "section_name": name, "system_id": system.pk}, request
    )
    return {"name": name, "heading": str(heading), "template": template, "data": data, "html": html}


def collect(system, request=None) -> list[dict[str, Any]]:
    """Each section that has something to show: name, heading, template, its data (JSON-safe)
    and its HTML, rendered already."""
    found = []
    for name, fn in list(_SECTIONS.items()):
        try:
            section = _build(name, fn, system, request)
        except Exception:
            log.exception("public section %s failed for system %s", name, system.pk)
            continue
        if section is not None:
            found.append(section)
    return found
