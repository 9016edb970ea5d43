"""Sections other apps add to a system's public page, without this app importing them.

An app calls `register(name, fn)` in its ready(); fn(system) returns None (nothing to show) or
(heading, template_name, context). The page renders the template with the context under
`section`; the JSON twin puts the context under `sections[name]`, so the context must hold
only JSON-safe, public values (numbers, text, lists, mappings)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

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


def collect(system) -> list[dict[str, Any]]:
    """Each section that has something to show: name, heading, template and its data. A section
    that fails is left out (and logged) rather than taking the public page down."""
    found = []
    for name, fn in list(_SECTIONS.items()):
        try:
            result = fn(system)
        except Exception:
            log.exception("public section %s failed for system %s", name, system.pk)
            continue
        if result is None:
            continue
        heading, template, context = result
        found.append(
            {"name": name, "heading": str(heading), "template": template, "data": context or {}}
        )
    return found
