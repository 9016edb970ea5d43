"""Creating and changing register records: permission, validation, change and audit together."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from ombuds.core import audit
from ombuds.core.models import Agency
from ombuds.core.permissions import check_any, check_object, has_perm
from ombuds.core.validation import check_text

from .lifecycle import TransitionRefused
from .models import CARD_FIELDS, DEMOGRAPHIC_FEATURES, AISystem, Attachment, Card, CardKind, Stage
from .uploads import inspect

EDITABLE_FIELDS = [
    "name",
    "short_description",
    "detailed_description",
    "purpose_and_benefits",
    "outputs",
    "sector",
    "decision_role",
    "eu_annex_iii_area",
    "legal_basis",
    "rights_instruments",
    "team",
    "senior_responsible_owner",
    "public_contact",
    "vendor_name",
    "uses_personal_data",
    "demographic_features",
    "code_url",
    "review_due",
]
DEMOGRAPHIC_CODES = [code for code, _label in DEMOGRAPHIC_FEATURES]


def _clean_lists(values: dict[str, Any]) -> None:
    check_text(values)
    errors: dict[str, str] = {}
    if "legal_basis" in values:
        items = values["legal_basis"]
        check_url = URLValidator(schemes=["http", "https"])
        if not isinstance(items, list):
            errors["legal_basis"] = "Give a list of {title, url} entries."
        else:
            for i, item in enumerate(items):
                if not isinstance(item, dict) or not str(item.get("title", "")).strip():
                    errors["legal_basis"] = f"Entry {i + 1} needs a title."
                    break
                extra = set(item) - {"title", "url"}
                if extra:
                    errors["legal_basis"] = (
                        f"Entry {i + 1} has unknown keys: {', '.join(sorted(extra))}."
                    )
                    break
                if item.get("url"):
                    try:
                        check_url(item["url"])
                    except ValidationError:
                        errors["legal_basis"] = f"Entry {i + 1} has an invalid link: {item['url']}"
                        break
    if "rights_instruments" in values:
        items = values["rights_instruments"]
        if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
            errors["rights_instruments"] = "Give a list of non-empty names."
    if "demographic_features" in values:
        items = values["demographic_features"]
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            errors["demographic_features"] = "Give a list of feature codes."
        else:
            unknown = [x for x in items if x not in DEMOGRAPHIC_CODES]
            if unknown:
                errors["demographic_features"] = (
                    f"Unknown feature(s): {', '.join(unknown)}; known: {', '.join(DEMOGRAPHIC_CODES)}."
                )
    if errors:
        raise ValidationError(errors)


def _validate(system: AISystem, fields: list[str]) -> None:
    exclude = [f.name for f in AISystem._meta.fields if f.name not in fields]
    system.full_clean(exclude=exclude)


def create_system(actor, agency: Agency, values: dict[str, Any]) -> AISystem:
    check_any(actor, "system.create")
    if not has_perm(actor, "system.create", agency.pk):
        raise ValidationError({"agency": "You may not register systems for this agency."})
    stage = values.pop("stage", None)
    if stage not in (None, "", Stage.DESIGN):
        raise ValidationError(
            {"stage": "A new system starts in design; move it with a transition."}
        )
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be set." for f in sorted(unknown)})
    _clean_lists(values)
    system = AISystem(agency=agency, created_by=actor, **values)
    _validate(system, EDITABLE_FIELDS + ["agency", "stage"])
    with transaction.atomic():
        system.save()
        audit.record(
            actor=actor,
            action="system.create",
            obj=system,
            agency=agency,
            changes=audit.diff({}, audit.snapshot(system, ["agency", "stage", *sorted(values)])),
        )
    return system


def update_system(actor, system: AISystem, values: dict[str, Any]) -> AISystem:
    check_object(actor, "system.edit", system.agency_id)
    if "stage" in values:
        if values["stage"] == system.stage:
            values.pop("stage")
        else:
            raise TransitionRefused(
                "transition_required",
                "The stage changes only through a transition (POST …/transitions with a reason).",
            )
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be changed." for f in sorted(unknown)})
    _clean_lists(values)
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        before = audit.snapshot(system, list(values))
        for name, value in values.items():
            setattr(system, name, value)
        _validate(system, list(values))
        changes = audit.diff(before, audit.snapshot(system, list(values)))
        if changes:
            system.save()
            audit.record(
                actor=actor,
                action="system.update",
                obj=system,
                agency=system.agency,
                changes=changes,
            )
            altered = [
                f
                for f in sorted(changes)
                if f in MATERIAL_FIELDS and (f in ALWAYS_MATERIAL or _was_set(changes[f]))
            ]
            for kind in sorted({MATERIAL_FIELDS[f] for f in altered}):
                names = ", ".join(f for f in altered if MATERIAL_FIELDS[f] == kind)
                _announce_material_change(actor, system, kind, f"record edited: {names}")
    return system


def card_for(system: AISystem, kind: str) -> Card:
    return Card.objects.filter(system=system, kind=kind).first() or Card(system=system, kind=kind)


def save_card(actor, system: AISystem, kind: str, values: dict[str, str]) -> Card:
    check_object(actor, "card.edit", system.agency_id)
    if kind not in CardKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(CardKind.values)}."})
    known = [name for name, _label in CARD_FIELDS[kind]]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValidationError({f: "Not a field of this card." for f in unknown})
    bad = [k for k, v in values.items() if not isinstance(v, str)]
    if bad:
        raise ValidationError({f: "Give text." for f in bad})
    check_text(values)
    with transaction.atomic():
        card = card_for(system, kind)
        before = dict(card.fields)
        card.fields = {**before, **{k: v.strip() for k, v in values.items()}}
        card.updated_by = actor
        changes = audit.diff(before, card.fields)
        card.save()
        if changes:
            audit.record(
                actor=actor,
                action=f"card.{kind}.update",
                obj=system,
                agency=system.agency,
                changes=changes,
            )
            altered = [
                f
                for f in sorted(changes)
                if (kind, f) in MATERIAL_CARD_FIELDS and _was_set(changes[f])
            ]
            for mkind in sorted({MATERIAL_CARD_FIELDS[(kind, f)] for f in altered}):
                names = ", ".join(f for f in altered if MATERIAL_CARD_FIELDS[(kind, f)] == mkind)
                _announce_material_change(actor, system, mkind, f"{kind} card edited: {names}")
    return card


def add_attachment(actor, system: AISystem, kind: str, upload) -> Attachment:
    check_object(actor, "card.edit", system.agency_id)
    if kind not in CardKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(CardKind.values)}."})
    checked = inspect(upload)
    attachment = Attachment(
        system=system,
        card_kind=kind,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(checked.stored_name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            audit.record(
                actor=actor,
                action=f"card.{kind}.attach",
                obj=system,
                agency=system.agency,
                changes={
                    "attachment": {
                        "name": checked.original_name,
                        "sha256": attachment.sha256,
                        "size": attachment.size,
                        "type": checked.content_type,
                    }
                },
            )
    except BaseException:
        attachment.file.delete(save=False)  # no file without its record
        raise
    return attachment


MATERIAL_FIELDS = {
    "purpose_and_benefits": "purpose",
    "short_description": "purpose",
    "detailed_description": "purpose",
    "outputs": "purpose",
    "decision_role": "purpose",
    "sector": "population",
    "demographic_features": "data",
}
# A new kind of personal data is a change even when the list was empty before.
ALWAYS_MATERIAL = {"demographic_features"}
MATERIAL_CARD_FIELDS = {
    ("model", "model_type"): "model",
    ("model", "version"): "model",
    ("model", "training"): "model",
    ("model", "intended_use"): "purpose",
    ("data", "provenance"): "data",
    ("data", "collection"): "data",
    ("data", "preparation"): "data",
}
MATERIAL_KINDS = ["purpose", "model", "data", "population"]


def _was_set(change: dict) -> bool:
    """A material change alters what was there; filling in a blank is not one."""
    return change.get("from") not in (None, "", [], {})


def record_material_change(actor, system: AISystem, kind: str, description: str) -> None:
    """A change to the system's purpose, model, data or population: recorded, and every approved
    assessment of the system is marked as needing review (through the `material_change` signal)."""
    check_object(actor, "system.edit", system.agency_id)
    errors = {}
    if kind not in MATERIAL_KINDS:
        errors["kind"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(MATERIAL_KINDS)}
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what changed.")
    if errors:
        raise ValidationError(errors)
    check_text({"description": description})
    with transaction.atomic():
        _announce_material_change(actor, system, kind, description)


def _announce_material_change(actor, system, kind, description):
    from .signals import material_change

    audit.record(
        actor=actor,
        action="system.material_change",
        obj=system,
        agency=system.agency,
        changes={"kind": kind, "description": description},
    )
    material_change.send(
        sender=AISystem, system=system, kind=kind, description=description, actor=actor
    )


def grant_waiver(actor, system: AISystem, control_id: str, justification: str, expires_on):
    """A governance lead accepts, in writing and until a date, that a control is not met."""
    import datetime as dt

    from django.utils import timezone

    from ombuds.core import controls

    from .models import Waiver

    check_object(actor, "system.waive", system.agency_id)
    errors = {}
    item = controls.catalogue().items.get(control_id)
    if item is None:
        errors["control_id"] = _("'%(control)s' is not a control of the catalogue.") % {
            "control": control_id
        }
    elif not item.waivable:
        errors["control_id"] = _("'%(control)s' (%(title)s) cannot be waived.") % {
            "control": control_id,
            "title": item.title,
        }
    justification = (justification or "").strip()
    if len(justification) < 20:
        errors["justification"] = _("Write the justification (at least %(min)d characters).") % {
            "min": 20
        }
    if not isinstance(expires_on, dt.date):
        errors["expires_on"] = _("Give the date the waiver expires.")
    elif expires_on <= timezone.localdate():
        errors["expires_on"] = _("The expiry must be a date after today.")
    elif expires_on > timezone.localdate() + dt.timedelta(days=366):
        errors["expires_on"] = _("A waiver lasts at most one year; renew it when it expires.")
    if errors:
        raise ValidationError(errors)
    check_text({"justification": justification})
    with transaction.atomic():
        waiver = Waiver.objects.create(
            system=system,
            control_id=control_id,
            justification=justification,
            expires_on=expires_on,
            granted_by=actor,
        )
        audit.record(
            actor=actor,
            action="waiver.grant",
            obj=system,
            agency=system.agency,
            changes={
                "control": control_id,
                "justification": justification,
                "expires_on": expires_on.isoformat(),
                "waiver": waiver.pk,
            },
        )
    return waiver


def revoke_waiver(actor, waiver) -> None:
    from django.utils import timezone

    check_object(actor, "system.waive", waiver.system.agency_id)
    if waiver.revoked_at is not None:
        return
    with transaction.atomic():
        waiver.revoked_at = timezone.now()
        waiver.revoked_by = actor
        waiver.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            actor=actor,
            action="waiver.revoke",
            obj=waiver.system,
            agency=waiver.system.agency,
            changes={"control": waiver.control_id, "waiver": waiver.pk},
        )


def save_decommissioning(actor, system: AISystem, values: dict[str, dict]) -> AISystem:
    """The retirement checklist: each item done or not, with a note saying how."""
    from django.utils import timezone

    from .models import DECOMMISSION_ITEMS

    check_object(actor, "system.decommission", system.agency_id)
    known = [k for k, _label in DECOMMISSION_ITEMS]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValidationError({f: _("Not an item of the retirement checklist.") for f in unknown})
    errors = {}
    for key, entry in values.items():
        if not isinstance(entry, dict):
            errors[key] = _("Give {done, note}.")
        elif entry.get("done") and not str(entry.get("note", "")).strip():
            errors[key] = _("Say how it was done (who, when, where it is recorded).")
    if errors:
        raise ValidationError(errors)
    check_text(values)
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        before = dict(system.decommissioning or {})
        record = dict(before)
        for key, entry in values.items():
            done, note = bool(entry.get("done")), str(entry.get("note", "")).strip()
            old = before.get(key) or {}
            if old.get("done") == done and old.get("note", "") == note:
                continue
            record[key] = {
                "done": done,
                "note": note,
                "by": actor.get_username(),
                "at": timezone.now().isoformat(timespec="seconds"),
            }
        changes = audit.diff(before, record)
        if changes:
            system.decommissioning = record
            system.save(update_fields=["decommissioning", "updated_at"])
            audit.record(
                actor=actor,
                action="system.decommissioning",
                obj=system,
                agency=system.agency,
                changes=changes,
            )
    return system


def save_protected_characteristics(actor, system: AISystem, entries: list[dict]) -> AISystem:
    """Which protected characteristics a bias audit of this system must cover. One that is not
    collected needs the reason and the other way its disparities are assessed."""
    check_object(actor, "system.edit", system.agency_id)
    if not isinstance(entries, list):
        raise ValidationError({"protected_characteristics": _("Give a list.")})
    errors, clean, seen = {}, [], set()
    for i, e in enumerate(entries):
        where = f"protected_characteristics[{i}]"
        if not isinstance(e, dict) or e.get("id") not in DEMOGRAPHIC_CODES:
            errors[where] = _("Choose a characteristic among: %(choices)s.") % {
                "choices": ", ".join(DEMOGRAPHIC_CODES)
            }
            continue
        if e["id"] in seen:
            errors[where] = _("'%(characteristic)s' is listed twice.") % {"characteristic": e["id"]}
            continue
        seen.add(e["id"])
        collected = bool(e.get("collected"))
        why_not = str(e.get("why_not", "")).strip()
        alternative = str(e.get("alternative", "")).strip()
        if not collected and (not why_not or not alternative):
            errors[where] = _(
                "'%(characteristic)s' is not collected: say why, and how disparities for it are "
                "assessed instead (for example a survey sample or a proxy method)."
            ) % {"characteristic": e["id"]}
            continue
        clean.append(
            {
                "id": e["id"],
                "collected": collected,
                "why_not": "" if collected else why_not,
                "alternative": "" if collected else alternative,
            }
        )
    if errors:
        raise ValidationError(errors)
    check_text({"protected_characteristics": clean})
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        before = {"protected_characteristics": system.protected_characteristics}
        system.protected_characteristics = clean
        changes = audit.diff(before, {"protected_characteristics": clean})
        if changes:
            system.save(update_fields=["protected_characteristics", "updated_at"])
            audit.record(
                actor=actor,
                action="system.protected_characteristics",
                obj=system,
                agency=system.agency,
                changes=changes,
            )
    return system
