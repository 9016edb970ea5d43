"""The lifecycle of an AI system: which moves are allowed, and the one function that makes them.

Moves into pilot and deployed pass through the deployment gate (`core.controls`); every move
takes a reason and is written with its audit event in one transaction.
"""

from __future__ import annotations

from django.db import transaction

from ombuds.core import audit, controls
from ombuds.core.permissions import check_object

from .models import AISystem, Stage, StageChange

S = Stage
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DESIGN: frozenset({S.DEVELOPMENT, S.PROCUREMENT, S.DECOMMISSIONED}),
    S.DEVELOPMENT: frozenset({S.DESIGN, S.PROCUREMENT, S.PILOT, S.DECOMMISSIONED}),
    S.PROCUREMENT: frozenset({S.DEVELOPMENT, S.PILOT, S.DECOMMISSIONED}),
    S.PILOT: frozenset({S.DEVELOPMENT, S.DEPLOYED, S.SUSPENDED, S.DECOMMISSIONED}),
    S.DEPLOYED: frozenset({S.DEVELOPMENT, S.SUSPENDED, S.DECOMMISSIONED}),
    S.SUSPENDED: frozenset({S.DEVELOPMENT, S.PILOT, S.DEPLOYED, S.DECOMMISSIONED}),
    S.DECOMMISSIONED: frozenset(),
}
GATED = frozenset({S.PILOT, S.DEPLOYED})
ORDER = [s.value for s in Stage]


class TransitionRefused(Exception):
    """A move the rules do not allow. `rule` is a stable code; `detail` says why in words."""

    def __init__(self, rule: str, detail: str, blockers: list[tuple[str, str]] | None = None):
        super().__init__(detail)
        self.rule = rule
        self.detail = detail
        self.blockers = blockers or []


class ReasonRequired(ValueError):
    pass


def allowed_targets(stage: str) -> list[str]:
    return [s for s in ORDER if s in TRANSITIONS.get(stage, frozenset())]


def check_move(system: AISystem, to: str) -> None:
    if to not in TRANSITIONS:
        raise TransitionRefused(
            "unknown_stage", f"'{to}' is not a stage; stages are: {', '.join(ORDER)}."
        )
    if to == system.stage:
        raise TransitionRefused("same_stage", f"The system is already in {to}.")
    if to not in TRANSITIONS[system.stage]:
        allowed = ", ".join(allowed_targets(system.stage)) or "none (final stage)"
        raise TransitionRefused(
            f"lifecycle.{system.stage}_to_{to}",
            f"A system in {system.stage} cannot move to {to}. Allowed from {system.stage}: {allowed}.",
        )
    if to in GATED:
        found = controls.blockers(system, to)
        if found:
            missing = "; ".join(f"{cid}: {what}" for cid, what in found)
            raise TransitionRefused(
                "gate", f"The deployment gate blocks the move to {to}: {missing}", found
            )


def transition(system: AISystem, to: str, reason: str, actor) -> StageChange:
    check_object(actor, "system.transition", system.agency_id)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Give a reason for the move.")
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        check_move(system, to)
        change = StageChange.objects.create(
            system=system, from_stage=system.stage, to_stage=to, reason=reason, actor=actor
        )
        previous = system.stage
        system.stage = to
        system.save(update_fields=["stage", "updated_at"])
        audit.record(
            actor=actor,
            action="system.transition",
            obj=system,
            agency=system.agency,
            changes={"stage": {"from": previous, "to": to}, "reason": reason},
        )
    return change
