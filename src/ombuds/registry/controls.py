"""The controls the register can check itself, registered with the gate in core at start-up."""

from __future__ import annotations

from ombuds.core import controls


def determination_confirmed(system, to_stage: str) -> str | None:
    if not system.impact_determination:
        return (
            "the high-impact determination is not confirmed: a governance lead must classify "
            "the system first"
        )
    return None


CONTROLS = [
    controls.Control(
        id="registry.determination-confirmed",
        title="High-impact determination confirmed by a person",
        check=determination_confirmed,
    ),
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
