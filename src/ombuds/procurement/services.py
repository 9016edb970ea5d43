"""The rules of buying AI. Each change checks permission, then writes the change and its audit
event in one transaction; views and the API only call these functions."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core import audit
from ombuds.core.models import Agency, hash_token
from ombuds.core.permissions import check_object, has_perm
from ombuds.core.validation import check_text
from ombuds.registry.models import AISystem

from . import cards, content
from .models import (
    REVIEW_CHECKS,
    STAGE_ORDER,
    Answer,
    AnswerStatus,
    Bid,
    Claim,
    ClauseSelection,
    DueDiligenceRequest,
    Evidence,
    LocalDataset,
    Metric,
    Outcome,
    Procedure,
    Procurement,
    Review,
    Stage,
    Vendor,
    Verdict,
    Verification,
)

log = logging.getLogger("ombuds.procurement")

LINK_DAYS = 30
MAX_LINK_DAYS = 180
MIN_JUSTIFICATION = 20
MAX_TEXT = 10000


class Refused(Exception):
    """A move the rules do not allow; `detail` says why, `rule` names the rule."""

    def __init__(self, detail: str, rule: str = "procurement"):
        super().__init__(detail)
        self.detail = detail
        self.rule = rule


def _text(
    values: dict, key: str, *, required: bool = False, limit: int = 200, one_line: bool = False
) -> str:
    value = values.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ValidationError({key: _("This field is required.")})
    if one_line and ("\n" in value or "\r" in value):
        raise ValidationError({key: _("Keep it on one line.")})
    if len(value) > limit:
        raise ValidationError({key: _("Keep it under %(n)d characters.") % {"n": limit}})
    check_text({key: value})
    return value


# --- vendors and procurements ----------------------------------------------------------------


def create_vendor(actor, agency: Agency, values: dict[str, Any]) -> Vendor:
    check_object(actor, "procurement.edit", agency.pk)
    country = _text(values, "country", limit=2).upper()
    if country and not country.isalpha():
        raise ValidationError({"country": _("Give the two-letter ISO country code.")})
    email = _text(values, "contact_email", limit=254)
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"contact_email": _("Give a valid e-mail address.")}) from None
    vendor = Vendor(
        agency=agency,
        name=_text(values, "name", required=True),
        registration_number=_text(values, "registration_number", limit=100),
        country=country,
        contact_name=_text(values, "contact_name"),
        contact_email=email,
    )
    if Vendor.objects.filter(agency=agency, name=vendor.name).exists():
        raise ValidationError({"name": _("This agency already has a vendor of that name.")})
    with transaction.atomic():
        vendor.save()
        audit.record(
            actor=actor,
            action="procurement.vendor.create",
            obj=vendor,
            agency=agency,
            changes={"name": vendor.name, "country": vendor.country},
        )
    return vendor


def _systems(agency: Agency, ids) -> list[AISystem]:
    wanted = []
    for raw in ids or []:
        try:
            wanted.append(int(getattr(raw, "pk", raw)))
        except (TypeError, ValueError):
            raise ValidationError({"systems": _("Give AI system ids.")}) from None
    found = list(AISystem.objects.filter(agency=agency, pk__in=wanted))
    missing = sorted(set(wanted) - {s.pk for s in found})
    if missing:
        raise ValidationError(
            {
                "systems": _("No AI system %(ids)s in this agency's register.")
                % {"ids": ", ".join(map(str, missing))}
            }
        )
    return found


def create_procurement(actor, agency: Agency, values: dict[str, Any]) -> Procurement:
    check_object(actor, "procurement.edit", agency.pk)
    procedure = values.get("procedure") or ""
    if procedure not in Procedure.values:
        raise ValidationError(
            {"procedure": _("Choose one of: %(c)s.") % {"c": ", ".join(Procedure.values)}}
        )
    interval = values.get("review_interval_months") or 6
    try:
        interval = int(interval)
    except (TypeError, ValueError):
        interval = 0
    if not 1 <= interval <= 36:
        raise ValidationError(
            {"review_interval_months": _("Give a number of months from 1 to 36.")}
        )
    systems = _systems(agency, values.get("systems"))
    procurement = Procurement(
        agency=agency,
        title=_text(values, "title", required=True, one_line=True),
        reference=_text(values, "reference", limit=100, one_line=True),
        procedure=procedure,
        review_interval_months=interval,
        created_by=actor,
    )
    with transaction.atomic():
        procurement.save()
        procurement.systems.set(systems)
        for clause in required_clauses(procurement):
            ClauseSelection.objects.create(
                procurement=procurement,
                clause_id=clause.id,
                clause_version=clause.version,
                values=clause.defaults(),
            )
        audit.record(
            actor=actor,
            action="procurement.create",
            obj=procurement,
            agency=agency,
            changes={
                "title": procurement.title,
                "procedure": procedure,
                "systems": [s.pk for s in systems],
            },
        )
    return procurement


def link_systems(actor, procurement: Procurement, ids) -> Procurement:
    check_object(actor, "procurement.edit", procurement.agency_id)
    systems = _systems(procurement.agency, ids)
    with transaction.atomic():
        if _locked(procurement).stage in SIGNED:
            # The required clauses would change with the systems: the signed pack is frozen.
            raise Refused(_frozen_message(), "clauses-frozen")
        procurement.systems.set(systems)
        for clause in required_clauses(procurement):
            ClauseSelection.objects.get_or_create(
                procurement=procurement,
                clause_id=clause.id,
                defaults={"clause_version": clause.version, "values": clause.defaults()},
            )
        audit.record(
            actor=actor,
            action="procurement.systems",
            obj=procurement,
            agency=procurement.agency,
            changes={"systems": [s.pk for s in systems]},
        )
    return procurement


def _locked(procurement: Procurement) -> Procurement:
    """Re-read the procurement inside the caller's transaction, locking its row, so that a check
    made on a copy loaded earlier (another request may have moved it since) is made again."""
    fresh = Procurement.objects.select_for_update().get(pk=procurement.pk)
    for name in ("stage", "awarded_bid_id"):
        setattr(procurement, name, getattr(fresh, name))
    return procurement


def _move(actor, procurement: Procurement, to: str, changes: dict | None = None) -> Procurement:
    """Called inside transaction.atomic() after _locked(procurement)."""
    check_object(actor, "procurement.edit", procurement.agency_id)
    here = STAGE_ORDER.index(procurement.stage)
    if STAGE_ORDER.index(to) != here + 1:
        raise Refused(
            _("A procurement at %(stage)s can only move to the next stage.")
            % {"stage": procurement.get_stage_display()},
            "stage-order",
        )
    before = procurement.stage
    procurement.stage = to
    procurement.save(update_fields=["stage", "awarded_bid"])
    audit.record(
        actor=actor,
        action=f"procurement.stage.{to}",
        obj=procurement,
        agency=procurement.agency,
        changes={"stage": {"from": before, "to": to}, **(changes or {})},
    )
    return procurement


def start_market_engagement(actor, procurement: Procurement) -> Procurement:
    with transaction.atomic():
        return _move(actor, _locked(procurement), Stage.MARKET_ENGAGEMENT)


def start_evaluation(actor, procurement: Procurement) -> Procurement:
    with transaction.atomic():
        return _move(actor, _locked(procurement), Stage.EVALUATION)


def award(actor, procurement: Procurement, bid: Bid) -> Procurement:
    """Award to one bid: the gate then looks at that vendor's due diligence and claims."""
    if bid.procurement_id != procurement.pk:
        raise ValidationError({"bid": _("The bid is not part of this procurement.")})
    check_object(actor, "procurement.edit", procurement.agency_id)
    with transaction.atomic():
        _locked(procurement)
        if procurement.awarded_bid_id is not None:
            raise Refused(_("This procurement has already been awarded."), "awarded")
        procurement.awarded_bid = bid
        return _move(actor, procurement, Stage.AWARD, {"bid": bid.pk, "vendor": bid.vendor.name})


