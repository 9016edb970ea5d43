"""The lifecycle of an AI system: which moves are allowed, and the one function that makes them.

Moves into pilot, deployed and decommissioned pass through the gate (`core.controls`); every
move takes a reason and is written with its audit event in one transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core import audit, controls
from ombuds.core.permissions import check_object

from .models import AISystem, Stage, StageChange, Waiver

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
GATED = frozenset({S.PILOT, S.DEPLOYED, S.DECOMMISSIONED})
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


def active_waivers(system: AISystem, today=None) -> dict[str, Waiver]:
    today = today or timezone.localdate()
    found: dict[str, Waiver] = {}
    for w in Waiver.objects.filter(system=system, revoked_at__isnull=True, expires_on__gte=today):
        found.setdefault(w.control_id, w)
    return found


def gate(system: AISystem, to: str, include_not_applicable: bool = False) -> list[controls.Status]:
    """Every control of the gate for a move of this system to `to`, with its state."""
    return controls.evaluate(
        system,
        to,
        level=system.impact_level,
        high_impact=system.is_high_impact,
        waivers=active_waivers(system),
        today=timezone.localdate(),
        include_not_applicable=include_not_applicable,
    )


def next_gate(system: AISystem) -> str:
    """The gated stage a system is heading for: pilot before use, deployed once in use."""
    if system.stage in (S.DESIGN, S.DEVELOPMENT, S.PROCUREMENT):
        return S.PILOT
    if system.stage == S.DECOMMISSIONED:
        return S.DECOMMISSIONED
    return S.DEPLOYED


def check_move(system: AISystem, to: str) -> None:
    if to not in TRANSITIONS:
        raise TransitionRefused(
            "unknown_stage",
            _("'%(stage)s' is not a stage; stages are: %(stages)s.")
            % {"stage": to, "stages": ", ".join(ORDER)},
        )
    if to == system.stage:
        raise TransitionRefused(
            "same_stage", _("The system is already in %(stage)s.") % {"stage": to}
        )
    if to not in TRANSITIONS[system.stage]:
        allowed = ", ".join(allowed_targets(system.stage)) or _("none (final stage)")
        raise TransitionRefused(
            f"lifecycle.{system.stage}_to_{to}",
            _("A system in %(stage)s cannot move to %(to)s. Allowed from %(stage)s: %(allowed)s.")
            % {"stage": system.stage, "to": to, "allowed": allowed},
        )
    if to in GATED:
        found = controls.blockers(gate(system, to))
        if found:
            missing = "; ".join(f"{cid}: {what}" for cid, what in found)
            raise TransitionRefused(
                "gate",
                _("The gate blocks the move to %(stage)s: %(missing)s")
                % {"stage": to, "missing": missing},
                found,
            )


def transition(system: AISystem, to: str, reason: str, actor) -> StageChange:
    check_object(actor, "system.transition", system.agency_id)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Give a reason for the move."))
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        check_move(system, to)
        # A move through the gate passes it; an ungated move keeps what the last one said, so
        # an onboarded system stays "never passed the gate" when it is suspended, say.
        latest = system.stage_changes.order_by("-at", "-id").first()
        passed = to in GATED or latest is None or latest.gate_passed
        change = StageChange.objects.create(
            system=system,
            from_stage=system.stage,
            to_stage=to,
            reason=reason,
            actor=actor,
            gate_passed=passed,
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


IN_USE = (S.PILOT, S.DEPLOYED, S.SUSPENDED)


def onboard_in_use(system: AISystem, to: str, reason: str, actor) -> StageChange:
    """Enter a system that is already in use at its real stage, without passing the gate.

    Agencies start governing with systems already running; hiding them until they pass the gate
    would hide exactly the ones that need attention. Only a governance lead may do it, only for
    a system still at its first stage with no history, and the record keeps saying it never
    passed the gate until it does (the dashboard lists it).
    """
    check_object(actor, "system.determine", system.agency_id)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Say since when and where the system is in use."))
    if to not in IN_USE:
        raise TransitionRefused(
            "onboard_stage",
            _("Onboarding records a system in use: pilot, deployed or suspended, not %(stage)s.")
            % {"stage": to},
        )
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        if system.stage != S.DESIGN or system.stage_changes.exists():
            raise TransitionRefused(
                "onboard_history",
                _(
                    "Only a newly registered system can be onboarded at its stage; this one has "
                    "a lifecycle history, so it moves through the gate."
                ),
            )
        from .signals import before_onboard

        before_onboard.send(sender=AISystem, system=system, to=to, actor=actor)
        change = StageChange.objects.create(
            system=system,
            from_stage=system.stage,
            to_stage=to,
            reason=reason,
            actor=actor,
            gate_passed=False,
        )
        system.stage = to
        system.save(update_fields=["stage", "updated_at"])
        audit.record(
            actor=actor,
            action="system.onboard",
            obj=system,
            agency=system.agency,
            changes={"stage": {"from": S.DESIGN, "to": to}, "reason": reason, "gate_passed": False},
        )
    return change


def never_passed_gate(system: AISystem) -> bool:
    latest = system.stage_changes.order_by("-at", "-id").first()
    return system.stage in IN_USE and latest is not None and not latest.gate_passed


def confirm_through_gate(system: AISystem, actor) -> StageChange:
    """An onboarded system that now meets its gate is recorded as having passed it."""
    check_object(actor, "system.transition", system.agency_id)
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        if not never_passed_gate(system):
            raise TransitionRefused(
                "gate_already_passed", _("This system is not waiting for the gate.")
            )
        target = S.DEPLOYED if system.stage == S.SUSPENDED else system.stage
        found = controls.blockers(gate(system, target))
        if found:
            missing = "; ".join(f"{cid}: {what}" for cid, what in found)
            raise TransitionRefused(
                "gate",
                _("The gate to %(stage)s is still closed: %(missing)s")
                % {"stage": target, "missing": missing},
                found,
            )
        change = StageChange.objects.create(
            system=system,
            from_stage=system.stage,
            to_stage=system.stage,
            reason="Passed the gate at its current stage.",
            actor=actor,
        )
        audit.record(
            actor=actor,
            action="system.gate_passed",
            obj=system,
            agency=system.agency,
            changes={"stage": system.stage},
        )
    return change
