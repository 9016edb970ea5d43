"""The publication workflow: draft → submitted → published (by a second person), retracted or
withheld. Each step checks permission and writes the change with its audit event in one
transaction. Publishing freezes a snapshot: the public never sees the live draft."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core import audit, intake
from ombuds.core.intake import RateLimited
from ombuds.core.permissions import check_object
from ombuds.core.validation import check_text
from ombuds.registry.models import AISystem, Card, CardKind, DecisionRole

from .models import (
    MAX_COMMENT,
    MAX_NAME,
    MAX_POLICY,
    MAX_QUESTION,
    MAX_QUESTIONS,
    MAX_RESPONSE,
    MAX_TEXT,
    TEXT_FIELDS,
    AgencyPolicy,
    CommentStatus,
    Consultation,
    ConsultationComment,
    ConsultationDocument,
    ErrorStatus,
    HonouredHow,
    OptOutRequest,
    OptOutStatus,
    PublicRecord,
    PublicRecordVersion,
    RecordErrorReport,
    RecordStatus,
)
from .models import VersionKind as Kind

FIELD_NAMES = [name for name, _label in TEXT_FIELDS]
# Fields a translation may carry (a contact address is the same in every language).
TRANSLATABLE = [name for name in FIELD_NAMES if name != "contact"]
FLAGS = ["opt_out_available", "human_alternative_available"]


def original_language() -> str:
    return settings.LANGUAGE_CODE.split("-")[0]


def translation_languages() -> list[str]:
    """The site's languages other than the one records are written in."""
    return [code for code, _name in settings.LANGUAGES if code != original_language()]


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
        "opt_out_available": False,
        "human_alternative_available": False,
        "translations": {},
    }


def record_of(system: AISystem) -> PublicRecord:
    """The saved record, or an unsaved one pre-filled from the register (nothing is written)."""
    found = PublicRecord.objects.select_related("current", "drafter").filter(system=system).first()
    if found is not None:
        return found
    return PublicRecord(system=system, **prefill(system))