def sign_contract(actor, procurement: Procurement) -> Procurement:
    check_object(actor, "procurement.edit", procurement.agency_id)
    with transaction.atomic():
        _locked(procurement)
        missing = missing_required_clauses(procurement)
        if missing:
            raise Refused(
                _("The contract lacks the clauses its impact level requires: %(c)s.")
                % {"c": ", ".join(c.title for c in missing)},
                "required-clauses",
            )
        return _move(actor, procurement, Stage.CONTRACT)


SIGNED = (Stage.CONTRACT, Stage.POST_AWARD)


def _frozen_message() -> str:
    return _("The contract is signed: its clauses can no longer be changed.")


def start_post_award(actor, procurement: Procurement) -> Procurement:
    with transaction.atomic():
        _move(actor, _locked(procurement), Stage.POST_AWARD)
        Review.objects.create(
            procurement=procurement,
            due_on=add_months(timezone.localdate(), procurement.review_interval_months),
        )
    return procurement


MOVES = {
    Stage.MARKET_ENGAGEMENT: start_market_engagement,
    Stage.EVALUATION: start_evaluation,
    Stage.CONTRACT: sign_contract,
    Stage.POST_AWARD: start_post_award,
}


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_bid(actor, procurement: Procurement, vendor: Vendor, values: dict[str, Any]) -> Bid:
    check_object(actor, "procurement.edit", procurement.agency_id)
    if vendor.agency_id != procurement.agency_id:
        raise ValidationError({"vendor": _("Choose a vendor of this agency.")})
    if procurement.stage in (Stage.AWARD, Stage.CONTRACT, Stage.POST_AWARD):
        raise Refused(_("Bids cannot be added after the award."), "after-award")
    price = values.get("price")
    bid = Bid(
        procurement=procurement,
        vendor=vendor,
        product=_text(values, "product"),
        price=price,
        prediction_column=_text(values, "prediction_column", one_line=True),
    )
    try:
        with transaction.atomic():
            bid.save()
            audit.record(
                actor=actor,
                action="procurement.bid.add",
                obj=procurement,
                agency=procurement.agency,
                changes={
                    "bid": bid.pk,
                    "vendor": vendor.name,
                    "prediction_column": bid.prediction_column,
                },
            )
    except IntegrityError:
        raise ValidationError(
            {"vendor": _("%(v)s already has a bid in this procurement.") % {"v": vendor.name}}
        ) from None
    return bid


# --- due diligence ---------------------------------------------------------------------------


