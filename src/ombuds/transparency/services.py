"""The publication workflow: draft → submitted → published (by a second person), retracted or
withheld. Each step checks permission and writes the change with its audit event in one
transaction. Publishing freezes a snapshot: the public never sees the live draft."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core import audit
from ombuds.core.permissions import check_object
from ombuds.core.validation import check_text
from ombuds.registry.models import AISystem, Card, CardKind, DecisionRole

from .models import MAX_TEXT, TEXT_FIELDS, PublicRecord, PublicRecordVersion, RecordStatus
from .models import VersionKind as Kind

FIELD_NAMES = [name for name, _label in TEXT_FIELDS]
REQUIRED_TO_SUBMIT = ["what_it_does", "use_in_decisions", "complaints", "contact"]
SNAPSHOT_SCHEMA = "ombuds.public-record/1"


class PublicationRefused(Exception):
    """A step the rules do not allow; `rule` is a stable code, the message says why."""

    def __init__(self, rule: str, detail: str):
        super().__init__(detail)
        self.rule = rule
        self.detail = detail


def min_group() -> int:
    return max(10, int(getattr(settings, "OMBUDS_PUBLIC_MIN_GROUP", 30)))


# --- drafting ----------------------------------------------------------------------------------


def prefill(system: AISystem) -> dict[str, Any]:
    """A first draft from the register's fields and cards, for a person to rewrite plainly."""
    cards = {c.kind: c.fields or {} for c in Card.objects.filter(system=system)}
    system_card = cards.get(CardKind.SYSTEM, {})
    data_card = cards.get(CardKind.DATA, {})
    model_card = cards.get(CardKind.MODEL, {})
    what = "\n\n".join(t for t in (system.short_description, system.purpose_and_benefits) if t)
    use = str(DecisionRole(system.decision_role).label) if system.decision_role else ""
    return {
        "what_it_does": what,
        "use_in_decisions": use,
        "human_role": str(system_card.get("human_oversight", "")),
        "data_used": str(data_card.get("provenance", "")),
        "risks": str(model_card.get("limitations", "")),
        "opt_out": "",
        "complaints": "",
        "contact": system.public_contact,
        "last_reviewed": None,
    }


def record_of(system: AISystem) -> PublicRecord:
    """The saved record, or an unsaved one pre-filled from the register (nothing is written)."""
    found = PublicRecord.objects.select_related("current", "drafter").filter(system=system).first()
    if found is not None:
        return found
    return PublicRecord(system=system, **prefill(system))


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "last_reviewed":
            if value in (None, ""):
                clean[key] = None
            elif isinstance(value, dt.date):
                clean[key] = value
            else:
                try:
                    clean[key] = dt.date.fromisoformat(str(value))
                except ValueError:
                    errors[key] = _("Give a date as YYYY-MM-DD.")
            continue
        if key not in FIELD_NAMES:
            errors[key] = _("Not a field of the public record.")
            continue
        text = "" if value is None else str(value).strip()
        limit = 254 if key == "contact" else MAX_TEXT
        if len(text) > limit:
            errors[key] = _("At most %(n)d characters.") % {"n": limit}
            continue
        clean[key] = text
    if errors:
        raise ValidationError(errors)
    check_text({k: v for k, v in clean.items() if isinstance(v, str)})
    return clean


def _lock(system: AISystem) -> PublicRecord:
    record = PublicRecord.objects.select_for_update().filter(system=system).first()
    if record is None:
        record = PublicRecord.objects.create(system=system, **prefill(system))
        record = PublicRecord.objects.select_for_update().get(pk=record.pk)
    return record


def _audit(actor, action: str, record: PublicRecord, changes: dict) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=record.system,
        agency=record.system.agency,
        changes={"public_record": record.pk, **changes},
    )


