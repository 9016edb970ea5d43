"""The deployment gate: the catalogue of controls and their evaluation.

The catalogue (content/controls/*.yaml) says which controls exist, when each applies, whether it
may be waived and which framework requirements it serves. Apps register the checks they own in
their own controls.py at start-up; a catalogued control with no registered check is "not in
force" (its app has not arrived yet) and never blocks. `registry.lifecycle` asks `evaluate()`
before a gated move, passing the system's impact level and its active waivers, so this module
needs no model of any app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "content" / "controls"
STAGE_NAMES = {"design", "development", "procurement", "pilot", "deployed", "suspended"}
STAGE_NAMES |= {"decommissioned"}

MET, UNMET, WAIVED, NOT_IN_FORCE, NOT_APPLICABLE = (
    "met",
    "unmet",
    "waived",
    "not_in_force",
    "not_applicable",
)


class CatalogueError(ValueError):
    """A catalogue that cannot be used; the message names the file, the control and the problem."""


@dataclass(frozen=True)
class Control:
    """A check an app registers for a catalogued control."""

    id: str
    title: str
    # check(system, to_stage) -> None when met, or a sentence saying what is missing.
    check: Callable[[Any, str], str | None]
    # fix(system) -> the URL of the page where the missing thing is done.
    fix: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Item:
    """A control as the catalogue describes it."""

    id: str
    title: str
    description: str
    owner: str
    stages: frozenset[str]
    high_impact: bool = False
    min_level: int | None = None
    waivable: bool = True
    maps: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Catalogue:
    frameworks: dict[str, str]
    items: dict[str, Item]


@dataclass
class Status:
    item: Item
    state: str
    detail: str = ""
    fix_url: str = ""
    waiver: Any = None

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def blocks(self) -> bool:
        return self.state == UNMET


def _parse(data: Any, source: str) -> Catalogue:
    if not isinstance(data, dict):
        raise CatalogueError(f"{source}: the catalogue must be a mapping")
    frameworks = data.get("frameworks") or {}
    if not isinstance(frameworks, dict) or not all(isinstance(v, str) for v in frameworks.values()):
        raise CatalogueError(f"{source}: 'frameworks' must map an id to its title")
    raw = data.get("controls")
    if not isinstance(raw, list) or not raw:
        raise CatalogueError(f"{source}: 'controls' must be a non-empty list")
    items: dict[str, Item] = {}
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise CatalogueError(f"{source}: every control needs an 'id'")
        where = f"{source} control '{entry['id']}'"
        if entry["id"] in items:
            raise CatalogueError(f"{where}: the id is used twice")
        unknown = set(entry) - {
            "id",
            "title",
            "description",
            "owner",
            "applies",
            "waivable",
            "maps",
        }
        if unknown:
            raise CatalogueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("title", "owner"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise CatalogueError(f"{where}: '{key}' must be a non-empty text")
        applies = entry.get("applies") or {}
        if not isinstance(applies, dict) or set(applies) - {"stages", "high_impact", "min_level"}:
            raise CatalogueError(f"{where}: 'applies' takes stages, high_impact and min_level")
        stages = applies.get("stages")
        if not isinstance(stages, list) or not stages or set(stages) - STAGE_NAMES:
            raise CatalogueError(
                f"{where}: applies.stages must list stages among {', '.join(sorted(STAGE_NAMES))}"
            )
        min_level = applies.get("min_level")
        if min_level is not None and min_level not in (1, 2, 3, 4):
            raise CatalogueError(f"{where}: applies.min_level must be 1, 2, 3 or 4")
        maps = entry.get("maps") or {}
        if not isinstance(maps, dict):
            raise CatalogueError(f"{where}: 'maps' must map a framework id to requirements")
        for fw, reqs in maps.items():
            if fw not in frameworks:
                raise CatalogueError(
                    f"{where}: framework '{fw}' is not declared under 'frameworks'"
                )
            if not isinstance(reqs, list) or not all(isinstance(r, str) for r in reqs):
                raise CatalogueError(f"{where}: maps.{fw} must be a list of requirement texts")
        items[entry["id"]] = Item(
            id=entry["id"],
            title=entry["title"],
            description=entry.get("description", ""),
            owner=entry["owner"],
            stages=frozenset(stages),
            high_impact=bool(applies.get("high_impact", False)),
            min_level=min_level,
            waivable=bool(entry.get("waivable", True)),
            maps={fw: tuple(reqs) for fw, reqs in maps.items()},
        )
    return Catalogue(dict(frameworks), items)


def load_catalogue(folder: Path = CATALOGUE_DIR) -> Catalogue:
    frameworks: dict[str, str] = {}
    items: dict[str, Item] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise CatalogueError(f"{path.name}: not valid YAML: {exc}") from None
        part = _parse(data, path.name)
        for cid in part.items:
            if cid in items:
                raise CatalogueError(f"{path.name} control '{cid}': also defined in another file")
        frameworks.update(part.frameworks)
        items.update(part.items)
    return Catalogue(frameworks, items)


@cache
def catalogue() -> Catalogue:
    return load_catalogue()


_CONTROLS: dict[str, Control] = {}


# A check returns this when the control does not concern this system at all (a system built
# in-house has no vendor to assure): listed as not applicable, never as met.
DOES_NOT_APPLY = object()


def register(control: Control) -> None:
    _CONTROLS[control.id] = control


def unregister(control_id: str) -> None:
    _CONTROLS.pop(control_id, None)


def registered() -> list[Control]:
    return list(_CONTROLS.values())


def in_force(control_id: str) -> bool:
    return control_id in _CONTROLS


def applies(item: Item, to_stage: str, level: int | None, high_impact: bool | None) -> bool:
    """Whether a catalogued control applies to a move. An undetermined system is treated as
    high-impact and a high-impact one without an approved level as level IV: the gate assumes
    the worst until a person decides."""
    if to_stage not in item.stages:
        return False
    if item.high_impact and high_impact is False:
        return False
    if item.min_level is not None:
        effective = level if level is not None else (4 if high_impact is not False else 1)
        if effective < item.min_level:
            return False
    return True


def evaluate(
    system,
    to_stage: str,
    *,
    level: int | None,
    high_impact: bool | None,
    waivers: dict[str, Any] | None = None,
    today: dt.date | None = None,
    include_not_applicable: bool = False,
) -> list[Status]:
    """The state of every catalogued control for this move: met, unmet, waived, not in force
    (no app checks it yet) or, when asked for, not applicable. Registered checks that the
    catalogue does not know (test doubles, local additions) apply at every gated stage."""
    waivers = waivers or {}
    today = today or dt.date.today()
    out: list[Status] = []
    items = list(catalogue().items.values())
    known = {i.id for i in items}
    for control in _CONTROLS.values():
        if control.id not in known:
            items.append(
                Item(control.id, control.title, "", "local", frozenset({"pilot", "deployed"}))
            )
    for item in items:
        if not applies(item, to_stage, level, high_impact):
            if include_not_applicable:
                out.append(Status(item, NOT_APPLICABLE))
            continue
        control = _CONTROLS.get(item.id)
        if control is None:
            out.append(
                Status(item, NOT_IN_FORCE, _("not in force yet: no part of Ombuds checks it"))
            )
            continue
        missing = control.check(system, to_stage)
        if missing is DOES_NOT_APPLY:
            if include_not_applicable:
                out.append(Status(item, NOT_APPLICABLE))
            continue
        if not missing:
            out.append(Status(item, MET))
            continue
        waiver = waivers.get(item.id)
        if waiver is not None and item.waivable and waiver.expires_on >= today:
            out.append(Status(item, WAIVED, missing, waiver=waiver))
            continue
        fix_url = control.fix(system) if control.fix else ""
        out.append(Status(item, UNMET, missing, fix_url))
    return out


def blockers(statuses: Iterable[Status]) -> list[tuple[str, str]]:
    """(control id, what is missing) for every control that blocks the move."""
    return [(s.id, s.detail) for s in statuses if s.blocks]