def send_due_diligence(
    actor, bid: Bid, days: int = LINK_DAYS, questionnaire_id: str | None = None
) -> tuple[DueDiligenceRequest, str]:
    """A new secret link for the vendor (any earlier link stops working); the raw token is
    returned once to be given to the vendor and never stored."""
    procurement = bid.procurement
    check_object(actor, "procurement.edit", procurement.agency_id)
    if not 1 <= int(days) <= MAX_LINK_DAYS:
        raise ValidationError(
            {"days": _("The link may last 1 to %(n)d days.") % {"n": MAX_LINK_DAYS}}
        )
    q = content.questionnaire(questionnaire_id or content.DEFAULT_QUESTIONNAIRE)
    raw = secrets.token_urlsafe(32)  # 256 bits
    expires = timezone.now() + dt.timedelta(days=int(days))
    with transaction.atomic():
        request, created = DueDiligenceRequest.objects.update_or_create(
            bid=bid,
            defaults={
                "token_digest": hash_token(raw),
                "expires_at": expires,
                "sent_by": actor,
                "sent_at": timezone.now(),
            },
            create_defaults={
                "token_digest": hash_token(raw),
                "expires_at": expires,
                "sent_by": actor,
                "questionnaire_id": q.id,
                "questionnaire_version": q.version,
            },
        )
        for question in q.questions:
            Answer.objects.get_or_create(request=request, question_id=question.id)
        audit.record(
            actor=actor,
            action="procurement.due_diligence.send"
            if created
            else "procurement.due_diligence.renew",
            obj=procurement,
            agency=procurement.agency,
            changes={"bid": bid.pk, "expires_at": expires.isoformat()},
        )
    return request, raw


def find_request(raw: str | None) -> DueDiligenceRequest | None:
    """The request a vendor's link opens, or None for a wrong or expired link (the caller
    answers both with the same 404)."""
    if not raw or len(raw) > 200:
        return None
    request = (
        DueDiligenceRequest.objects.select_related("bid__vendor", "bid__procurement__agency")
        .filter(token_digest=hash_token(raw))
        .first()
    )
    if request is None or request.expired:
        return None
    return request


def questionnaire_of(request: DueDiligenceRequest) -> content.Questionnaire:
    return content.questionnaire(request.questionnaire_id)


def vendor_answer(
    request: DueDiligenceRequest, texts: dict[str, str], files: dict[str, list] | None = None
) -> list[Answer]:
    """The vendor's answers to the questions still open to them; each answered question goes to
    the officer for review. Files are checked (size, type by content) before anything is kept."""
    from ombuds.registry.uploads import inspect

    if request.expired:
        raise Refused(_("This link has expired."), "expired")
    q = questionnaire_of(request)
    files = {k: [u for u in v if u] for k, v in (files or {}).items()}
    too_many = {
        qid: _("Attach at most %(n)d files to one answer.") % {"n": MAX_FILES_PER_QUESTION}
        for qid, ups in files.items()
        if len(ups) > MAX_FILES_PER_QUESTION
    }
    if too_many:
        raise ValidationError(too_many)
    if sum(len(v) for v in files.values()) > MAX_FILES_PER_REQUEST:
        first = next(qid for qid, ups in files.items() if ups)
        raise ValidationError(
            {
                first: _("Send at most %(n)d files at a time; send the rest afterwards.")
                % {"n": MAX_FILES_PER_REQUEST}
            }
        )
    answers = {a.question_id: a for a in request.answers.all()}
    errors: dict[str, str] = {}
    changes: list[tuple[Answer, str, list]] = []
    checked: dict[str, list[tuple[Any, str]]] = {}
    for question in q.questions:
        answer = answers.get(question.id)
        text = (texts.get(question.id) or "").strip()
        uploads = [u for u in files.get(question.id, []) if u]
        if answer is None or not answer.open_to_vendor or (not text and not uploads):
            continue
        if len(text) > MAX_TEXT:
            errors[question.id] = _("Keep the answer under %(n)d characters.") % {"n": MAX_TEXT}
            continue
        try:
            check_text({question.id: text})
            checked[question.id] = [(u, inspect(u, question.id)) for u in uploads]
        except ValidationError as exc:
            errors.update({k: "; ".join(v) for k, v in exc.message_dict.items()})
            continue
        has_files = bool(uploads) or answer.files.exists()
        if question.evidence == "required" and not has_files:
            errors[question.id] = _("This question asks for a file as evidence.")
            continue
        if not text:
            errors[question.id] = _("Write an answer as well as attaching a file.")
            continue
        changes.append((answer, text, uploads))
    if errors:
        raise ValidationError(errors)
    saved: list[Evidence] = []
    try:
        with transaction.atomic():
            # Re-read what was checked on copies loaded before: the officer may have reviewed a
            # question meanwhile (then it is no longer the vendor's to change).
            fresh = {
                a.pk: a
                for a in Answer.objects.select_for_update().filter(
                    pk__in=[a.pk for a, _t, _u in changes]
                )
            }
            closed = [a.question_id for a, _t, _u in changes if not fresh[a.pk].open_to_vendor]
            if closed:
                raise ValidationError(
                    {
                        qid: _("This question was reviewed meanwhile; reload the page.")
                        for qid in closed
                    }
                )
            for answer, text, _uploads in changes:
                answer.rounds = fresh[answer.pk].rounds
                answer.text = text
                answer.status = AnswerStatus.SUBMITTED
                answer.submitted_at = timezone.now()
                answer.rounds += 1
                answer.save()
                for upload, described in checked.get(answer.question_id, []):
                    saved.append(_keep_evidence(answer, upload, described))
            if changes:
                procurement = request.bid.procurement
                audit.record(
                    actor=None,
                    action="procurement.due_diligence.answer",
                    obj=procurement,
                    agency=procurement.agency,
                    changes={
                        "bid": request.bid_id,
                        "questions": [a.question_id for a, _t, _u in changes],
                        "files": [{"sha256": e.sha256, "size": e.size} for e in saved],
                    },
                )
    except BaseException:
        for e in saved:
            e.file.delete(save=False)
        raise
    return [a for a, _t, _u in changes]


MAX_FILES_PER_QUESTION = 5
MAX_FILES_PER_REQUEST = 20