def save_draft(actor, system: AISystem, values: dict[str, Any]) -> PublicRecord:
    """Save the draft's fields; whoever saves it becomes its drafter. A published record stays
    public as it was until the new draft is published."""
    check_object(actor, "record.edit", system.agency_id)
    clean = clean_values(values)
    with transaction.atomic():
        record = _lock(system)
        changed = sorted(k for k, v in clean.items() if getattr(record, k) != v)
        for key, value in clean.items():
            setattr(record, key, value)
        record.status = RecordStatus.DRAFT
        record.drafter = actor
        if actor.pk not in (record.editors or []):
            record.editors = [*(record.editors or []), actor.pk]
        record.submitted_at = None
        record.save()
        _audit(actor, "record.draft", record, {"fields": changed})
    return record


def submit(actor, system: AISystem) -> PublicRecord:
    check_object(actor, "record.edit", system.agency_id)
    with transaction.atomic():
        record = PublicRecord.objects.select_for_update().filter(system=system).first()
        if record is None or record.status != RecordStatus.DRAFT:
            raise PublicationRefused(
                "record-not-draft", _("Only a saved draft can be submitted for publication.")
            )
        if record.drafter_id != actor.pk:
            raise PublicationRefused(
                "record-drafter-submits",
                _("Only the draft's drafter submits it; save the draft yourself to take it over."),
            )
        missing = [k for k in REQUIRED_TO_SUBMIT if not getattr(record, k)]
        if missing:
            raise ValidationError(
                {k: _("Needed before the record can be published.") for k in missing}
            )
        record.status = RecordStatus.SUBMITTED
        record.submitted_at = timezone.now()
        record.save()
        _audit(actor, "record.submit", record, {})
    return record


