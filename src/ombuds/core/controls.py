"""The deployment gate's registry of controls.

Apps declare the controls they can check (in their own controls.py, registered at start-up);
`registry.lifecycle` asks `blockers()` before a gated move. With no control registered, nothing
blocks: the impact-assessment issue plugs its controls in here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    # check(system, to_stage) -> None when met, or a sentence saying what is missing.
    check: Callable[[object, str], str | None]


_CONTROLS: dict[str, Control] = {}


def register(control: Control) -> None:
    _CONTROLS[control.id] = control


def unregister(control_id: str) -> None:
    _CONTROLS.pop(control_id, None)


def registered() -> list[Control]:
    return list(_CONTROLS.values())


def blockers(system, to_stage: str) -> list[tuple[str, str]]:
    """(control id, what is missing) for every control that blocks this move."""
    out = []
    for control in _CONTROLS.values():
        missing = control.check(system, to_stage)
        if missing:
            out.append((control.id, missing))
    return out
