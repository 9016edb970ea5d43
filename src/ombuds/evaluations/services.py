"""Keeping evaluations as evidence: permission, validation, the change and its audit event together.

Three ways in — a result pushed through the API, a result file uploaded on the web, an audit run
in the background on an uploaded decision log — and one record for all of them. The decision log
itself is kept only while its run lasts: Ombuds stores the aggregated result and a fingerprint.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds import __version__
from ombuds.core import audit
from ombuds.core.permissions import check_object
from ombuds.core.validation import check_text
from ombuds.registry.models import AISystem

from . import results
from .models import (
    PEER_REVIEW_SCHEMA,
    Evaluation,
    FingerprintOf,
    Kind,
    Source,
    Status,
)

log = logging.getLogger("ombuds.evaluations")

AUDIT_SCHEMA = "ombuds.audit/1"
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".parq")
MAX_NOTE = 5000
INTERVENTIONS = ("punitive", "assistive")


def max_upload_bytes() -> int:
    """The largest decision log the web app takes for a run (OMBUDS_EVALUATION_MAX_UPLOAD_MB)."""
    mb = getattr(settings, "OMBUDS_EVALUATION_MAX_UPLOAD_MB", None)
    if mb is None:
        mb = os.environ.get("OMBUDS_EVALUATION_MAX_UPLOAD_MB") or 200
    return int(mb) * 1024 * 1024


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {"note": _("Keep the note under %(n)d characters.") % {"n": MAX_NOTE}}
        )
    check_text({"note": note})
    return note


def _summary(evaluation: Evaluation) -> dict[str, Any]:
    """What the audit log keeps about an evaluation: references and facts, never the data."""
    return {
        "evaluation": evaluation.pk,
        "kind": evaluation.kind,
        "schema": evaluation.schema,
        "source": evaluation.source,
        "status": evaluation.status,
        "covers": evaluation.covers,
        "flagged": evaluation.flagged,
        "data_fingerprint": evaluation.data_fingerprint,
    }


def record_result(
    actor,
    system: AISystem,
    result: Any,
    *,
    characteristics: dict[str, Any] | None = None,
    note: str | None = "",
    source: str = Source.API,
) -> Evaluation:
    """Keep an engine result (from `ombuds audit`, a pipeline, an uploaded file) as evidence."""
    check_object(actor, "evaluation.create", system.agency_id)
    result = results.plain_json(result)
    kind = results.check_result(result)
    if characteristics is not None and not isinstance(characteristics, dict):
        raise ValidationError({"characteristics": _("Map each protected column to a code.")})
    mapping = results.characteristics_for(result, characteristics)
    note = _clean_note(note)
    check_text({"result": result})
    given = results.engine_fingerprint(result)
    config = result.get("config")
    evaluation = Evaluation(
        system=system,
        kind=kind,
        schema=result["schema"],
        result=result,
        config=config if isinstance(config, dict) else {},
        characteristics=mapping,
        data_fingerprint=given or results.canonical_sha256(result),
        fingerprint_of=FingerprintOf.ENGINE if given else FingerprintOf.RESULT,
        engine_version=results.engine_version(result) or __version__,
        source=source,
        status=Status.DONE,
        flagged=results.needs_response(result),
        note=note,
        created_by=actor,
        finished_at=timezone.now(),
    )
    with transaction.atomic():
        evaluation.save()
        audit.record(
            actor=actor,
            action="evaluation.add",
            obj=system,
            agency=system.agency,
            changes=_summary(evaluation),
        )
    return evaluation


# --- audits run in the web app ------------------------------------------------------------------


def _safe_name(name: str) -> str:
    base = os.path.basename((name or "data").replace("\\", "/"))
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "data"
    return base[-100:]


def check_data_upload(upload, field: str = "file") -> str:
    """Refuse a decision log that is too big, empty, or not CSV/Parquet; return its suffix."""
    limit = max_upload_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                field: _("The file is %(size).1f MB; the limit is %(limit)d MB.")
                % {"size": (upload.size or 0) / 1e6, "limit": limit // (1024 * 1024)}
            }
        )
    if upload.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    name = (upload.name or "").lower()
    suffix = next((s for s in DATA_SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        raise ValidationError(
            {field: _("Give a CSV or Parquet file (.csv, .tsv, .parquet or .pq).")}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if suffix in (".parquet", ".pq", ".parq"):
        if not head.startswith(b"PAR1"):
            raise ValidationError({field: _("The file is named .parquet but is not Parquet.")})
        return suffix
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise ValidationError(
            {field: _("The file is named %(suffix)s but is not UTF-8 text.") % {"suffix": suffix}}
        )
    return suffix


def _clean_run_options(options: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}

    def text(key: str) -> str | None:
        value = options.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            errors[key] = _("Give a column name.")
            return None
        return value.strip() or None

    label, prediction, score = text("label"), text("prediction"), text("score")
    positive = text("positive")
    if not label:
        errors["label"] = _("Name the column holding the true outcome.")
    if prediction and score:
        errors["score"] = _("Give either a prediction column or a score column, not both.")
    elif not prediction and not score:
        errors["prediction"] = _(
            "Name the column holding the system's decision, or give a score column and a threshold."
        )
    threshold = options.get("threshold")
    if score and threshold is None:
        errors["threshold"] = _("A score needs a threshold: a row is positive when score ≥ it.")
    if threshold is not None and not isinstance(threshold, int | float):
        errors["threshold"] = _("Give a number.")
    protected = options.get("protected") or []
    if isinstance(protected, str):
        protected = [protected]
    protected = [p.strip() for p in protected if isinstance(p, str) and p.strip()]
    if not protected:
        errors["protected"] = _("Name at least one protected column.")
    elif len(set(protected)) != len(protected):
        errors["protected"] = _("A protected column is named twice.")
    elif len(protected) > results.MAX_COLUMNS:
        errors["protected"] = _("Name at most %(n)d protected columns.") % {
            "n": results.MAX_COLUMNS
        }
    reference = options.get("reference") or {}
    if not isinstance(reference, dict):
        errors["reference"] = _("Give column=group pairs.")
        reference = {}
    for column in reference:
        if column not in protected:
            errors["reference"] = _("'%(column)s' is not one of the protected columns.") % {
                "column": column
            }
    min_group_size = options.get("min_group_size", 30)
    if not isinstance(min_group_size, int) or not 1 <= min_group_size <= 1_000_000:
        errors["min_group_size"] = _("Give a whole number of at least 1.")
    intervention = options.get("intervention") or None
    if intervention not in (None, *INTERVENTIONS):
        errors["intervention"] = _("Choose punitive or assistive, or leave it unset.")
    if errors:
        raise ValidationError(errors)
    clean = {
        "label": label,
        "prediction": prediction,
        "score": score,
        "threshold": float(threshold) if score else None,
        "positive": positive,
        "protected": protected,
        "reference": {str(k): str(v) for k, v in reference.items()},
        "min_group_size": min_group_size,
        "intervention": intervention,
    }
    check_text(clean)
    return clean


def start_audit_run(
    actor,
    system: AISystem,
    upload,
    options: dict[str, Any],
    *,
    characteristics: dict[str, Any] | None = None,
    note: str | None = "",
) -> Evaluation:
    """Store an uploaded decision log and queue a bias audit of it for `ombuds worker`."""
    check_object(actor, "evaluation.create", system.agency_id)
    errors: dict[str, Any] = {}
    suffix = None
    try:
        suffix = check_data_upload(upload)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        config = _clean_run_options(options)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        config = None
    if config is not None:
        try:
            mapping = results.characteristics_for(
                {"schema": AUDIT_SCHEMA, "config": {"protected": config["protected"]}},
                characteristics,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        note = _clean_note(note)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert config is not None and suffix is not None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = _safe_name(upload.name)
    if not name.lower().endswith(suffix):
        name += suffix
    evaluation = Evaluation(
        system=system,
        kind=Kind.BIAS_AUDIT,
        schema=AUDIT_SCHEMA,
        config=config,
        characteristics=mapping,
        data_fingerprint="sha256:" + digest.hexdigest(),
        fingerprint_of=FingerprintOf.FILE,
        engine_version=__version__,
        source=Source.WEB_RUN,
        status=Status.QUEUED,
        progress=_("Waiting for a worker to start the audit."),
        note=note,
        data_name=(upload.name or name)[-200:],
        data_size=upload.size,
        created_by=actor,
    )
    evaluation.data_file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            evaluation.save()
            audit.record(
                actor=actor,
                action="evaluation.run",
                obj=system,
                agency=system.agency,
                changes={
                    **_summary(evaluation),
                    "file": {"name": evaluation.data_name, "size": evaluation.data_size},
                },
            )
            transaction.on_commit(lambda: _enqueue(evaluation.pk))
    except BaseException:
        evaluation.data_file.delete(save=False)  # no file without its record
        raise
    return evaluation


def _enqueue(evaluation_id: int) -> None:
    from .tasks import run_audit

    run_audit.enqueue(evaluation_id)


@contextmanager
def _local_path(evaluation: Evaluation):
    """A path the engine can read: the stored file itself, or a temporary copy from a remote
    storage. The suffix tells the engine the format."""
    try:
        path = evaluation.data_file.path
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    suffix = os.path.splitext(evaluation.data_file.name)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        with evaluation.data_file.open("rb") as src:
            shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield tmp.name


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:1000]


def process_run(evaluation_id: int) -> str:
    """Run a queued audit (called by the worker). Bad data ends in a failed status with the
    engine's one-line message; the decision log is deleted whatever happens."""
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.select_for_update()
            .select_related("system")
            .filter(pk=evaluation_id)
            .first()
        )
        if evaluation is None or evaluation.status != Status.QUEUED:
            return "skipped"
        evaluation.status = Status.RUNNING
        evaluation.started_at = timezone.now()
        evaluation.progress = _(
            "Reading %(name)s and counting outcomes per group (one pass over the data)."
        ) % {"name": evaluation.data_name}
        evaluation.save(update_fields=["status", "started_at", "progress"])
    try:
        doc = _run_engine(evaluation)
    except Exception as exc:
        from ombuds.assurance.errors import AssuranceError

        if isinstance(exc, AssuranceError):
            message = _one_line(exc)
        else:
            log.exception("audit run of evaluation %s failed", evaluation_id)
            message = _(
                "The audit stopped on an unexpected error (%(type)s: %(first)s); it has been logged."
            ) % {"type": type(exc).__name__, "first": _one_line(exc)[:300]}
        _finish(evaluation, Status.FAILED, error=message)
        return "failed"
    finally:
        _drop_data(evaluation)
    _finish(evaluation, Status.DONE, doc=doc)
    return "done"