def _next_number(record: PublicRecord) -> int:
    return (record.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _version(record, actor, kind, snapshot, reason="") -> PublicRecordVersion:
    version = PublicRecordVersion.objects.create(
        record=record,
        number=_next_number(record),
        kind=kind,
        snapshot=snapshot,
        reason=reason,
        name=snapshot.get("system", {}).get("name", "") if kind == Kind.PUBLISHED else "",
        what_it_does=snapshot.get("fields", {}).get("what_it_does", "")
        if kind == Kind.PUBLISHED
        else "",
        sector=snapshot.get("system", {}).get("sector", "") if kind == Kind.PUBLISHED else "",
        high_impact=snapshot.get("system", {}).get("high_impact")
        if kind == Kind.PUBLISHED
        else None,
        by=actor,
    )
    record.current = version
    return version


def publish(actor, system: AISystem) -> PublicRecordVersion:
    check_object(actor, "record.publish", system.agency_id)
    with transaction.atomic():
        record = PublicRecord.objects.select_for_update().filter(system=system).first()
        if record is None or record.status != RecordStatus.SUBMITTED:
            raise PublicationRefused(
                "record-not-submitted", _("Only a submitted draft can be published.")
            )
        if actor.pk == record.drafter_id or actor.pk in (record.editors or []):
            raise PublicationRefused(
                "record-two-person",
                _(
                    "You drafted or edited this record: a governance lead who did not write it "
                    "must publish it."
                ),
            )
        system = AISystem.objects.select_related("agency").get(pk=system.pk)
        version = _version(record, actor, Kind.PUBLISHED, snapshot(record, system))
        record.status = RecordStatus.PUBLISHED
        record.editors = []
        record.withheld_ground = ""
        record.save()
        _audit(actor, "record.publish", record, {"version": version.number})
    return version


def retract(actor, system: AISystem, reason: str) -> PublicRecordVersion:
    check_object(actor, "record.publish", system.agency_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record is retracted.")})
    clean_reason = clean_values({"risks": reason})["risks"]
    with transaction.atomic():
        record = PublicRecord.objects.select_for_update().filter(system=system).first()
        if record is None or record.public_state != Kind.PUBLISHED:
            raise PublicationRefused(
                "record-not-published", _("Only a published record can be retracted.")
            )
        version = _version(record, actor, Kind.RETRACTED, {}, clean_reason)
        record.status = RecordStatus.RETRACTED
        record.save()
        _audit(actor, "record.retract", record, {"version": version.number, "reason": clean_reason})
    return version


def withhold(actor, system: AISystem, ground: str) -> PublicRecordVersion:
    """Withheld where the law requires: the public sees only that it exists and the ground."""
    check_object(actor, "record.publish", system.agency_id)
    ground = (ground or "").strip()
    if not ground:
        raise ValidationError({"legal_ground": _("Name the legal ground for withholding.")})
    if len(ground) > 1000:
        raise ValidationError({"legal_ground": _("At most %(n)d characters.") % {"n": 1000}})
    check_text({"legal_ground": ground})
    with transaction.atomic():
        record = _lock(system)
        if record.public_state == Kind.WITHHELD and record.withheld_ground == ground:
            raise PublicationRefused("record-withheld", _("The record is already withheld."))
        version = _version(record, actor, Kind.WITHHELD, {"legal_ground": ground}, ground)
        record.status = RecordStatus.WITHHELD
        record.withheld_ground = ground
        record.save()
        _audit(actor, "record.withhold", record, {"version": version.number, "ground": ground})
    return version


# --- what is published -------------------------------------------------------------------------


def monitoring_status(system: AISystem) -> str:
    from ombuds.monitoring.models import Alert

    open_critical = Alert.objects.filter(
        system=system, severity="critical", acknowledged_at__isnull=True
    ).exists()
    return "under_review" if open_critical else "normal"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def bias_summary(system: AISystem, minimum: int | None = None) -> list[dict[str, Any]]:
    """Per audited characteristic (newest done bias audit first wins): how many groups of at
    least the minimum size were compared, and whether a disparity between such groups was
    flagged. No group, value or row is ever named."""
    from ombuds.evaluations.models import Evaluation

    minimum = min_group() if minimum is None else max(10, minimum)
    found: dict[str, dict[str, Any]] = {}
    audits = Evaluation.objects.filter(system=system, kind="bias_audit", status="done").order_by(
        "-created_at", "-id"
    )
    for ev in audits:
        result = ev.result if isinstance(ev.result, dict) else {}
        columns = dict(ev.characteristics or {})
        for column, code in columns.items():
            if not code or code in found:
                continue
            large = []
            for g in result.get("groups") or []:
                if not isinstance(g, dict) or not isinstance(g.get("attributes"), dict):
                    continue
                n = _int(g.get("n"))
                if set(g["attributes"]) == {column} and not g.get("suppressed") and n is not None:
                    if n >= minimum:
                        large.append(g["attributes"])
            if not large:
                continue
            flagged = False
            for d in result.get("disparities") or []:
                if not isinstance(d, dict) or d.get("flag") != "disparity":
                    continue
                attrs, ref = d.get("attributes"), d.get("reference")
                if attrs in large and (ref in large or not ref):
                    flagged = True
            found[code] = {
                "characteristic": code,
                "groups_compared": len(large),
                "disparities_flagged": flagged,
                "audited_on": ev.created_at.date().isoformat(),
            }
    return sorted(found.values(), key=lambda x: x["characteristic"])


def snapshot(record: PublicRecord, system: AISystem) -> dict[str, Any]:
    """Everything the public sees of this version: the reviewed fields and facts derived now."""
    from ombuds.assessments import rules

    deciding = rules.deciding(system)
    agency = system.agency
    return {
        "schema": SNAPSHOT_SCHEMA,
        "agency": {"name": agency.name, "slug": agency.slug, "country": agency.country},
        "system": {
            "id": system.pk,
            "name": system.name,
            "sector": system.sector,
            "stage": system.stage,
            "high_impact": system.is_high_impact,
            "impact": system.impact_determination or None,
        },
        "fields": {name: getattr(record, name) for name in FIELD_NAMES},
        "last_reviewed": record.last_reviewed.isoformat() if record.last_reviewed else None,
        "assessment": {
            "impact_level": system.impact_level,
            "decision": deciding.decision if deciding is not None else None,
        },
        "monitoring": monitoring_status(system),
        "bias_audits": bias_summary(system),
        "min_group_size": min_group(),
    }
