"""Creating and changing register records: permission, validation, change and audit together."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from ombuds.core import audit
from ombuds.core.models import Agency
from ombuds.core.permissions import check_any, check_object, has_perm
from ombuds.core.validation import check_text

from .lifecycle import TransitionRefused
from .models import CARD_FIELDS, DEMOGRAPHIC_FEATURES, AISystem, Attachment, Card, CardKind, Stage
from .uploads import check_upload

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
    return card


def add_attachment(actor, system: AISystem, kind: str, upload) -> Attachment:
    check_object(actor, "card.edit", system.agency_id)
    if kind not in CardKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(CardKind.values)}."})
    content_type = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-150:]
    check_text({"file": name})
    attachment = Attachment(
        system=system,
        card_kind=kind,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
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
                        "name": name,
                        "sha256": attachment.sha256,
                        "size": attachment.size,
                        "type": content_type,
                    }
                },
            )
    except BaseException:
        attachment.file.delete(save=False)  # no file without its record
        raise
    return attachment