def _run_engine(evaluation: Evaluation) -> dict:
    from ombuds.assurance import audit as run
    from ombuds.assurance.report import to_json

    options = evaluation.config
    with _local_path(evaluation) as path:
        doc = run(
            path,
            label=options["label"],
            prediction=options.get("prediction"),
            score=options.get("score"),
            threshold=options.get("threshold"),
            positive=options.get("positive"),
            protected=options["protected"],
            reference=options.get("reference") or {},
            min_group_size=options.get("min_group_size", 30),
            intervention=options.get("intervention"),
        )
    # The stored form is the engine's JSON: plain numbers, no NaN.
    doc = json.loads(to_json(doc))
    # The data were uploaded under a temporary name; say which file the result is about.
    doc["source"] = f"{evaluation.data_name} (uploaded to Ombuds)"
    return doc


def _drop_data(evaluation: Evaluation) -> None:
    if evaluation.data_file:
        try:
            evaluation.data_file.delete(save=False)
        except OSError:
            log.warning("could not delete the data of evaluation %s", evaluation.pk)
        Evaluation.objects.filter(pk=evaluation.pk).update(data_file="")


def _finish(evaluation: Evaluation, status: str, *, doc: dict | None = None, error: str = ""):
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.select_for_update().select_related("system").get(pk=evaluation.pk)
        )
        evaluation.status = status
        evaluation.finished_at = timezone.now()
        evaluation.progress = ""
        evaluation.error = error
        fields = ["status", "finished_at", "progress", "error"]
        if doc is not None:
            evaluation.result = doc
            evaluation.config = doc.get("config") or evaluation.config
            evaluation.engine_version = results.engine_version(doc) or __version__
            evaluation.flagged = results.needs_response(doc)
            fields += ["result", "config", "engine_version", "flagged"]
        evaluation.save(update_fields=fields)
        changes = _summary(evaluation)
        if error:
            changes["error"] = error
        audit.record(
            actor=None,
            action=f"evaluation.run_{status}",
            obj=evaluation.system,
            agency=evaluation.system.agency,
            changes=changes,
        )