# The extension a stored file gets, from the type its content showed: never the vendor's own
# (a file called x.html or x.svg would otherwise be stored, and could be served, as such).
def _keep_evidence(answer: Answer, upload, checked) -> Evidence:
    """Stored under the server's name for it (registry.uploads.inspect), never the sender's."""
    evidence = Evidence(
        answer=answer,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    evidence.file.save(checked.stored_name, upload, save=False)
    evidence.save()
    return evidence


REVIEW_STATUSES = (AnswerStatus.ACCEPTED, AnswerStatus.NEEDS_MORE, AnswerStatus.UNACCEPTABLE)


def review_answer(actor, answer: Answer, status: str, notes: str = "") -> Answer:
    """Accept, ask for more (the question reopens to the vendor) or find it unacceptable."""
    procurement = answer.request.bid.procurement
    check_object(actor, "procurement.edit", procurement.agency_id)
    if status not in REVIEW_STATUSES:
        raise ValidationError({"status": _("Choose accepted, needs_more or unacceptable.")})
    if answer.status == AnswerStatus.OPEN:
        raise Refused(_("The vendor has not answered this question yet."), "not-answered")
    notes = _text({"notes": notes}, "notes", limit=MAX_TEXT)
    if status != AnswerStatus.ACCEPTED and not notes:
        raise ValidationError({"notes": _("Say what is missing or wrong, for the vendor.")})
    with transaction.atomic():
        fresh = Answer.objects.select_for_update().get(pk=answer.pk)
        if fresh.status == AnswerStatus.OPEN:
            raise Refused(_("The vendor has not answered this question yet."), "not-answered")
        before = fresh.status
        answer.text, answer.rounds, answer.submitted_at = (
            fresh.text,
            fresh.rounds,
            fresh.submitted_at,
        )
        answer.status = status
        answer.review_notes = notes
        answer.reviewed_by = actor
        answer.reviewed_at = timezone.now()
        answer.save()
        audit.record(
            actor=actor,
            action="procurement.due_diligence.review",
            obj=procurement,
            agency=procurement.agency,
            changes={
                "bid": answer.request.bid_id,
                "question": answer.question_id,
                "status": {"from": before, "to": status},
            },
        )
    return answer


def due_diligence_state(bid: Bid) -> dict[str, Any]:
    """Counts by status and whether it is complete: every question accepted."""
    request = getattr(bid, "due_diligence", None) if bid.pk else None
    if request is None:
        return {"sent": False, "complete": False, "counts": {}, "unacceptable": 0, "total": 0}
    current = {q.id for q in questionnaire_of(request).questions}
    counts: dict[str, int] = {}
    # Only answers to the questions asked now count (a questionnaire may have changed since the
    # request was sent); .all() uses the answers when the caller prefetched them.
    for answer in request.answers.all():
        if answer.question_id in current:
            counts[answer.status] = counts.get(answer.status, 0) + 1
    total = len(current)
    return {
        "sent": True,
        "complete": counts.get(AnswerStatus.ACCEPTED, 0) == total,
        "counts": counts,
        "unacceptable": counts.get(AnswerStatus.UNACCEPTABLE, 0),
        "total": total,
    }


def import_card(actor, bid: Bid, kind: str, text: str, filename: str = ""):
    from .models import CardKind, VendorCard

    procurement = bid.procurement
    check_object(actor, "procurement.edit", procurement.agency_id)
    if kind not in CardKind.values:
        raise ValidationError({"kind": _("Choose model, data or system.")})
    fields, fmt = cards.parse(text, filename)
    missing = cards.missing_sections(kind, fields)
    check_text({"card": fields})
    with transaction.atomic():
        card = VendorCard.objects.create(
            bid=bid,
            kind=kind,
            source_format=fmt,
            fields=fields,
            missing=missing,
            imported_by=actor,
        )
        audit.record(
            actor=actor,
            action="procurement.card.import",
            obj=procurement,
            agency=procurement.agency,
            changes={"bid": bid.pk, "kind": kind, "format": fmt, "missing": missing},
        )
    return card


# --- claims -----------------------------------------------------------------------------------


def add_claim(actor, bid: Bid, values: dict[str, Any]) -> Claim:
    procurement = bid.procurement
    check_object(actor, "procurement.edit", procurement.agency_id)
    errors = {}
    metric = values.get("metric") or ""
    if metric not in Metric.values:
        errors["metric"] = _("Choose one of: %(m)s.") % {"m": ", ".join(Metric.values)}
    try:
        value = float(values.get("value"))
    except (TypeError, ValueError):
        value = None
    if value is None or not 0 <= value <= 1:
        errors["value"] = _("Give a proportion between 0 and 1: write 95 % as 0.95.")
    every_group = bool(values.get("every_group"))
    attribute = _text(values, "protected_attribute", limit=100)
    if every_group and not attribute:
        errors["protected_attribute"] = _(
            "Name the protected attribute (the column of the test data) across whose groups the "
            "claim should hold."
        )
    if errors:
        raise ValidationError(errors)
    claim = Claim(
        bid=bid,
        metric=metric,
        value=value,
        population=_text(values, "population", limit=300),
        conditions=_text(values, "conditions", limit=MAX_TEXT),
        material=bool(values.get("material", True)),
        every_group=every_group,
        protected_attribute=attribute,
        wording=_text(values, "wording", limit=300),
        created_by=actor,
    )
    with transaction.atomic():
        claim.save()
        audit.record(
            actor=actor,
            action="procurement.claim.add",
            obj=procurement,
            agency=procurement.agency,
            changes={
                "claim": claim.pk,
                "bid": bid.pk,
                "metric": metric,
                "value": value,
                "material": claim.material,
                "every_group": every_group,
                "protected_attribute": attribute,
            },
        )
    return claim


def max_data_bytes() -> int:
    return int(getattr(settings, "OMBUDS_PROCUREMENT_MAX_DATA_BYTES", 200 * 1024 * 1024))


def upload_dataset(actor, procurement: Procurement, upload, label_column: str) -> LocalDataset:
    """The agency's labelled test data, refused when too big, not CSV/Parquet or without the
    label column (named)."""
    from ombuds.assurance import AssuranceError, load
    from ombuds.evaluations.services import check_data_upload

    check_object(actor, "claim.verify", procurement.agency_id)
    label_column = _text({"label_column": label_column}, "label_column", required=True)
    limit = max_data_bytes()
    if upload is None:
        raise ValidationError({"file": _("Choose a CSV or Parquet file.")})
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
                % {"size": (upload.size or 0) / 1e6, "limit": limit / 1e6}
            }
        )
    check_data_upload(upload, "file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "data.csv").replace("/", "_").replace("\\", "_")[-150:]
    check_text({"file": name})
    dataset = LocalDataset(
        procurement=procurement,
        original_name=name,
        size=upload.size,
        sha256=digest.hexdigest(),
        label_column=label_column,
        uploaded_by=actor,
    )
    dataset.file.save(name, upload, save=False)
    try:
        try:
            src = load(dataset.file.path)
            columns = list(src.columns)
            rows = int(src.table.count().execute())
        except AssuranceError as exc:
            raise ValidationError({"file": str(exc)}) from None
        except Exception as exc:  # a file the engine cannot read at all
            log.info("unreadable test data: %s", exc)
            raise ValidationError({"file": _("The file could not be read as a table.")}) from None
        if label_column not in columns:
            raise ValidationError(
                {
                    "label_column": _(
                        "The data has no label column '%(c)s'; its columns are: %(cols)s."
                    )
                    % {"c": label_column, "cols": ", ".join(columns[:40])}
                }
            )
        dataset.columns, dataset.rows = columns, rows
        with transaction.atomic():
            dataset.save()
            audit.record(
                actor=actor,
                action="procurement.dataset.upload",
                obj=procurement,
                agency=procurement.agency,
                changes={
                    "dataset": dataset.pk,
                    "sha256": dataset.sha256,
                    "size": dataset.size,
                    "rows": rows,
                    "label": label_column,
                },
            )
    except BaseException:
        dataset.file.delete(save=False)
        raise
    return dataset


def combined_verdict(doc: dict, every_group: bool) -> str:
    """A claim for everyone is refuted when any group refutes it, supported only when everyone
    and every group support it; otherwise inconclusive."""
    verdicts = [doc["overall"]["verdict"]] if doc.get("overall") else []
    if every_group:
        verdicts += [g["verdict"] for g in doc.get("groups") or []]
    if not verdicts:
        return Verdict.INCONCLUSIVE
    if Verdict.REFUTED in verdicts:
        return Verdict.REFUTED
    if all(v == Verdict.SUPPORTED for v in verdicts):
        return Verdict.SUPPORTED
    return Verdict.INCONCLUSIVE


FAMILY_ALPHA = 0.05


def check_on_data(
    data: Any,
    *,
    label: str,
    metric: str,
    claimed: float,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    by: str | None = None,
    every_group: bool = False,
) -> dict:
    """The engine's check and the claim's verdict (`claim_verdict`), without storing anything.

    A claim for every group is refuted when ANY group refutes it, so with k groups there are
    k + 1 chances (the groups and everyone) of a false refutation. Each is tested at
    1 − 0.05 / (k + 1) (Bonferroni), which keeps the chance of refuting a true claim at 5 % at
    most, however many groups there are. `group_confidence` says what level was used."""
    from ombuds.assurance.claims import verify_claim as engine_check

    args = dict(
        label=label,
        metric=metric,
        claimed=claimed,
        prediction=prediction,
        score=score,
        threshold=threshold,
        by=by,
    )
    doc = engine_check(data, confidence=1 - FAMILY_ALPHA, **args)
    if every_group and by and doc.get("groups"):
        tests = len(doc["groups"]) + 1
        doc = engine_check(data, confidence=1 - FAMILY_ALPHA / tests, **args)
    doc["group_confidence"] = doc["confidence"]
    doc["claim_verdict"] = combined_verdict(doc, every_group and bool(by))
    return doc


def verify_claim(
    actor,
    claim: Claim,
    dataset: LocalDataset | None,
    *,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    by: str | None = None,
) -> Verification:
    """Run the engine's claim check on the agency's own labelled data and keep the verdict as an
    evaluation of every system the procurement buys."""
    from ombuds.assurance import AssuranceError

    procurement = claim.bid.procurement
    check_object(actor, "claim.verify", procurement.agency_id)
    if dataset is None:
        raise ValidationError(
            {
                "dataset": _(
                    "Upload the agency's labelled test data first: a claim cannot be verified without it."
                )
            }
        )
    if dataset.procurement_id != procurement.pk:
        raise ValidationError({"dataset": _("Choose test data uploaded for this procurement.")})
    systems = list(procurement.systems.all())
    if not systems:
        raise Refused(
            _(
                "Link the AI system this procurement buys first: the verdict is kept as its evidence."
            ),
            "no-system",
        )
    by = (by or "").strip() or (claim.protected_attribute if claim.every_group else "") or None
    prediction = (prediction or "").strip() or None
    score = (score or "").strip() or None
    column = prediction or score or ""
    bid = claim.bid
    errors = {}
    if claim.every_group and by != claim.protected_attribute:
        errors["by"] = _(
            "This claim should hold for every group of '%(a)s': check it by that column."
        ) % {"a": claim.protected_attribute}
    if column and column == dataset.label_column:
        errors["prediction" if prediction else "score"] = _(
            "'%(c)s' is the label column: name the column with the vendor's predictions."
        ) % {"c": column}
    elif column and by and column == by:
        errors["prediction" if prediction else "score"] = _(
            "'%(c)s' is the group column: name the column with the vendor's predictions."
        ) % {"c": column}
    if column and bid.prediction_column and column != bid.prediction_column:
        errors["prediction" if prediction else "score"] = _(
            "The bid of %(v)s records its predictions in the column '%(b)s', not '%(c)s'."
        ) % {"v": bid.vendor.name, "b": bid.prediction_column, "c": column}
    if errors:
        raise ValidationError(errors)
    try:
        doc = check_on_data(
            dataset.file.path,
            label=dataset.label_column,
            metric=claim.metric,
            claimed=claim.value,
            prediction=prediction,
            score=score,
            threshold=threshold,
            by=by,
            every_group=claim.every_group,
        )
    except AssuranceError as exc:
        raise ValidationError({"data": str(exc)}) from None
    except FileNotFoundError:
        raise ValidationError(
            {"dataset": _("The test data file is no longer on the server.")}
        ) from None
    verdict = doc["claim_verdict"]
    doc["source"] = dataset.original_name
    doc["data_fingerprint"] = "sha256:" + dataset.sha256
    doc["config"] = {
        "procurement": procurement.pk,
        "bid": claim.bid_id,
        "vendor": bid.vendor.name,
        "claim": claim.pk,
        "dataset": dataset.original_name,
        "label": dataset.label_column,
        "prediction": prediction,
        "score": score,
        "threshold": threshold,
        "by": by,
        "every_group": claim.every_group,
        "claim_verdict": verdict,
        "group_confidence": doc.pop("group_confidence"),
    }
    doc.pop("claim_verdict")
    note = _("Vendor claim #%(c)s of %(v)s (procurement %(p)s): %(verdict)s.") % {
        "c": claim.pk,
        "v": bid.vendor.name,
        "p": procurement.reference or procurement.pk,
        "verdict": verdict,
    }
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        verification = Verification.objects.create(
            claim=claim, dataset=dataset, verdict=verdict, column=column, result=doc, by=actor
        )
        verification.evaluations.set([_store_evaluation(actor, s, doc, note) for s in systems])
        claim.verdict = verdict
        fields = ["verdict"]
        cleared = claim.accepted and (claim.accepted_against or "") != verdict
        if cleared:
            # The acceptance was given against another verdict: it does not carry over.
            claim.accepted_justification, claim.accepted_by, claim.accepted_at = "", None, None
            claim.accepted_against = ""
            fields += ["accepted_justification", "accepted_by", "accepted_at", "accepted_against"]
        claim.save(update_fields=fields)
        recorded_column = False
        if column and not bid.prediction_column:
            # The first check fixes the bid's column: later checks of its claims must use it.
            recorded_column = bool(
                Bid.objects.filter(pk=bid.pk, prediction_column="").update(prediction_column=column)
            )
        audit.record(
            actor=actor,
            action="procurement.claim.verify",
            obj=procurement,
            agency=procurement.agency,
            changes={
                "claim": claim.pk,
                "verdict": verdict,
                "dataset": dataset.pk,
                "column": column,
                "verification": verification.pk,
                **({"bid_prediction_column": column} if recorded_column else {}),
            },
        )
        if cleared:
            audit.record(
                actor=actor,
                action="procurement.claim.acceptance_cleared",
                obj=procurement,
                agency=procurement.agency,
                changes={"claim": claim.pk, "verdict": verdict},
            )
    return verification


def _store_evaluation(actor, system: AISystem, doc: dict, note: str):
    """Keep the verdict as an evaluation of the system. A procurement officer may verify claims
    but not create evaluations in general, so for them the record is written here with the same
    validation and audit event as evaluations.services.record_result."""
    from ombuds import __version__
    from ombuds.evaluations import results
    from ombuds.evaluations.models import Evaluation, FingerprintOf, Source, Status
    from ombuds.evaluations.services import _summary, record_result

    if has_perm(actor, "evaluation.create", system.agency_id):
        return record_result(actor, system, doc, note=note, source=Source.WEB_RUN)
    doc = results.plain_json(doc)
    kind = results.check_result(doc)
    evaluation = Evaluation.objects.create(
        system=system,
        kind=kind,
        schema=doc["schema"],
        result=doc,
        config=doc.get("config") or {},
        characteristics=results.characteristics_for(doc, None),
        data_fingerprint=results.engine_fingerprint(doc) or results.canonical_sha256(doc),
        fingerprint_of=FingerprintOf.ENGINE,
        engine_version=__version__,
        source=Source.WEB_RUN,
        status=Status.DONE,
        flagged=results.needs_response(doc),
        note=note,
        created_by=actor,
        finished_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="evaluation.add",
        obj=system,
        agency=system.agency,
        changes=_summary(evaluation),
    )
    return evaluation


def accept_claim(actor, claim: Claim, justification: str) -> Claim:
    """Accept a claim that is not (or not yet) supported on local data, with a reason: the gate
    then counts it as settled. Audited, with the verdict it was accepted against."""
    procurement = claim.bid.procurement
    check_object(actor, "procurement.edit", procurement.agency_id)
    justification = _text({"justification": justification}, "justification", limit=MAX_TEXT)
    if len(justification) < MIN_JUSTIFICATION:
        raise ValidationError(
            {
                "justification": _("Give a justification of at least %(n)d characters.")
                % {"n": MIN_JUSTIFICATION}
            }
        )
    with transaction.atomic():
        # The verdict as it is now (a verification may have landed since `claim` was loaded):
        # the acceptance holds only while the claim keeps this verdict.
        claim.verdict = Claim.objects.select_for_update().get(pk=claim.pk).verdict
        if claim.verdict == Verdict.SUPPORTED:
            raise Refused(
                _("The claim is supported on local data: nothing to accept."), "supported"
            )
        claim.accepted_justification = justification
        claim.accepted_by = actor
        claim.accepted_at = timezone.now()
        claim.accepted_against = claim.verdict or ""
        claim.save(
            update_fields=[
                "accepted_justification",
                "accepted_by",
                "accepted_at",
                "accepted_against",
            ]
        )
        audit.record(
            actor=actor,
            action="procurement.claim.accept",
            obj=procurement,
            agency=procurement.agency,
            changes={
                "claim": claim.pk,
                "verdict": claim.verdict or "unverified",
                "justification": justification,
            },
        )
    return claim


def bids_with_state(procurement: Procurement):
    """The procurement's bids with what the pages show of each loaded in a fixed number of
    queries: vendor, due-diligence request and answers, claims with their verifications."""
    from django.db.models import Count, Prefetch

    return (
        procurement.bids.select_related("vendor", "due_diligence")
        .annotate(claim_count=Count("claims", distinct=True))
        .prefetch_related(
            "due_diligence__answers",
            Prefetch(
                "claims",
                queryset=Claim.objects.select_related("bid__vendor").prefetch_related(
                    Prefetch(
                        "verifications",
                        queryset=Verification.objects.select_related("dataset"),
                    )
                ),
            ),
        )
    )


def comparison(procurement: Procurement) -> list[dict[str, Any]]:
    """Per bid: each claim beside what the agency measured, overall and per group, with the data
    and the column it was measured on."""
    out = []
    for bid in bids_with_state(procurement):
        rows = []
        for claim in bid.claims.all():
            found = list(claim.verifications.all())  # prefetched, newest first
            latest = found[0] if found else None
            doc = latest.result if latest else {}
            overall = doc.get("overall") or None
            config = doc.get("config") or {}
            rows.append(
                {
                    "claim": claim,
                    "verification": latest,
                    "overall": overall,
                    "groups": doc.get("groups") or [],
                    "by": config.get("by"),
                    "dataset": latest.dataset.original_name if latest else None,
                    "column": (latest.column or config.get("prediction") or config.get("score"))
                    if latest
                    else None,
                    "confidence": doc.get("confidence"),
                }
            )
        out.append(
            {
                "bid": bid,
                "claims": rows,
                "due_diligence": due_diligence_state(bid),
                "awarded": procurement.awarded_bid_id == bid.pk,
            }
        )
    return out


# --- contract clauses -------------------------------------------------------------------------


def effective_level(system: AISystem) -> int:
    """The level the gate assumes: the approved one, or IV while high impact is undecided."""
    if system.impact_level:
        return system.impact_level
    return 4 if system.is_high_impact is not False else 1


def procurement_level(procurement: Procurement) -> int | None:
    levels = [effective_level(s) for s in procurement.systems.all()]
    return max(levels) if levels else None


def required_clauses(procurement: Procurement) -> list[content.Clause]:
    level = procurement_level(procurement)
    return content.required_clauses(level) if level else []


def missing_required_clauses(procurement: Procurement) -> list[content.Clause]:
    chosen = set(procurement.clauses.values_list("clause_id", flat=True))
    return [c for c in required_clauses(procurement) if c.id not in chosen]


def select_clauses(
    actor, procurement: Procurement, selected: list[str], values: dict[str, dict[str, Any]]
) -> list[ClauseSelection]:
    """Choose the clauses and fill their parameters (each checked by its type). Clauses the
    system's impact level requires cannot be dropped."""
    check_object(actor, "procurement.edit", procurement.agency_id)
    if procurement.stage in SIGNED:
        raise Refused(_frozen_message(), "clauses-frozen")
    library = content.clauses()
    unknown = [c for c in selected if c not in library]
    if unknown:
        raise ValidationError(
            {"clauses": _("Unknown clause(s): %(c)s.") % {"c": ", ".join(unknown)}}
        )
    dropped = [c for c in required_clauses(procurement) if c.id not in selected]
    if dropped:
        raise ValidationError(
            {
                "clauses": _(
                    "The system's impact level requires these clauses; they cannot be dropped: "
                    "%(c)s."
                )
                % {"c": ", ".join(f"{c.title} ({c.id})" for c in dropped)}
            }
        )
    errors: dict[str, str] = {}
    cleaned: dict[str, dict[str, Any]] = {}
    for cid in selected:
        clause = library[cid]
        given = values.get(cid) or {}
        cleaned[cid] = {}
        for param in clause.parameters:
            try:
                cleaned[cid][param.name] = param.clean(given.get(param.name))
            except ValueError as exc:
                errors[f"{cid}.{param.name}"] = f"{param.label}: {exc}"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if _locked(procurement).stage in SIGNED:
            raise Refused(_frozen_message(), "clauses-frozen")
        procurement.clauses.exclude(clause_id__in=selected).delete()
        out = []
        for cid in selected:
            clause = library[cid]
            sel, _created = ClauseSelection.objects.update_or_create(
                procurement=procurement,
                clause_id=cid,
                defaults={"clause_version": clause.version, "values": cleaned[cid]},
            )
            out.append(sel)
        audit.record(
            actor=actor,
            action="procurement.clauses",
            obj=procurement,
            agency=procurement.agency,
            changes={"clauses": cleaned},
        )
    return out


def clause_pack(procurement: Procurement) -> list[dict[str, Any]]:
    library = content.clauses()
    required = {c.id for c in required_clauses(procurement)}
    pack = []
    for sel in procurement.clauses.all():
        clause = library.get(sel.clause_id)
        if clause is None:
            continue
        pack.append(
            {
                "clause": clause,
                "selection": sel,
                "text": clause.render(sel.values),
                "required": clause.id in required,
            }
        )
    return pack


MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


def md_escape(value: Any) -> str:
    """A value as literal Markdown text: every Markdown-significant character backslash-escaped
    (which also defuses HTML tags and comments), line breaks flattened."""
    text = " ".join(str(value).splitlines())
    return MD_SPECIAL.sub(r"\\\1", text)


def pack_markdown(procurement: Procurement) -> str:
    level = procurement_level(procurement)
    lines = [
        f"# {_('Contract clauses')}: {md_escape(procurement.title)}",
        "",
        f"{_('Reference')}: {md_escape(procurement.reference or procurement.pk)}  ",
        f"{_('Agency')}: {md_escape(procurement.agency.name)}  ",
        f"{_('Impact level')}: {_roman(level) if level else _('not determined')}  ",
        f"{_('Generated')}: {timezone.localdate().isoformat()}",
        "",
    ]
    for n, item in enumerate(clause_pack(procurement), 1):
        clause = item["clause"]
        values = {k: md_escape(content.show(v)) for k, v in item["selection"].values.items()}
        lines += [f"## {n}. {clause.title}", "", clause.render(values), ""]
        lines.append(f"<!-- {clause.id} v{clause.version} -->")
        lines.append("")
    return "\n".join(lines)


def _roman(level: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(level, str(level))


# --- post-award reviews -----------------------------------------------------------------------


def record_review(
    actor, review: Review, checks: dict[str, Any], outcome: str, notes: str
) -> Review:
    procurement = review.procurement
    check_object(actor, "procurement.edit", procurement.agency_id)
    if review.done_on is not None:
        raise Refused(_("This review is already recorded."), "review-done")
    if outcome not in Outcome.values:
        raise ValidationError(
            {"outcome": _("Choose one of: %(o)s.") % {"o": ", ".join(Outcome.values)}}
        )
    notes = _text({"notes": notes}, "notes", limit=MAX_TEXT)
    if outcome != Outcome.SATISFACTORY and not notes:
        raise ValidationError({"notes": _("Say what was found and what was agreed.")})
    done = {k: bool(checks.get(k)) for k in REVIEW_CHECKS}
    with transaction.atomic():
        # Another request may have recorded this review since `review` was loaded: re-read it
        # under a lock so that only one records it and schedules the next.
        if Review.objects.select_for_update().get(pk=review.pk).done_on is not None:
            raise Refused(_("This review is already recorded."), "review-done")
        review.checks = done
        review.outcome = outcome
        review.notes = notes
        review.reviewed_by = actor
        review.done_on = timezone.localdate()
        review.save()
        following = Review.objects.create(
            procurement=procurement,
            due_on=add_months(review.done_on, procurement.review_interval_months),
        )
        audit.record(
            actor=actor,
            action="procurement.review.record",
            obj=procurement,
            agency=procurement.agency,
            changes={
                "review": review.pk,
                "checks": done,
                "outcome": outcome,
                "next_due": following.due_on.isoformat(),
            },
        )
    return review


def overdue_reviews(today: dt.date | None = None):
    today = today or timezone.localdate()
    return Review.objects.filter(done_on__isnull=True, due_on__lt=today).select_related(
        "procurement__agency"
    )


def alert_overdue_reviews(today: dt.date | None = None) -> int:
    """Tell the system owners and governance leads of the agency, once per overdue review."""
    from ombuds.core.models import Membership

    sent = 0
    for review in overdue_reviews(today).filter(alerted_at__isnull=True):
        procurement = review.procurement
        recipients = sorted(
            set(
                Membership.objects.filter(
                    agency=procurement.agency, role__in=("system_owner", "governance_lead")
                )
                .exclude(user__email="")
                .filter(user__is_active=True)
                .values_list("user__email", flat=True)
            )
        )
        if recipients:
            systems = ", ".join(s.name for s in procurement.systems.all())
            try:
                send_mail(
                    _("Vendor review overdue: %(t)s") % {"t": procurement.title},
                    _(
                        "The post-award review of the vendor for '%(t)s' (systems: %(s)s) was due "
                        "on %(d)s and has not been recorded. Review the vendor against the "
                        "contract: due diligence, claims on current data, monitoring results and "
                        "incidents."
                    )
                    % {"t": procurement.title, "s": systems or "—", "d": review.due_on.isoformat()},
                    None,
                    recipients,
                )
            except Exception as exc:  # the mail server is down: try again on the next run
                log.warning("overdue review %s: alert not sent: %s", review.pk, exc)
                continue
        # Marked only once the alert went out, so a failed send is retried next time.
        with transaction.atomic():
            marked = Review.objects.filter(pk=review.pk, alerted_at__isnull=True).update(
                alerted_at=timezone.now()
            )
            if not marked:
                continue
            audit.record(
                actor=None,
                action="procurement.review.overdue",
                obj=procurement,
                agency=procurement.agency,
                changes={
                    "review": review.pk,
                    "due_on": review.due_on.isoformat(),
                    "recipients": len(recipients),
                },
            )
        if recipients:
            sent += 1
    return sent


def scheduled_run() -> None:
    alert_overdue_reviews()
