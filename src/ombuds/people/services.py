"""Training, certificates, operators and oversight designs: permission, validation, change and
audit together, one function per change."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import random
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.core import audit
from ombuds.core.permissions import check_object
from ombuds.core.validation import check_text

from . import modules as content
from . import rules
from .models import (
    AgencyModule,
    Assignment,
    Attempt,
    Certificate,
    Duty,
    Mode,
    OversightDesign,
    ReminderSent,
    Source,
)

log = logging.getLogger("ombuds.people")
MAX_IMPORT_ROWS = 5000


def _record(actor, action, obj, agency, changes):
    audit.record(actor=actor, action=action, obj=obj, agency=agency, changes=changes)


def _module(agency, module_id: str) -> rules.Found:
    found = rules.find(agency.pk, module_id)
    if found is None:
        from django.http import Http404

        raise Http404
    return found


# --- taking a module in the app ---------------------------------------------------------


class AttemptRefused(Exception):
    """An attempt that cannot be submitted (replayed, someone else's, for an old version)."""


MAX_FAILED_PER_DAY = 3


def _day_start() -> dt.datetime:
    """Midnight of today in the agency's time zone: failed attempts are counted per day."""
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def failed_today(user, agency, module_id: str) -> int:
    return Attempt.objects.filter(
        user=user,
        agency=agency,
        module=module_id,
        passed=False,
        submitted_at__gte=_day_start(),
    ).count()


def _locked(user, agency, module_id: str) -> None:
    if failed_today(user, agency, module_id) >= MAX_FAILED_PER_DAY:
        raise AttemptRefused(
            _(
                "You did not pass this check %(n)d times today. Read the material again and "
                "take the check tomorrow."
            )
            % {"n": MAX_FAILED_PER_DAY}
        )


def _shuffled(module: content.Module) -> dict[str, list[str]]:
    rng = random.SystemRandom()
    order = {}
    for q in module.questions:
        ids = [c.id for c in q.choices]
        rng.shuffle(ids)
        order[q.id] = ids
    return order


def open_attempt(user, agency, module_id: str) -> Attempt:
    """Start a try at the knowledge check, or go on with the one already open (showing the
    page again does not start another). The form carries the attempt's one-time token; the
    choices come in an order drawn for this attempt. After three failed attempts in a day the
    next waits until tomorrow."""
    check_object(user, "training.take", agency.pk)
    found = _module(agency, module_id)
    module = found.module
    _locked(user, agency, found.id)
    current = (
        Attempt.objects.filter(
            user=user,
            agency=agency,
            module=found.id,
            module_version=module.version,
            submitted_at__isnull=True,
        )
        .order_by("-started_at", "-id")
        .first()
    )
    if current is not None and _order_fits(current.order, module):
        return current
    return Attempt.objects.create(
        user=user,
        agency=agency,
        module=found.id,
        module_version=module.version,
        token=secrets.token_urlsafe(32),
        order=_shuffled(module),
    )


def _order_fits(order: dict, module: content.Module) -> bool:
    return all(
        sorted(order.get(q.id) or []) == sorted(c.id for c in q.choices) for q in module.questions
    )


def attempt_order(user, token: str, module: content.Module) -> dict[str, list[str]]:
    """The order of the choices of this person's attempt (to show its form again after a
    problem); empty when the token is not theirs."""
    attempt = Attempt.objects.filter(token=str(token or ""), user=user).first()
    if attempt is None or not _order_fits(attempt.order, module):
        return {}
    return attempt.order


def submit_attempt(user, agency, module_id: str, token: str, answers: dict[str, str]) -> Attempt:
    """Mark an attempt. Every question must be answered with one of its choices (else nothing
    is recorded and the unanswered questions are named); an attempt is submitted once, so an
    old form sent again is refused. A pass at the module's mark gives a certificate."""
    check_object(user, "training.take", agency.pk)
    found = _module(agency, module_id)
    module = found.module
    unanswered = module.unanswered(answers)
    if unanswered:
        raise ValidationError(
            {q.id: _("Answer this question: %(text)s") % {"text": q.text} for q in unanswered}
        )
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .filter(token=str(token or ""), user=user, agency=agency, module=found.id)
            .first()
        )
        if attempt is None:
            raise AttemptRefused(_("This form does not belong to an attempt you started."))
        if attempt.submitted_at is not None:
            raise AttemptRefused(
                _("This attempt was already submitted; start the check again for a new attempt.")
            )
        if attempt.module_version != module.version:
            raise AttemptRefused(_("The module changed since you started; start the check again."))
        _locked(user, agency, found.id)
        attempt.answers = {q.id: answers[q.id] for q in module.questions}
        attempt.score = module.score(attempt.answers)
        attempt.passed = attempt.score >= module.pass_mark
        attempt.submitted_at = timezone.now()
        attempt.save()
        changes: dict[str, Any] = {
            "module": found.id,
            "version": module.version,
            "score": attempt.score,
            "passed": attempt.passed,
        }
        if attempt.passed:
            today = timezone.localdate()
            cert = Certificate.objects.create(
                user=user,
                module=found.id,
                module_version=module.version,
                completed_on=today,
                # As issued; status always judges by the module as it is now.
                expires_on=rules.expiry(today, module.validity_months),
                score=attempt.score,
                source=Source.APP,
                attempt=attempt,
                recorded_by=user,
            )
            changes["certificate"] = cert.pk
            changes["expires_on"] = cert.expires_on.isoformat() if cert.expires_on else None
        _record(user, "training.attempt", attempt, agency, changes)
    return attempt