# --- what people add to an evaluation -----------------------------------------------------------


def set_characteristics(actor, evaluation: Evaluation, given: dict[str, Any]) -> Evaluation:
    """Say which characteristic each protected column holds, where the guess from its name was
    wrong or missing."""
    check_object(actor, "evaluation.create", evaluation.system.agency_id)
    doc = evaluation.result
    if not results.protected_columns(doc):
        doc = {"schema": evaluation.schema, "config": evaluation.config}
    mapping = results.characteristics_for(doc, given)
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        changes = audit.diff(
            {"characteristics": evaluation.characteristics}, {"characteristics": mapping}
        )
        if changes:
            evaluation.characteristics = mapping
            evaluation.save(update_fields=["characteristics"])
            audit.record(
                actor=actor,
                action="evaluation.characteristics",
                obj=evaluation.system,
                agency=evaluation.system.agency,
                changes={"evaluation": evaluation.pk, **changes},
            )
    return evaluation


def respond_to_findings(actor, evaluation: Evaluation, response: str) -> Evaluation:
    """Record what was done about an evaluation's findings ("findings addressed")."""
    check_object(actor, "evaluation.respond", evaluation.system.agency_id)
    response = (response or "").strip()
    if evaluation.status != Status.DONE:
        raise ValidationError(
            {"findings_response": _("The evaluation has no findings yet: it is not done.")}
        )
    if len(response) < 20:
        raise ValidationError(
            {
                "findings_response": _(
                    "Say what was done about the findings (at least 20 characters)."
                )
            }
        )
    if len(response) > 20000:
        raise ValidationError({"findings_response": _("Keep it under 20,000 characters.")})
    check_text({"findings_response": response})
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.select_for_update().select_related("system").get(pk=evaluation.pk)
        )
        before = evaluation.findings_response
        evaluation.findings_response = response
        evaluation.responded_by = actor
        evaluation.responded_at = timezone.now()
        evaluation.save(update_fields=["findings_response", "responded_by", "responded_at"])
        audit.record(
            actor=actor,
            action="evaluation.respond",
            obj=evaluation.system,
            agency=evaluation.system.agency,
            changes={
                "evaluation": evaluation.pk,
                "findings_response": {"from": before or None, "to": response},
            },
        )
    return evaluation


