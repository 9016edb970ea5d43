"""The gate control the procurement app checks: a bought system is assured before use."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ombuds.core import controls

CONTROL_ID = "procurement.vendor-assured"


def is_bought(system) -> bool:
    """Bought: linked to a procurement, or the register names a vendor."""
    return bool(system.vendor_name.strip()) or system.procurements.exists()


def _procurement(system):
    return (
        system.procurements.select_related("awarded_bid__vendor")
        .order_by("-created_at", "-id")
        .first()
    )


def missing(system) -> list[str]:
    """What stands between a bought system and the control being met (empty when met)."""
    from . import services

    p = _procurement(system)
    if p is None:
        return [
            _("the system is bought (vendor %(v)s) but no procurement records it")
            % {"v": system.vendor_name}
        ]
    bid = p.awarded_bid
    if bid is None:
        return [_("procurement '%(t)s' has not been awarded to a bid") % {"t": p.title}]
    out = []
    if p.stage not in services.SIGNED:
        # Until the contract is signed its clauses (and the award) can still change.
        out.append(_("the contract for procurement '%(t)s' is not signed") % {"t": p.title})
    dd = services.due_diligence_state(bid)
    if not dd["sent"]:
        out.append(_("no due-diligence request was sent to %(v)s") % {"v": bid.vendor.name})
    elif dd["unacceptable"]:
        out.append(
            _("%(n)d due-diligence answer(s) of %(v)s are unacceptable")
            % {"n": dd["unacceptable"], "v": bid.vendor.name}
        )
    elif not dd["complete"]:
        accepted = dd["counts"].get("accepted", 0)
        out.append(
            _("due diligence of %(v)s is incomplete: %(a)d of %(t)d answers accepted")
            % {"v": bid.vendor.name, "a": accepted, "t": dd["total"]}
        )
    unsettled = [c for c in bid.claims.filter(material=True) if not c.settled]
    if unsettled:
        out.append(
            _(
                "%(n)d material claim(s) neither supported on the agency's data nor accepted with a justification"
            )
            % {"n": len(unsettled)}
        )
    lacking = services.missing_required_clauses(p)
    if lacking:
        out.append(
            _("the contract lacks clauses its impact level requires: %(c)s")
            % {"c": ", ".join(c.title for c in lacking)}
        )
    return out


def state_label(state: str) -> str:
    return {
        controls.MET: _("met"),
        controls.UNMET: _("not met"),
        controls.NOT_APPLICABLE: _("not applicable (not a bought system)"),
    }.get(state, state)


def vendor_assured_state(system) -> tuple[str, list[str]]:
    """(met | unmet | not_applicable, what is missing) for pages and tests."""
    if not is_bought(system):
        return controls.NOT_APPLICABLE, []
    found = missing(system)
    return (controls.UNMET if found else controls.MET), found


def vendor_assured(system, to_stage: str):
    # A system built in-house has no vendor to assure: not applicable, rather than met.
    if not is_bought(system):
        return controls.DOES_NOT_APPLY
    found = missing(system)
    return "; ".join(found) if found else None


def _fix(system) -> str:
    p = _procurement(system)
    if p is None:
        return reverse("procurement_list", args=[system.agency.slug])
    return reverse("procurement_detail", args=[system.agency.slug, p.pk])


CONTROLS = [
    controls.Control(CONTROL_ID, gettext_lazy("Bought system assured"), vendor_assured, _fix)
]


def register() -> None:
    for control in CONTROLS:
        controls.register(control)