# --- importing completions --------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRejected(Exception):
    """Rows that cannot be imported; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors

    def as_validation_error(self) -> ValidationError:
        out: dict[str, list[str]] = {}
        for e in self.errors:
            out.setdefault(f"rows[{e.row}].{e.column}", []).append(e.message)
        return ValidationError(out)


COLUMNS = ["username", "email", "module", "version", "completed_on", "score"]
LINE = "__line__"  # the row's line in the file, kept beside its columns


def read_csv(data: bytes) -> list[dict[str, str]]:
    """Rows of a completions CSV (header: username or email, module, completed_on, score)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([RowError(0, "file", _("The file is not UTF-8 text."))]) from None
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    problems = []
    if "module" not in header:
        problems.append(RowError(1, "module", _("The header must have a module column.")))
    if "completed_on" not in header:
        problems.append(
            RowError(1, "completed_on", _("The header must have a completed_on column."))
        )
    if "username" not in header and "email" not in header:
        problems.append(
            RowError(1, "username", _("The header must have a username or an email column."))
        )
    if problems:
        raise ImportRejected(problems)
    rows = []
    for raw in reader:
        row = {
            (k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else ""
            for k, v in raw.items()
        }
        # The line the row ends on (a quoted value may span lines): what a spreadsheet shows.
        row[LINE] = reader.line_num
        rows.append(row)
    return rows


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def import_completions(
    actor, agency, rows: list[dict[str, Any]], *, first_row: int = 2, today=None
) -> list[Certificate]:
    """Certificates from an external learning system's completions, all or nothing: every row
    is checked (known person of this agency, known module, a real date not in the future and
    not before the module could be taken, a score 0–100 reaching the pass mark) and one bad
    row rejects the lot with a report naming each row and column."""
    check_object(actor, "training.import", agency.pk)
    today = today or timezone.localdate()
    if not rows:
        raise ImportRejected([RowError(first_row, "file", _("There are no rows to import."))])
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportRejected(
            [
                RowError(
                    first_row,
                    "file",
                    _("At most %(n)d rows per import.") % {"n": MAX_IMPORT_ROWS},
                )
            ]
        )
    people = list(get_user_model().objects.filter(memberships__agency=agency).distinct())
    exact = {u.get_username(): u for u in people}
    by_name: dict[str, list] = {}
    for u in people:
        by_name.setdefault(u.get_username().lower(), []).append(u)
    by_email: dict[str, list] = {}
    for u in people:
        if u.email:
            by_email.setdefault(u.email.lower(), []).append(u)
    catalogue = rules.agency_modules(agency.pk)
    errors: list[RowError] = []
    ready = []
    seen: set[tuple[int, str, dt.date]] = set()
    for i, row in enumerate(rows):
        n = row.get(LINE) or first_row + i
        bad = len(errors)
        username = str(row.get("username") or "").strip()
        email = str(row.get("email") or "").strip()
        user = None
        if username:
            # Exactly as written; otherwise ignoring capitals, but only when that names one
            # person ("Bob" and "bob" may be two people).
            user = exact.get(username)
            candidates = by_name.get(username.lower(), [])
            if user is None and len(candidates) == 1:
                user = candidates[0]
            elif user is None and candidates:
                errors.append(
                    RowError(
                        n,
                        "username",
                        _(
                            "Several people's usernames differ from %(name)s only in capitals: "
                            "write the username exactly."
                        )
                        % {"name": username},
                    )
                )
            elif user is None:
                errors.append(
                    RowError(
                        n, "username", _("No person %(name)s in this agency.") % {"name": username}
                    )
                )
        elif email:
            matches = by_email.get(email.lower(), [])
            if len(matches) == 1:
                user = matches[0]
            else:
                errors.append(
                    RowError(
                        n,
                        "email",
                        _("No person with this e-mail address in this agency.")
                        if not matches
                        else _("Several people share this e-mail address: give the username."),
                    )
                )
        else:
            errors.append(RowError(n, "username", _("Give the username or the e-mail address.")))
        module_id = str(row.get("module") or "").strip()
        found = catalogue.get(module_id)
        if found is None:
            errors.append(
                RowError(
                    n,
                    "module",
                    _("Unknown module %(id)s.") % {"id": module_id}
                    if module_id
                    else _("Give the module id."),
                )
            )
        raw_date = str(row.get("completed_on") or "").strip()
        completed = _parse_date(raw_date) if isinstance(raw_date, str) else None
        if isinstance(row.get("completed_on"), dt.date):
            completed = row["completed_on"]
        if completed is None:
            errors.append(
                RowError(
                    n,
                    "completed_on",
                    _("%(value)s is not a date; write YYYY-MM-DD.") % {"value": raw_date or "—"},
                )
            )
        elif completed > today:
            errors.append(RowError(n, "completed_on", _("The date is in the future.")))
        elif completed.year < 2000:
            errors.append(RowError(n, "completed_on", _("The date is implausibly early.")))
        elif found is not None and found.row is not None:
            # An agency's own module could not be taken before it was written (known for
            # modules created since Ombuds records it; shipped modules carry no such date).
            created = getattr(found.row, "created_at", None)
            if created is not None and completed < timezone.localtime(created).date():
                errors.append(
                    RowError(
                        n,
                        "completed_on",
                        _("The module was only written on %(date)s.")
                        % {"date": timezone.localtime(created).date().isoformat()},
                    )
                )
        version = None
        raw_version = str(row.get("version") or "").strip()
        if found is not None:
            if raw_version:
                try:
                    version = int(raw_version)
                except ValueError:
                    version = None
                if version is None or not 1 <= version <= found.module.version:
                    errors.append(
                        RowError(
                            n,
                            "version",
                            _("The version must be a whole number from 1 to %(v)d.")
                            % {"v": found.module.version},
                        )
                    )
                    version = None
            elif found.module.min_accepted_version > 1:
                # Without it an old completion would pass for the current version.
                errors.append(
                    RowError(
                        n,
                        "version",
                        _(
                            "This module accepts only version %(v)d or later: give the version "
                            "that was completed."
                        )
                        % {"v": found.module.min_accepted_version},
                    )
                )
            else:
                version = found.module.version
        raw_score = row.get("score")
        score = None
        if raw_score not in (None, ""):
            try:
                value = float(str(raw_score).replace(",", "."))
            except ValueError:
                value = None
            if value is None or not 0 <= value <= 100 or value != value:
                errors.append(RowError(n, "score", _("The score must be a number from 0 to 100.")))
            else:
                score = int(value)
                if found is not None and score < found.module.pass_mark:
                    errors.append(
                        RowError(
                            n,
                            "score",
                            _(
                                "A score of %(score)s is below the pass mark %(mark)s: not a "
                                "completion."
                            )
                            % {"score": score, "mark": found.module.pass_mark},
                        )
                    )
        if len(errors) == bad and user is not None and found is not None and completed:
            key = (user.pk, found.id, completed)
            if key in seen:
                errors.append(RowError(n, "module", _("The same completion is listed twice.")))
            seen.add(key)
            ready.append((user, found, completed, score, version))
    if errors:
        raise ImportRejected(errors)
    created = []
    with transaction.atomic():
        for user, found, completed, score, version in ready:
            if Certificate.objects.filter(
                user=user, module=found.id, completed_on=completed
            ).exists():
                continue  # imported before: importing the same file twice changes nothing
            created.append(
                Certificate.objects.create(
                    user=user,
                    module=found.id,
                    module_version=version,
                    completed_on=completed,
                    expires_on=rules.expiry(completed, found.module.validity_months),
                    score=score,
                    source=Source.IMPORT,
                    recorded_by=actor,
                )
            )
        _record(
            actor,
            "training.import",
            agency,
            agency,
            {"rows": len(rows), "certificates": [c.pk for c in created]},
        )
    return created


# --- agency modules ---------------------------------------------------------------------


def save_module(actor, agency, text: str, systems=(), row: AgencyModule | None = None):
    """Create or change an agency's own module from its YAML, validated like a shipped one.
    Its id is prefixed with the agency's short name so that it never collides with another's."""
    check_object(actor, "training.manage", agency.pk)
    check_text({"text": text})
    try:
        module = content.load(text, f"agency module {row.key if row else 'new'}")
    except content.ModuleError as exc:
        raise ValidationError({"text": str(exc)}) from None
    prefix = f"{agency.slug}."
    if not module.id.startswith(prefix):
        raise ValidationError(
            {
                "text": _("The module id must start with %(prefix)s (for example %(example)s).")
                % {"prefix": prefix, "example": prefix + module.id.split(".")[-1]}
            }
        )
    if row is not None and module.id != row.key:
        raise ValidationError({"text": _("The module id cannot change; create a new module.")})
    if row is None and AgencyModule.objects.filter(agency=agency, key=module.id).exists():
        raise ValidationError({"text": _("A module with this id exists already.")})
    systems = list(systems)
    if any(s.agency_id != agency.pk for s in systems):
        raise ValidationError({"systems": _("Choose systems of this agency.")})
    with transaction.atomic():
        if row is None:
            row = AgencyModule.objects.create(
                agency=agency,
                key=module.id,
                version=module.version,
                title=module.title,
                text=text,
                created_by=actor,
                created_at=timezone.now(),
            )
            action = "training.module_create"
        else:
            if module.version < row.version:
                raise ValidationError({"text": _("The version cannot go down.")})
            row.version, row.title, row.text = module.version, module.title, text
            row.updated_at = timezone.now()
            row.save()
            action = "training.module_update"
        row.systems.set(systems)
        # The expiry recorded on certificates follows the module as it is now (reminders read
        # it); status computes it from the module anyway.
        for cert in Certificate.objects.filter(
            module=module.id, user__memberships__agency=agency
        ).distinct():
            until = rules.expiry(cert.completed_on, module.validity_months)
            if cert.expires_on != until:
                Certificate.objects.filter(pk=cert.pk).update(expires_on=until)
        _record(
            actor,
            action,
            row,
            agency,
            {
                "module": module.id,
                "version": module.version,
                "systems": [s.pk for s in systems],
            },
        )
    return row


# --- operators --------------------------------------------------------------------------


class AssignmentRefused(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def assign(actor, system, user, duty: str) -> Assignment:
    """Assign a person to operate a system. For a high-impact system, refused until they hold
    every module the system requires of them (the message names the modules)."""
    check_object(actor, "operator.assign", system.agency_id)
    if duty not in Duty.values:
        raise ValidationError({"duty": _("Choose decisions or reviews.")})
    if not user.is_active or not user.memberships.filter(agency_id=system.agency_id).exists():
        raise ValidationError({"user": _("Choose an active person of this system's agency.")})
    if system.is_high_impact is not False:
        lacking = rules.missing_for(user, system)
        if lacking:
            raise AssignmentRefused(
                _(
                    "%(name)s cannot be assigned to this high-impact system until certified for: "
                    "%(modules)s."
                )
                % {"name": user.get_username(), "modules": "; ".join(lacking)}
            )
    with transaction.atomic():
        found = Assignment.objects.filter(
            system=system, user=user, duty=duty, ended_at__isnull=True
        ).first()
        if found:
            return found
        assignment = Assignment.objects.create(
            system=system, user=user, duty=duty, assigned_by=actor
        )
        _record(
            actor,
            "operator.assign",
            system,
            system.agency,
            {"user": user.get_username(), "duty": duty},
        )
    return assignment


def end_assignment(actor, assignment: Assignment) -> Assignment:
    check_object(actor, "operator.assign", assignment.system.agency_id)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.ended_at is None:
            assignment.ended_at = timezone.now()
            assignment.save(update_fields=["ended_at"])
            _record(
                actor,
                "operator.unassign",
                assignment.system,
                assignment.system.agency,
                {"user": assignment.user.get_username(), "duty": assignment.duty},
            )
    return assignment


def _active(qs):
    """Open assignments of people who can still act: active accounts that are still members of
    the system's agency (an assignment outlives neither; it is ignored, not deleted)."""
    from django.db.models import Exists, OuterRef

    from ombuds.core.models import Membership

    member = Membership.objects.filter(
        user_id=OuterRef("user_id"), agency_id=OuterRef("system__agency_id")
    )
    return qs.filter(ended_at__isnull=True, user__is_active=True).filter(Exists(member))


def operators(system) -> list[Assignment]:
    return list(_active(Assignment.objects.filter(system=system)).select_related("user"))


def operators_of(systems) -> dict[int, list[Assignment]]:
    """The active assignments of several systems in one query, by system id."""
    out: dict[int, list[Assignment]] = {s.pk: [] for s in systems}
    for a in _active(Assignment.objects.filter(system__in=list(out))).select_related("user"):
        out[a.system_id].append(a)
    return out


# --- human-oversight design -------------------------------------------------------------


def save_oversight(actor, system, values: dict[str, Any]) -> OversightDesign:
    """Write the system's oversight design. "No oversight" is refused for a high-impact system
    at level III or IV (or not yet levelled)."""
    check_object(actor, "oversight.edit", system.agency_id)
    mode = values.get("mode")
    errors: dict[str, str] = {}
    if mode not in Mode.values:
        errors["mode"] = _("Choose how people oversee the system.")
    elif (
        mode == Mode.NONE and system.is_high_impact is not False and rules.recurring_needed(system)
    ):
        errors["mode"] = _(
            "A high-impact system at impact level III or IV needs a person in or on the loop."
        )
    clean = {k: str(values.get(k) or "").strip() for k in OversightDesign.PARTS}
    if errors:
        raise ValidationError(errors)
    check_text(clean)
    with transaction.atomic():
        design, _created = OversightDesign.objects.update_or_create(
            system=system,
            defaults={"mode": mode, **clean, "updated_by": actor, "updated_at": timezone.now()},
        )
        _record(actor, "oversight.save", system, system.agency, {"mode": mode, **clean})
    return design


def oversight_gaps(system) -> list[str]:
    """Parts of the design still empty, in words; empty when complete."""
    design = OversightDesign.objects.filter(system=system).first()
    if design is None:
        return [_("no oversight design is written")]
    labels = {
        f: str(OversightDesign._meta.get_field(f).verbose_name) for f in OversightDesign.PARTS
    }
    return [labels[f] for f in OversightDesign.PARTS if not getattr(design, f).strip()]


# --- reminders --------------------------------------------------------------------------


def send_reminders(today: dt.date | None = None) -> int:
    """E-mail each person whose certificate expires within a reminder threshold, once per
    certificate and threshold (the scheduler may run this many times a day). Each message is
    sent on its own and recorded only once sent: one that fails is tried again next run.
    Returns how many were sent."""
    from django.core.mail import EmailMessage, get_connection

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(rules.REMINDER_DAYS))
    latest: dict[tuple[int, str], Certificate] = {}
    for cert in (
        Certificate.objects.filter(expires_on__gt=today, expires_on__lte=horizon)
        .select_related("user")
        .prefetch_related("user__memberships")
    ):
        key = (cert.user_id, cert.module)
        if key not in latest or cert.expires_on > latest[key].expires_on:
            latest[key] = cert
    if not latest:
        return 0
    # Renewed by a later certificate that does not expire soon: no reminder (one query).
    users = {u for u, _m in latest}
    modules = {m for _u, m in latest}
    renewed = set(
        Certificate.objects.filter(user_id__in=users, module__in=modules)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=horizon))
        .values_list("user_id", "module")
    )
    done = set(
        ReminderSent.objects.filter(certificate__in=[c.pk for c in latest.values()]).values_list(
            "certificate_id", "days_before"
        )
    )
    catalogues: dict[int, dict[str, rules.Found]] = {}
    connection = None
    sent = 0
    for key, cert in sorted(latest.items()):
        if key in renewed or not cert.user.email or not cert.user.is_active:
            continue
        days = (cert.expires_on - today).days
        threshold = min(t for t in rules.REMINDER_DAYS if days <= t)
        if (cert.pk, threshold) in done:
            continue
        title = cert.module
        for m in cert.user.memberships.all():
            if m.agency_id not in catalogues:
                catalogues[m.agency_id] = rules.agency_modules(m.agency_id)
            found = catalogues[m.agency_id].get(cert.module)
            if found:
                title = found.module.title
                break
        subject = _("[Ombuds] Your training expires on %(date)s") % {
            "date": cert.expires_on.isoformat()
        }
        body = _(
            'Your certificate for "%(module)s" expires on %(date)s. Take the module again '
            "before then to keep operating the systems that require it."
        ) % {"module": title, "date": cert.expires_on.isoformat()}
        try:
            connection = connection or get_connection(fail_silently=False)
            EmailMessage(
                subject, body, settings.DEFAULT_FROM_EMAIL, [cert.user.email], connection=connection
            ).send()
        except Exception:  # the status page shows expiry anyway; tried again next run
            log.exception("could not send a training reminder (certificate %s)", cert.pk)
            continue
        # Recorded once sent (one insert; another run that sent it meanwhile is no error).
        ReminderSent.objects.bulk_create(
            [ReminderSent(certificate=cert, days_before=threshold)], ignore_conflicts=True
        )
        sent += 1
    return sent


def scheduled_reminders() -> int:
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return send_reminders()