def add_peer_review(
    actor,
    system: AISystem,
    *,
    reviewer_name: str,
    organisation: str,
    conclusion: str,
    reviewed_on: dt.date | None,
    independent: bool,
    note: str | None = "",
) -> Evaluation:
    """A qualified reviewer outside the team reviewed the system: who, from where, what they
    concluded, and when."""
    check_object(actor, "evaluation.respond", system.agency_id)
    reviewer_name = (reviewer_name or "").strip()
    organisation = (organisation or "").strip()
    conclusion = (conclusion or "").strip()
    errors = {}
    if not reviewer_name:
        errors["reviewer_name"] = _("Name the reviewer.")
    elif len(reviewer_name) > 200:
        errors["reviewer_name"] = _("Keep it under 200 characters.")
    if not organisation:
        errors["reviewer_organisation"] = _("Name the reviewer's organisation.")
    elif len(organisation) > 200:
        errors["reviewer_organisation"] = _("Keep it under 200 characters.")
    if len(conclusion) < 20:
        errors["conclusion"] = _("Write the reviewer's conclusion (at least 20 characters).")
    if not isinstance(reviewed_on, dt.date):
        errors["reviewed_on"] = _("Give the date of the review.")
    elif reviewed_on > timezone.localdate():
        errors["reviewed_on"] = _("The review cannot be dated in the future.")
    if not independent:
        errors["independent"] = _(
            "A peer review counts only when the reviewer is outside the team that built or "
            "runs the system."
        )
    try:
        note = _clean_note(note)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert isinstance(reviewed_on, dt.date)
    check_text(
        {
            "reviewer_name": reviewer_name,
            "reviewer_organisation": organisation,
            "conclusion": conclusion,
        }
    )
    result = {
        "schema": PEER_REVIEW_SCHEMA,
        "reviewer": reviewer_name,
        "organisation": organisation,
        "conclusion": conclusion,
        "reviewed_on": reviewed_on.isoformat(),
        "independent": True,
    }
    evaluation = Evaluation(
        system=system,
        kind=Kind.PEER_REVIEW,
        schema=PEER_REVIEW_SCHEMA,
        result=result,
        data_fingerprint=results.canonical_sha256(result),
        fingerprint_of=FingerprintOf.RESULT,
        engine_version=__version__,
        source=Source.FORM,
        status=Status.DONE,
        note=note,
        created_by=actor,
        finished_at=timezone.now(),
        reviewer_name=reviewer_name,
        reviewer_organisation=organisation,
        conclusion=conclusion,
        reviewed_on=reviewed_on,
    )
    with transaction.atomic():
        evaluation.save()
        audit.record(
            actor=actor,
            action="evaluation.peer_review",
            obj=system,
            agency=system.agency,
            changes={
                **_summary(evaluation),
                "reviewer": reviewer_name,
                "organisation": organisation,
                "reviewed_on": reviewed_on.isoformat(),
            },
        )
    return evaluation