def clean_translations(value: Any) -> dict[str, dict[str, str]]:
    """{lang: {field: text}} for the site's other languages; empty texts are dropped."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError(
            {"translations": _("Give translations as {language: {field: text}}.")}
        )
    languages = translation_languages()
    clean: dict[str, dict[str, str]] = {}
    for lang, fields in value.items():
        if lang not in languages:
            raise ValidationError(
                {
                    "translations": _("%(lang)s is not a language of the site (%(known)s).")
                    % {"lang": str(lang)[:10], "known": ", ".join(languages)}
                }
            )
        if not isinstance(fields, dict):
            raise ValidationError({"translations": _("Give each language's fields as an object.")})
        for name, text in fields.items():
            if name not in TRANSLATABLE:
                raise ValidationError(
                    {
                        "translations": _("%(field)s cannot be translated.")
                        % {"field": str(name)[:50]}
                    }
                )
            if text is None:
                continue
            if not isinstance(text, str):
                raise ValidationError({"translations": _("Give each translation as text.")})
            text = text.strip()
            if len(text) > MAX_TEXT:
                raise ValidationError(
                    {"translations": _("At most %(n)d characters.") % {"n": MAX_TEXT}}
                )
            if text:
                check_text({"translations": text})
                clean.setdefault(lang, {})[name] = text
    return clean


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in FLAGS:
            if not isinstance(value, bool):
                errors[key] = _("Answer yes or no.")
            else:
                clean[key] = value
            continue
        if key == "translations":
            try:
                clean[key] = clean_translations(value)
            except ValidationError as exc:
                errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
            continue
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


MIN_GROUND = 20


def withhold(actor, system: AISystem, ground: str) -> PublicRecordVersion:
    """Withheld where the law requires: the public sees only that it exists and the ground.
    The ground names the law and its provision (at least MIN_GROUND characters, not a token
    word). A withheld record does not meet the gate's `transparency.notice-published`: only a
    waiver recorded by a governance lead lets the system pass without a published record."""
    check_object(actor, "record.publish", system.agency_id)
    ground = (ground or "").strip()
    if len(ground) < MIN_GROUND:
        raise ValidationError(
            {
                "legal_ground": _(
                    "Legal ground: name the law and its provision that forbid publishing the "
                    "record (at least %(n)d characters)."
                )
                % {"n": MIN_GROUND}
            }
        )
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
    from ombuds.registry.determination import proposal_for
    from ombuds.registry.models import Stage, StageChange

    deciding = rules.deciding(system)
    agency = system.agency
    first_deployed = (
        StageChange.objects.filter(system=system, to_stage=Stage.DEPLOYED)
        .order_by("at", "id")
        .values_list("at", flat=True)
        .first()
    )
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
            # Public: whether the rules presumed it high-impact (M-25-21's "presumed, but
            # determined not" is a published inventory value); None until a person determined.
            # The written justification stays staff text and is never published here.
            "presumed_high_impact": proposal_for(system).presumed_high_impact
            if system.impact_determination
            else None,
            # Public: the EU AI Act Annex III point is a legal classification the EU database
            # shows; exports read it from here, so a later change waits for the next review.
            "eu_annex_iii_area": system.eu_annex_iii_area,
            # Public: which assessment templates have an approved assessment (ids only, never
            # answers), so an export can say whether a FRIA exists.
            "approved_assessments": sorted(a.template_id for a in rules.latest_approved(system)),
            # Public: the day the system first went into use (the inventories ask for it);
            # dated as bias_summary dates audits, so the two compare.
            "deployed_on": first_deployed.date().isoformat() if first_deployed else None,
        },
        "fields": {name: getattr(record, name) for name in FIELD_NAMES},
        "language": original_language(),
        "translations": record.translations or {},
        "opt_out_available": record.opt_out_available,
        "human_alternative_available": record.human_alternative_available,
        "last_reviewed": record.last_reviewed.isoformat() if record.last_reviewed else None,
        "assessment": {
            "impact_level": system.impact_level,
            "decision": deciding.decision if deciding is not None else None,
        },
        "monitoring": monitoring_status(system),
        "bias_audits": bias_summary(system),
        "min_group_size": min_group(),
    }


# --- public forms: shared rules ----------------------------------------------------------------
#
# Comments, error reports and opt-out requests come from people without an account. Each is
# rate-limited on a keyed hash of the sender's network (never the address itself), refused when
# oversize, and kept out of the audit log except for references and facts.

MAX_PUBLIC_TEXT = 5000
MAX_CONTACT = 254


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, None) or default)


def per_address_limit() -> int:
    return _setting("OMBUDS_PUBLIC_FORMS_PER_ADDRESS_PER_HOUR", 5)


def per_consultation_limit() -> int:
    return _setting("OMBUDS_COMMENTS_PER_CONSULTATION_PER_HOUR", 200)


def client_hash(address: str) -> str:
    """Keyed as feedback's, so one network's public submissions are counted alike."""
    return intake.client_hash(address, "ombuds.feedback.client")


def _reference(prefix: str, model) -> str:
    return intake.unique_reference(model, lambda: intake.new_reference(prefix))


def _serialise() -> None:
    intake.serialise(intake.PUBLIC_INTAKE_LOCK)


def _check_rate(queryset, digest: str, now, limit: int, field: str = "received_at") -> None:
    """At most `limit` rows of this kind from one network in the last hour."""
    wait = intake.rate_limited(queryset, field, digest, now, limit)
    if wait is not None:
        raise RateLimited("address", wait)


def _text(errors: dict, name: str, value: Any, limit: int, required: bool = False) -> str:
    return intake.clean_text(errors, name, value, limit, required, screen=True)


def _email(errors: dict, name: str, value: Any) -> str:
    value = _text(errors, name, value, MAX_CONTACT)
    if value and name not in errors:
        try:
            validate_email(value)
        except ValidationError:
            errors[name] = _("Enter a valid e-mail address, or leave it empty.")
    return value


PHONE = re.compile(r"^\+?[0-9 ()./-]{6,30}$")


def published_system(system_id: int) -> AISystem | None:
    """The system when its record is published now; None otherwise (withheld, retracted...)."""
    record = (
        PublicRecord.objects.select_related("current", "system__agency")
        .filter(system_id=system_id, current__kind=Kind.PUBLISHED)
        .first()
    )
    return record.system if record is not None else None


def find_by_token(model, reference: str, raw_token: str):
    """The row whose reference and secret both match; None otherwise (the same for both)."""
    return intake.find_by_secret(
        model.objects.select_related("system__agency"),
        intake.normalise_reference(reference)[:12],
        raw_token,
    )


# --- consultations -----------------------------------------------------------------------------


def clean_consultation(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    clean["title"] = _text(errors, "title", values.get("title"), 200, required=True)
    clean["description"] = _text(errors, "description", values.get("description"), MAX_TEXT)
    for key in ("opens_on", "closes_on"):
        value = values.get(key)
        if isinstance(value, dt.date):
            clean[key] = value
        else:
            try:
                clean[key] = dt.date.fromisoformat(str(value or ""))
            except ValueError:
                errors[key] = _("Give a date as YYYY-MM-DD.")
    if "opens_on" in clean and "closes_on" in clean and clean["closes_on"] < clean["opens_on"]:
        errors["closes_on"] = _("The consultation must close on or after the day it opens.")
    questions = values.get("questions") or []
    if isinstance(questions, str):
        questions = [q for q in questions.splitlines()]
    if not isinstance(questions, list):
        errors["questions"] = _("Give one question per line.")
        questions = []
    kept = [str(q).strip() for q in questions if str(q).strip()]
    if len(kept) > MAX_QUESTIONS:
        errors["questions"] = _("At most %(n)d questions.") % {"n": MAX_QUESTIONS}
    elif any(len(q) > MAX_QUESTION for q in kept):
        errors["questions"] = _("Each question is at most %(n)d characters.") % {"n": MAX_QUESTION}
    else:
        try:
            check_text({"questions": "\n".join(kept)})
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    clean["questions"] = kept
    if errors:
        raise ValidationError(errors)
    return clean


def open_consultation(actor, system: AISystem, values: dict[str, Any]) -> Consultation:
    check_object(actor, "consultation.manage", system.agency_id)
    clean = clean_consultation(values)
    with transaction.atomic():
        consultation = Consultation.objects.create(system=system, created_by=actor, **clean)
        audit.record(
            actor=actor,
            action="consultation.open",
            obj=system,
            agency=system.agency,
            changes={
                "consultation": consultation.pk,
                "title": consultation.title,
                "opens_on": clean["opens_on"].isoformat(),
                "closes_on": clean["closes_on"].isoformat(),
                "questions": len(clean["questions"]),
            },
        )
    return consultation


def _lock_consultation(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update()
        .select_related("system__agency")
        .get(pk=consultation.pk)
    )


def _edit_refusals(consultation: Consultation, clean: dict[str, Any], today) -> dict[str, str]:
    """What an edit may not change. Before opening, anything may change except that it cannot
    be moved to open in the past. Once open, what the public was asked stays as it was: only the
    closing day may move, and only later. A closed consultation does not change."""
    errors: dict[str, str] = {}
    if consultation.state(today) == "closed":
        errors["__all__"] = _(
            "A closed consultation cannot be changed. Open a new consultation instead."
        )
        return errors
    if consultation.opens_on > today:
        if clean["opens_on"] != consultation.opens_on and clean["opens_on"] < today:
            errors["opens_on"] = _(
                "Opens on: a consultation cannot be moved to open on a day already past."
            )
        return errors
    fixed = {
        "title": _("Title: the consultation is open; its title cannot change any more."),
        "description": _(
            "What the consultation is about: the consultation is open; its description cannot "
            "change any more."
        ),
        "questions": _(
            "Questions: the consultation is open; its questions cannot change any more. Close "
            "it and open a new one instead."
        ),
        "opens_on": _("Opens on: the consultation opened on %(day)s; its opening day cannot move.")
        % {"day": consultation.opens_on.isoformat()},
    }
    for key, message in fixed.items():
        if clean[key] != getattr(consultation, key):
            errors[key] = message
    if clean["closes_on"] < consultation.closes_on:
        errors["closes_on"] = _(
            "Closes on: the consultation is open until %(day)s; the closing day can only move "
            "later. Close it now instead if it must end early."
        ) % {"day": consultation.closes_on.isoformat()}
    return errors


def edit_consultation(actor, consultation: Consultation, values: dict[str, Any]) -> Consultation:
    """Change a consultation not yet open; once open, only extend its closing day (people who
    answered, and the public reading the answers, must find what they were asked)."""
    system = consultation.system
    check_object(actor, "consultation.manage", system.agency_id)
    clean = clean_consultation(values)
    with transaction.atomic():
        consultation = _lock_consultation(consultation)
        if consultation.closed_at is not None:
            raise PublicationRefused(
                "consultation-closed", _("A closed consultation cannot be changed.")
            )
        if consultation.comments.exists() and clean["questions"] != consultation.questions:
            raise ValidationError(
                {
                    "questions": _(
                        "People have already answered: the questions cannot change. Close this "
                        "consultation and open a new one instead."
                    )
                }
            )
        refused = _edit_refusals(consultation, clean, timezone.localdate())
        if refused:
            raise ValidationError(refused)
        changed = sorted(k for k, v in clean.items() if getattr(consultation, k) != v)
        for key, value in clean.items():
            setattr(consultation, key, value)
        consultation.save()
        audit.record(
            actor=actor,
            action="consultation.edit",
            obj=system,
            agency=system.agency,
            changes={"consultation": consultation.pk, "fields": changed},
        )
    return consultation


def close_consultation(actor, consultation: Consultation) -> Consultation:
    system = consultation.system
    check_object(actor, "consultation.manage", system.agency_id)
    with transaction.atomic():
        consultation = _lock_consultation(consultation)
        if consultation.closed_at is not None:
            raise PublicationRefused("consultation-closed", _("The consultation is closed."))
        consultation.closed_at = timezone.now()
        consultation.closed_by = actor
        consultation.save()
        audit.record(
            actor=actor,
            action="consultation.close",
            obj=system,
            agency=system.agency,
            changes={"consultation": consultation.pk},
        )
    return consultation


def add_document(actor, consultation: Consultation, upload) -> ConsultationDocument:
    """A document for the public to read, checked by content type and size like card files."""
    from ombuds.registry.uploads import inspect

    system = consultation.system
    check_object(actor, "consultation.manage", system.agency_id)
    checked = inspect(upload)
    document = ConsultationDocument(
        consultation=consultation,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    document.file.save(checked.stored_name, upload, save=False)
    try:
        with transaction.atomic():
            document.save()
            audit.record(
                actor=actor,
                action="consultation.document",
                obj=system,
                agency=system.agency,
                changes={
                    "consultation": consultation.pk,
                    # The name may hold personal data (a mistaken upload): its hash only.
                    "document": {
                        "id": document.pk,
                        "name_sha256": hashlib.sha256(checked.original_name.encode()).hexdigest(),
                        "sha256": document.sha256,
                        "size": document.size,
                    },
                },
            )
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


def remove_document(actor, document: ConsultationDocument, reason: str) -> None:
    """Take a document uploaded by mistake away: the row goes, and the file leaves storage
    once the removal is committed, so the public link answers "not found". The reason is asked
    so that nobody removes one without a thought; the audit log keeps the document's id and
    the SHA-256 of its name and of its content only (the name or the reason may hold personal
    data; the content's hash still proves which file it was)."""
    document = ConsultationDocument.objects.select_related("consultation__system__agency").get(
        pk=document.pk
    )
    system = document.consultation.system
    check_object(actor, "consultation.manage", system.agency_id)
    errors: dict[str, str] = {}
    _text(errors, "reason", reason, MAX_TEXT, required=True)
    if errors:
        raise ValidationError(errors)
    storage, stored_name = document.file.storage, document.file.name
    with transaction.atomic():
        document = ConsultationDocument.objects.select_for_update().get(pk=document.pk)
        audit.record(
            actor=actor,
            action="consultation.document.remove",
            obj=system,
            agency=system.agency,
            changes={
                "document": document.pk,
                "name_sha256": hashlib.sha256(document.original_name.encode()).hexdigest(),
                "sha256": document.sha256,
            },
        )
        document.delete()
        if stored_name:
            transaction.on_commit(lambda: storage.delete(stored_name))


def submit_comment(
    consultation: Consultation,
    *,
    answers: dict[int | None, str],
    name: str = "",
    show_name: bool = False,
    client_address: str = "",
    now=None,
) -> list[ConsultationComment]:
    """Answers of one person (by question index, None = general), waiting for moderation."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    kept: dict[int | None, str] = {}
    for index, text in answers.items():
        field = "general" if index is None else f"answer_{index}"
        if index is not None and not (0 <= index < len(consultation.questions)):
            errors[field] = _("Not a question of this consultation.")
            continue
        value = _text(errors, field, text, MAX_COMMENT)
        if value:
            kept[index] = value
    name = _text(errors, "name", name, MAX_NAME)
    if not errors and not kept:
        errors["general"] = _("Write an answer to at least one question, or a general comment.")
    if errors:
        raise ValidationError(errors)
    digest = client_hash(client_address)
    submission = secrets.token_hex(16)
    with transaction.atomic():
        # Read again under a row lock: a close (or an edit) that committed since the page was
        # read is seen here, and none can commit until this comment is stored. Only the
        # consultation's row is locked, not its system's or agency's.
        consultation = (
            Consultation.objects.select_for_update(of=("self",))
            .select_related("system__agency")
            .get(pk=consultation.pk)
        )
        if not consultation.is_open(timezone.localdate(now)):
            raise PublicationRefused(
                "consultation-closed", _("This consultation is not open for comments.")
            )
        _serialise()
        recent = ConsultationComment.objects.filter(received_at__gte=now - dt.timedelta(hours=1))
        if (
            recent.filter(consultation=consultation).values("submission").distinct().count()
            >= per_consultation_limit()
        ):
            raise RateLimited("consultation", 3600)
        mine = recent.filter(client_hash=digest)
        if mine.values("submission").distinct().count() >= per_address_limit():
            oldest = mine.order_by("received_at").values_list("received_at", flat=True).first()
            wait = int((oldest + dt.timedelta(hours=1) - now).total_seconds()) + 1
            raise RateLimited("address", max(wait, 1))
        comments = [
            ConsultationComment.objects.create(
                consultation=consultation,
                question=index,
                text=text,
                name=name,
                show_name=bool(show_name and name),
                submission=submission,
                client_hash=digest,
                received_at=now,
            )
            for index, text in kept.items()
        ]
        audit.record(
            action="consultation.comment.receive",
            obj=consultation.system,
            agency=consultation.system.agency,
            changes={"consultation": consultation.pk, "comments": [c.pk for c in comments]},
        )
    return comments


def moderate(actor, comment: ConsultationComment, approve: bool, reason: str = "") -> None:
    """Publish a pending comment, or keep it back with a reason. A comment is moderated once:
    taking a published one down again is `unpublish`, a separate and separately audited act.
    The reason stays with the comment; the audit log only says whether one was given (it may
    quote the commenter)."""
    system = comment.consultation.system
    check_object(actor, "consultation.moderate", system.agency_id)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, MAX_TEXT, required=not approve)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        comment = ConsultationComment.objects.select_for_update().get(pk=comment.pk)
        if comment.status != CommentStatus.PENDING:
            raise PublicationRefused(
                "comment-moderated",
                _("This comment was already moderated (%(status)s); it is not moderated again.")
                % {"status": comment.get_status_display()},
            )
        before = comment.status
        comment.status = CommentStatus.APPROVED if approve else CommentStatus.REJECTED
        comment.reject_reason = "" if approve else reason
        comment.moderated_by = actor
        comment.moderated_at = timezone.now()
        comment.save()
        audit.record(
            actor=actor,
            action="consultation.comment.moderate",
            obj=system,
            agency=system.agency,
            changes={
                "comment": comment.pk,
                "status": {"from": before, "to": comment.status},
                "reason_given": bool(comment.reject_reason),
            },
        )
        if comment.status == CommentStatus.APPROVED:
            bump_public_pages()


def unpublish_comment(actor, comment: ConsultationComment, reason: str) -> None:
    """Take a published comment off the public pages (it quoted someone, it was published by
    mistake...): a reason is required and kept with the comment, never in the audit log."""
    system = comment.consultation.system
    check_object(actor, "consultation.moderate", system.agency_id)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, MAX_TEXT, required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        comment = ConsultationComment.objects.select_for_update().get(pk=comment.pk)
        if comment.status != CommentStatus.APPROVED:
            raise PublicationRefused(
                "comment-not-published", _("Only a published comment can be taken down.")
            )
        comment.status = CommentStatus.REJECTED
        comment.reject_reason = reason
        comment.moderated_by = actor
        comment.moderated_at = timezone.now()
        comment.save()
        audit.record(
            actor=actor,
            action="consultation.comment.unpublish",
            obj=system,
            agency=system.agency,
            changes={
                "comment": comment.pk,
                "status": {"from": CommentStatus.APPROVED, "to": CommentStatus.REJECTED},
                "reason_given": True,
            },
        )
        bump_public_pages()


def publish_response(actor, consultation: Consultation, heard: str, changed: str) -> Consultation:
    """What the agency heard and what it changed: published with the system's record once the
    consultation is closed (every comment is in), and only once (never silently rewritten)."""
    system = consultation.system
    check_object(actor, "consultation.manage", system.agency_id)
    errors: dict[str, str] = {}
    heard = _text(errors, "heard", heard, MAX_RESPONSE, required=True)
    changed = _text(errors, "changed", changed, MAX_RESPONSE, required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consultation = _lock_consultation(consultation)
        if consultation.state() != "closed":
            raise PublicationRefused(
                "consultation-not-closed",
                _(
                    "The consultation is still open (or not open yet) until %(day)s: publish "
                    "the response once it is closed, so that every comment can be heard."
                )
                % {"day": consultation.closes_on.isoformat()},
            )
        if consultation.response_published_at is not None:
            raise PublicationRefused(
                "consultation-response-published",
                _(
                    "The response was already published on %(day)s; a published response is "
                    "not rewritten."
                )
                % {"day": timezone.localdate(consultation.response_published_at).isoformat()},
            )
        consultation.heard = heard
        consultation.changed = changed
        consultation.response_published_at = timezone.now()
        consultation.response_by = actor
        consultation.save()
        audit.record(
            actor=actor,
            action="consultation.respond",
            obj=system,
            agency=system.agency,
            changes={"consultation": consultation.pk},
        )
    return consultation


def public_consultations(system: AISystem):
    """Consultations the public may see: those already opened."""
    return Consultation.objects.filter(system=system, opens_on__lte=timezone.localdate())


def bump_public_pages() -> None:
    """Comments are left out of the public cache's automatic moves (a pending one shows nowhere):
    publishing or taking one down moves it here, after the commit."""
    from ombuds.core.public_cache import bump_after_commit

    bump_after_commit()


# --- errors in a public record -----------------------------------------------------------------


def report_record_error(
    system: AISystem,
    *,
    description: str,
    contact_email: str = "",
    client_address: str = "",
    now=None,
    base_url: str = "",
) -> tuple[RecordErrorReport, str]:
    now = now or timezone.now()
    errors: dict[str, str] = {}
    description = _text(errors, "description", description, MAX_PUBLIC_TEXT, required=True)
    contact_email = _email(errors, "contact_email", contact_email)
    if errors:
        raise ValidationError(errors)
    digest = client_hash(client_address)
    raw, digest_of_secret = intake.new_secret()
    with transaction.atomic():
        _serialise()
        _check_rate(RecordErrorReport.objects, digest, now, per_address_limit())
        report = RecordErrorReport.objects.create(
            system=system,
            reference=_reference("E", RecordErrorReport),
            token_digest=digest_of_secret,
            description=description,
            contact_email=contact_email,
            client_hash=digest,
            received_at=now,
        )
        audit.record(
            action="record.error.receive",
            obj=system,
            agency=system.agency,
            changes={"reference": report.reference},
        )
    from . import notify

    notify.record_error_received(report, raw, base_url)
    return report, raw


def answer_record_error(actor, report: RecordErrorReport, status: str, answer: str):
    system = report.system
    check_object(actor, "record.edit", system.agency_id)
    errors: dict[str, str] = {}
    if status not in (ErrorStatus.ANSWERED, ErrorStatus.CORRECTED, ErrorStatus.REJECTED):
        errors["status"] = _("Choose answered, corrected or not an error.")
    answer = _text(errors, "answer", answer, MAX_PUBLIC_TEXT, required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = RecordErrorReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ErrorStatus.RECEIVED:
            raise PublicationRefused(
                "record-error-answered",
                _("This report was already answered; the answer the person read stays as it is."),
            )
        before = report.status
        report.status = status
        report.answer = answer
        report.answered_by = actor
        report.answered_at = timezone.now()
        report.save()
        audit.record(
            actor=actor,
            action="record.error.answer",
            obj=system,
            agency=system.agency,
            changes={"reference": report.reference, "status": {"from": before, "to": status}},
        )
    return report


# --- opt-out requests --------------------------------------------------------------------------


def optout_offered(system: AISystem) -> bool:
    """The published record says a person may opt out or ask for a person."""
    record = PublicRecord.objects.select_related("current").filter(system=system).first()
    if record is None or record.public_state != Kind.PUBLISHED:
        return False
    snap = record.current.snapshot
    return bool(snap.get("opt_out_available") or snap.get("human_alternative_available"))


def optout_days(agency) -> int | None:
    found = AgencyPolicy.objects.filter(agency=agency).values_list("optout_days", flat=True)
    return next(iter(found), None)


def request_opt_out(
    system: AISystem,
    values: dict[str, Any],
    *,
    client_address: str = "",
    now=None,
    base_url: str = "",
) -> tuple[OptOutRequest, str]:
    now = now or timezone.now()
    if not optout_offered(system):
        raise PublicationRefused(
            "optout-not-offered", _("This record does not offer opting out or a person instead.")
        )
    errors: dict[str, str] = {}
    clean = {
        "name": _text(errors, "name", values.get("name"), MAX_NAME),
        "contact_email": _email(errors, "contact_email", values.get("contact_email")),
        "contact_phone": _text(errors, "contact_phone", values.get("contact_phone"), 40),
        "contact_post": _text(errors, "contact_post", values.get("contact_post"), 500),
        "case_reference": _text(errors, "case_reference", values.get("case_reference"), 100),
        "details": _text(errors, "details", values.get("details"), MAX_PUBLIC_TEXT),
    }
    if clean["contact_phone"] and "contact_phone" not in errors:
        if not PHONE.match(clean["contact_phone"]):
            errors["contact_phone"] = _(
                "Enter a telephone number with digits, spaces and an optional leading +."
            )
    if not errors and not (
        clean["contact_email"] or clean["contact_phone"] or clean["contact_post"]
    ):
        errors["contact_email"] = _(
            "Give at least one way to answer you: an e-mail address, a telephone number or a "
            "postal address."
        )
    if errors:
        raise ValidationError(errors)
    digest = client_hash(client_address)
    raw, digest_of_secret = intake.new_secret()
    days = optout_days(system.agency)
    with transaction.atomic():
        _serialise()
        _check_rate(OptOutRequest.objects, digest, now, per_address_limit())
        request = OptOutRequest.objects.create(
            system=system,
            reference=_reference("O", OptOutRequest),
            token_digest=digest_of_secret,
            client_hash=digest,
            received_at=now,
            respond_by=now + dt.timedelta(days=days) if days else None,
            **clean,
        )
        audit.record(
            action="optout.receive",
            obj=system,
            agency=system.agency,
            changes={"reference": request.reference},
        )
    from . import notify

    notify.optout_received(request, raw, base_url)
    return request, raw


def handle_opt_out(actor, request: OptOutRequest, values: dict[str, Any]) -> OptOutRequest:
    system = request.system
    check_object(actor, "optout.handle", system.agency_id)
    errors: dict[str, str] = {}
    status = values.get("status")
    how = values.get("how") or ""
    note = _text(errors, "note", values.get("note"), MAX_PUBLIC_TEXT)
    if status == OptOutStatus.HONOURED:
        if how not in HonouredHow.values:
            errors["how"] = _("Say how the request was honoured.")
        elif how == HonouredHow.OTHER and not note:
            errors["note"] = _("Describe how the request was honoured.")
    elif status == OptOutStatus.REFUSED:
        how = ""
        if not note:
            errors["note"] = _("Give the reason for refusing.")
    else:
        errors["status"] = _("Choose honoured or refused.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = OptOutRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != OptOutStatus.RECEIVED:
            raise PublicationRefused("optout-handled", _("This request was already handled."))
        request.status = status
        request.how = how
        request.note = note
        request.handled_by = actor
        request.handled_at = timezone.now()
        request.save()
        audit.record(
            actor=actor,
            action="optout.handle",
            obj=system,
            agency=system.agency,
            changes={"reference": request.reference, "status": status, "how": how},
        )
    return request


def optout_counts(system: AISystem) -> dict[str, int]:
    rows = dict(
        OptOutRequest.objects.filter(system=system)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "received": sum(rows.values()),
        "honoured": rows.get(OptOutStatus.HONOURED, 0),
        "refused": rows.get(OptOutStatus.REFUSED, 0),
    }


# --- the agency's AI policy --------------------------------------------------------------------


def save_policy(actor, agency, values: dict[str, Any]) -> AgencyPolicy:
    """Written by a governance lead (agency.brand or record.publish)."""
    from ombuds.core.permissions import has_perm

    if not (
        has_perm(actor, "agency.brand", agency.pk) or has_perm(actor, "record.publish", agency.pk)
    ):
        check_object(actor, "agency.brand", agency.pk)
    errors: dict[str, str] = {}
    text = _text(errors, "text", values.get("text"), MAX_POLICY)
    translations: dict[str, str] = {}
    for lang in translation_languages():
        value = _text(errors, f"text_{lang}", values.get(f"text_{lang}"), MAX_POLICY)
        if value:
            translations[lang] = value
    days = values.get("optout_days")
    if days in ("", None):
        days = None
    else:
        try:
            days = int(days)
        except (TypeError, ValueError):
            days = -1
        if not 1 <= days <= 365:
            errors["optout_days"] = _("Give a number of days from 1 to 365, or leave it empty.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _created = AgencyPolicy.objects.select_for_update().get_or_create(agency=agency)
        policy.text = text
        policy.translations = translations
        policy.optout_days = days
        policy.updated_by = actor
        policy.save()
        audit.record(
            actor=actor,
            action="agency.policy",
            obj=agency,
            agency=agency,
            changes={"languages": sorted(translations), "optout_days": days},
        )
    return policy


def forget_client_hashes(now=None) -> int:
    """The keyed hash of a sender's network serves the hourly rate limits only: drop it after a
    day from comments, error reports and opt-out requests."""
    now = now or timezone.now()
    models = (ConsultationComment, RecordErrorReport, OptOutRequest)
    return sum(intake.forget_client_hashes(m.objects, "received_at", now) for m in models)
