"""The controls the register checks itself, registered with the gate in core at start-up."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ombuds.core import controls

from .models import DECOMMISSION_ITEMS, Card, CardKind, DecisionRole, Stage


def determination_confirmed(system, to_stage: str) -> str | None:
    if not system.impact_determination:
        return _(
            "the high-impact determination is not confirmed: a governance lead must classify "
            "the system first"
        )
    return None


def human_final_decision(system, to_stage: str) -> str | None:
    if system.decision_role == DecisionRole.AUTOMATED:
        return _(
            "the record says the system makes decisions automatically; at levels III–IV a "
            "person must make the final decision"
        )
    return None


def _card_gaps(system, wanted: dict[str, list[str]]) -> list[str]:
    cards = {c.kind: c.fields for c in Card.objects.filter(system=system)}
    # One whole phrase per kind of card, so that each language can word it.
    phrases = {
        CardKind.MODEL: _("model card: %(field)s"),
        CardKind.DATA: _("data card: %(field)s"),
        CardKind.SYSTEM: _("system card: %(field)s"),
    }
    gaps = []
    for kind, names in wanted.items():
        fields = cards.get(kind, {})
        gaps += [
            phrases[kind] % {"field": name.replace("_", " ")}
            for name in names
            if not fields.get(name)
        ]
    return gaps


def system_documented(system, to_stage: str) -> str | None:
    gaps = _card_gaps(
        system,
        {
            CardKind.MODEL: ["intended_use", "limitations"],
            CardKind.SYSTEM: ["inputs", "outputs", "human_oversight"],
        },
    )
    return _("not yet written: %(gaps)s") % {"gaps": ", ".join(gaps)} if gaps else None


def contingency_plan(system, to_stage: str) -> str | None:
    if _card_gaps(system, {CardKind.SYSTEM: ["contingency"]}):
        return _("the system card does not say how the service continues if the system is stopped")
    return None


def was_used(system) -> bool:
    return system.stage in (Stage.PILOT, Stage.DEPLOYED, Stage.SUSPENDED) or (
        system.stage_changes.filter(to_stage__in=[Stage.PILOT, Stage.DEPLOYED]).exists()
    )


def _decommission_item(item: str):
    def check(system, to_stage: str) -> str | None:
        if not was_used(system):
            return None  # retired before it ever touched anyone: nothing to wind down
        if item == "vendor_data" and not system.vendor_name:
            return None  # built in-house: no vendor holds its data
        entry = (system.decommissioning or {}).get(item) or {}
        if not entry.get("done"):
            label = dict(DECOMMISSION_ITEMS)[item]
            return _("the retirement checklist does not confirm: %(item)s") % {"item": label}
        return None

    return check


def _url(name: str, fragment: str = ""):
    return lambda system: reverse(name, args=[system.pk]) + fragment


CONTROLS = [
    controls.Control(
        "registry.determination-confirmed",
        "High-impact determination confirmed by a person",
        determination_confirmed,
        _url("system_classify"),
    ),
    controls.Control(
        "registry.human-final-decision",
        "A person makes the final decision",
        human_final_decision,
        _url("system_edit", "#id_decision_role"),
    ),
    controls.Control(
        "registry.system-documented",
        "System documented",
        system_documented,
        lambda s: reverse("card_edit", args=[s.pk, "model"]),
    ),
    controls.Control(
        "registry.contingency-plan",
        "Contingency plan",
        contingency_plan,
        lambda s: reverse("card_edit", args=[s.pk, "system"]) + "#id_contingency",
    ),
] + [
    controls.Control(
        f"registry.decommission-{item.replace('_', '-')}",
        str(label),
        _decommission_item(item),
        _url("system_decommissioning"),
    )
    for item, label in DECOMMISSION_ITEMS
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
