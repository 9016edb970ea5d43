"""Notices, appeals and redress: permission, validation, the change and its audit event together.

Every function takes `now` so deadlines are tested at any moment without waiting. The audit log
keeps references, states, dates and counts only: never an appellant's name, e-mail, telephone,
address or words, never a person's identifier (not even its keyed hash), and never staff notes
(which may name people) — only that there was one.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import override

from ombuds.core import audit, intake, qualifications
from ombuds.core.models import Agency, AuditEvent
from ombuds.core.permissions import check_object, scope
from ombuds.core.roles import GOVERNANCE_LEAD
from ombuds.core.validation import check_text
from ombuds.registry.models import AISystem

from . import calendar, notices
from .models import (
    DEFAULT_ACKNOWLEDGE_DAYS,
    DEFAULT_APPEAL_DAYS,
    DEFAULT_DECIDE_DAYS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_WARNING_DAYS,
    OPEN_STATES,
    Appeal,
    AppealEvent,
    AppealRoute,
    AppealState,
    Channel,
    Notice,
    Outcome,
    PublicAttempt,
    RemedyKind,
    RemedyPolicy,
    RemedyStatus,
)

log = logging.getLogger("ombuds.remedy")

MAX_GROUNDS = 5000
MAX_NOTE = 20_000
MAX_FACTORS = 20
MAX_FACTOR = 500
MAX_BATCH_ROWS = 5000
IN_USE = ("pilot", "deployed", "suspended")

# Who may take each step. Acknowledging, recording redress, closing and withdrawing are case
# handling; starting and deciding the human review is the reviewer's.
STEP_PERMISSION = {
    AppealState.ACKNOWLEDGED: "appeal.enter",
    AppealState.IN_REVIEW: "appeal.decide",
    AppealState.DECIDED: "appeal.decide",
    AppealState.REMEDY_DONE: "appeal.enter",
    AppealState.CLOSED: "appeal.enter",
    AppealState.WITHDRAWN: "appeal.enter",
}
NEXT_STATES: dict[str, list[str]] = {
    AppealState.RECEIVED: [AppealState.ACKNOWLEDGED, AppealState.WITHDRAWN],
    AppealState.ACKNOWLEDGED: [AppealState.IN_REVIEW, AppealState.WITHDRAWN],
    AppealState.IN_REVIEW: [AppealState.DECIDED, AppealState.WITHDRAWN],
    AppealState.DECIDED: [AppealState.REMEDY_DONE, AppealState.CLOSED],
    AppealState.REMEDY_DONE: [AppealState.CLOSED],
    AppealState.CLOSED: [],
    AppealState.WITHDRAWN: [],
}


# --- the keyed hash of a person's identifier ---------------------------------------------------


class PseudonymKeyMissing(Exception):
    """OMBUDS_PSEUDONYM_KEY is empty in production mode: identifiers are not hashed at all."""


_warned = False


def development_mode() -> bool:
    """Production mode is OMBUDS_DEBUG=0, read as settings.py reads it (the test runner turns
    settings.DEBUG off, which must not make a developer's machine refuse to hash)."""
    from ombuds.settings import _flag

    return _flag("OMBUDS_DEBUG", True)


def pseudonym_key() -> bytes:
    """The key outside the database. In development (DEBUG) an empty key is replaced by one
    derived from the secret key, with a warning; in production mode hashing is refused, because a
    key that changes with the secret key would silently unlink every earlier notice."""
    global _warned
    key = getattr(settings, "OMBUDS_PSEUDONYM_KEY", "") or ""
    if key:
        return key.encode()
    if not development_mode():
        raise PseudonymKeyMissing(
            "OMBUDS_PSEUDONYM_KEY is not set: refusing to hash personal identifiers in "
            "production mode"
        )
    if not _warned:
        log.warning("OMBUDS_PSEUDONYM_KEY is not set: using a development key")
        _warned = True
    return hmac.new(
        settings.SECRET_KEY.encode(), b"ombuds.remedy.development-pseudonym-key", hashlib.sha256
    ).digest()


def normal_identifier(identifier: str) -> str:
    """Spaces removed and case folded, so "PN 123 456 789" and "pn123456789" link. Before this
    rule inner spaces were collapsed, not removed: a hash made then from an identifier written
    with spaces links only to the same identifier written with spaces (docs/remedy.md)."""
    return "".join(str(identifier).split()).casefold()


def pseudonym(identifier: str) -> str:
    normal = normal_identifier(identifier)
    return hmac.new(pseudonym_key(), normal.encode(), hashlib.sha256).hexdigest()


def client_hash(address: str) -> str:
    """A keyed hash of the sender's network, for rate limits only (see
    ombuds.core.intake.client_hash)."""
    return intake.client_hash(address, "ombuds.remedy.client")


# --- policy and route ---------------------------------------------------------------------------


def policy_of(agency_or_id) -> RemedyPolicy:
    agency_id = getattr(agency_or_id, "pk", agency_or_id)
    found = RemedyPolicy.objects.filter(agency_id=agency_id).first()
    return found or RemedyPolicy(agency_id=agency_id)


POLICY_LIMITS = {
    "acknowledge_days": (1, 60),
    "decide_days": (1, 250),
    "appeal_days": (1, 365),
    "retention_days": (1, 3650),
    "warning_days": (0, 30),
}


def clean_holidays(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.replace(",", "\n").splitlines() if v.strip()]
    if not isinstance(value, list | tuple):
        raise ValidationError({"holidays": _("Give a list of dates (YYYY-MM-DD).")})
    out = set()
    for item in value:
        try:
            out.add(item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item).strip()))
        except ValueError:
            raise ValidationError(
                {"holidays": _("“%(v)s” is not a date; write YYYY-MM-DD.") % {"v": item}}
            ) from None
    return [d.isoformat() for d in sorted(out)]


MAX_GROUPS = 30


def clean_groups(value: Any) -> list[str]:
    """The agency's list of groups appellants may tell (categories such as "over 65")."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"groups": _("Give a list of group names, one per line.")})
    out: list[str] = []
    for item in value:
        item = " ".join(item.split())
        if item and item not in out:
            out.append(item)
    if len(out) > MAX_GROUPS or any(len(g) > 100 for g in out):
        raise ValidationError(
            {
                "groups": _("Give at most %(n)d groups of at most %(len)d characters.")
                % {"n": MAX_GROUPS, "len": 100}
            }
        )
    check_text({"groups": "\n".join(out)})
    return out


def save_policy(actor, agency: Agency, values: dict[str, Any]) -> RemedyPolicy:
    check_object(actor, "remedy.settings", agency.pk)
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, (low, high) in POLICY_LIMITS.items():
        if name in values:
            v = values[name]
            if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
                errors[name] = _("Give a whole number from %(low)d to %(high)d.") % {
                    "low": low,
                    "high": high,
                }
            clean[name] = v
    if "holidays" in values:
        try:
            clean["holidays"] = clean_holidays(values["holidays"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if "groups" in values:
        try:
            clean["groups"] = clean_groups(values["groups"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _created = RemedyPolicy.objects.select_for_update().get_or_create(agency=agency)
        before = audit.snapshot(row, list(POLICY_LIMITS) + ["holidays", "groups"])
        for name, v in clean.items():
            setattr(row, name, v)
        row.updated_by = actor
        row.save()
        changes = audit.diff(
            before, audit.snapshot(row, list(POLICY_LIMITS) + ["holidays", "groups"])
        )
        audit.record(
            actor=actor,
            action="remedy.policy",
            obj=row,
            agency=agency,
            changes=changes or {"created": True},
            object_repr=f"remedy policy of {agency.slug}",
        )
    return row


def save_route(actor, system: AISystem, template_id: str, opt_out: str = "") -> AppealRoute:
    check_object(actor, "remedy.settings", system.agency_id)
    template = notices.catalogue().get(template_id)
    if template is None or template.kind != "notice":
        raise ValidationError({"template_id": _("Choose one of the notice templates.")})
    opt_out = (opt_out or "").strip()
    if len(opt_out) > MAX_GROUNDS:
        raise ValidationError({"opt_out": _("Keep this under %(n)d characters.") % {"n": 5000}})
    check_text({"opt_out": opt_out})
    with transaction.atomic():
        route, _created = AppealRoute.objects.select_for_update().get_or_create(
            system=system, defaults={"template_id": template_id}
        )
        before = audit.snapshot(route, ["template_id"])
        route.template_id = template_id
        route.opt_out = opt_out
        route.updated_by = actor
        route.save()
        audit.record(
            actor=actor,
            action="remedy.route",
            obj=route,
            agency=system.agency,
            changes={
                **audit.diff(before, audit.snapshot(route, ["template_id"])),
                "system": system.pk,
                "opt_out": bool(opt_out),
            },
            object_repr=f"appeal route of {system.name}"[:200],
        )
    watch_overturn_rate(actor, system)
    return route


def watch_overturn_rate(actor, system: AISystem):
    """The overturn rate of decided appeals becomes one of the system's monitors (monthly, with
    the appeals thresholds), created once, when the appeal route is set by someone who may."""
    from ombuds.core.permissions import has_perm
    from ombuds.monitoring.services import watch_internal

    from .apps import APPEALS_SOURCE

    if not has_perm(actor, "monitor.edit", system.agency_id):
        return None
    return watch_internal(actor, system, APPEALS_SOURCE, "appeals", window="monthly")


def route_of(system: AISystem) -> AppealRoute | None:
    return AppealRoute.objects.filter(system=system).first()


def route_gaps(system: AISystem) -> list[str]:
    """What is missing for the system to have an appeal route (the gate control's answer)."""
    gaps = []
    if route_of(system) is None:
        gaps.append(_("no notice template is chosen for the system"))
    if not RemedyPolicy.objects.filter(agency_id=system.agency_id).exists():
        gaps.append(_("the agency has not set its remedy policy (deadlines, retention)"))
    if not (system.public_contact or "").strip():
        gaps.append(_("the system has no public contact"))
    return gaps


# --- references --------------------------------------------------------------------------------

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


NOTICE_REFERENCE_CHARS = 16  # 16 × 5 bits = 80 bits: not guessable, still read aloud in groups


def _new_reference(prefix: str, model, length: int = 8) -> str:
    """Long references are grouped by four; the eight-letter ones stay in one piece."""
    group = 4 if length > 8 else length
    return intake.unique_reference(
        model,
        lambda: intake.new_reference(prefix, alphabet=ALPHABET, length=length, group=group),
    )


def normalise_reference(text: str) -> str:
    """A reference as stored, whatever the case, spaces and dashes it was typed with: the long
    notice references are grouped by four ("N-ABCD-EFGH-JKLM-NPQR"); older ones ("N-ABCD2345")
    and appeal references keep their single dash."""
    raw = "".join(ch for ch in str(text or "").upper() if ch.isalnum())[:40]
    for prefix in ("AP", "N"):
        if raw.startswith(prefix) and len(raw) > len(prefix):
            body = raw[len(prefix) :]
            if prefix == "N" and len(body) == NOTICE_REFERENCE_CHARS:
                return "N-" + "-".join(body[i : i + 4] for i in range(0, len(body), 4))
            return f"{prefix}-{body}"[:32]
    return raw[:32]


# --- notices -----------------------------------------------------------------------------------


def appeal_url(base_url: str = "") -> str:
    return _base_url(base_url) + reverse("public_appeal")


def _base_url(base_url: str | None) -> str:
    base = (
        base_url
        or getattr(settings, "OMBUDS_BASE_URL", "")
        or os.environ.get("OMBUDS_BASE_URL", "")
    )
    return base.rstrip("/")


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def clean_notice(system: AISystem, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Validate one notice's fields; errors name the field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, limit in (("case_reference", 100), ("outcome", 500)):
        v = values.get(name)
        v = v.strip() if isinstance(v, str) else ""
        if not v:
            errors[name] = _("This field is required.")
        elif len(v) > limit:
            errors[name] = _("Keep this under %(n)d characters.") % {"n": limit}
        clean[name] = v
    factors = values.get("factors")
    if isinstance(factors, str):
        factors = [f for f in factors.split("|")]
    if not isinstance(factors, list | tuple) or not all(isinstance(f, str) for f in factors):
        errors["factors"] = _("Give the main factors as a list of texts.")
        factors = []
    factors = [f.strip() for f in factors if f.strip()]
    if not factors and "factors" not in errors:
        errors["factors"] = _("Give at least one main factor behind the outcome.")
    elif len(factors) > MAX_FACTORS or any(len(f) > MAX_FACTOR for f in factors):
        errors["factors"] = _("Give at most %(n)d factors of at most %(len)d characters.") % {
            "n": MAX_FACTORS,
            "len": MAX_FACTOR,
        }
    clean["factors"] = factors
    language = values.get("language") or "en"
    if language not in notices.LANGUAGES:
        errors["language"] = _("Choose one of: %(langs)s.") % {
            "langs": ", ".join(notices.LANGUAGES)
        }
    clean["language"] = language
    decided_on = _parse_date(values.get("decided_on"))
    if decided_on is None:
        errors["decided_on"] = _("Give the date of the decision (YYYY-MM-DD).")
    elif decided_on > timezone.localdate(now):
        errors["decided_on"] = _("This is in the future.")
    clean["decided_on"] = decided_on
    ident = values.get("person_identifier")
    ident = ident.strip() if isinstance(ident, str) else ""
    if not ident:
        errors["person_identifier"] = _("Give the person's identifier (it is stored hashed).")
    elif len(ident) > 200:
        errors["person_identifier"] = _("Keep this under %(n)d characters.") % {"n": 200}
    clean["person_identifier"] = ident
    maker = values.get("decision_maker") or ""
    clean["decision_maker"] = None
    if maker:
        user = (
            get_user_model()
            .objects.filter(username=str(maker).strip(), memberships__agency_id=system.agency_id)
            .first()
        )
        if user is None:
            errors["decision_maker"] = _("No user of %(agency)s has this username.") % {
                "agency": system.agency.name
            }
        clean["decision_maker"] = user
    if not errors:
        try:
            check_text({k: v for k, v in clean.items() if isinstance(v, str | list)})
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return clean


def appeal_by_date(decided_on: dt.date, now: datetime, policy: RemedyPolicy) -> dt.date:
    """People may appeal within the policy's days of the later of the decision and the day the
    notice is issued (the agency's local date): a batch sent weeks after the decisions still
    gives every person the full period."""
    issued_on = timezone.localdate(now)
    return max(decided_on, issued_on) + timedelta(days=policy.appeal_days)


def _check_can_issue(system: AISystem, now: datetime) -> None:
    """A notice must tell the person how to appeal: no notice while the system has no appeal
    route (the gate control's gaps)."""
    gaps = route_gaps(system)
    if gaps:
        raise ValidationError(
            {"system": _("Notices cannot be issued yet: %(gaps)s.") % {"gaps": "; ".join(gaps)}}
        )


def _create_notice(actor, system: AISystem, clean: dict[str, Any], now: datetime) -> Notice:
    route = route_of(system)
    policy = policy_of(system.agency_id)
    notice = Notice(
        agency_id=system.agency_id,
        system=system,
        reference=_new_reference("N", Notice, NOTICE_REFERENCE_CHARS),
        case_reference=clean["case_reference"],
        outcome=clean["outcome"],
        factors=clean["factors"],
        language=clean["language"],
        decided_on=clean["decided_on"],
        appeal_by=appeal_by_date(clean["decided_on"], now, policy),
        person_hash=pseudonym(clean["person_identifier"]),
        decision_maker=clean["decision_maker"],
        template_id=route.template_id if route else notices.DEFAULT_NOTICE,
        issued_at=now,
        issued_by=actor,
    )
    notice.template_version = notices.get(notice.template_id).version
    if notice.appeal_by <= timezone.localdate(now):
        raise ValidationError({"decided_on": _("The appeal date would already be past.")})
    notice.save()
    audit.record(
        actor=actor,
        action="notice.issue",
        obj=notice,
        agency=system.agency,
        changes={
            "reference": notice.reference,
            "system": system.pk,
            "decided_on": notice.decided_on.isoformat(),
            "appeal_by": notice.appeal_by.isoformat(),
            "template": f"{notice.template_id}@{notice.template_version}",
            "language": notice.language,
        },
    )
    return notice


def issue_notice(
    actor, system: AISystem, values: dict[str, Any], *, now: datetime | None = None
) -> Notice:
    check_object(actor, "notice.issue", system.agency_id)
    now = now or timezone.now()
    _check_can_issue(system, now)
    clean = clean_notice(system, values, now)
    pseudonym_key()  # refuse before writing anything when the key is missing
    with transaction.atomic():
        return _create_notice(actor, system, clean, now)


CSV_COLUMNS = [
    "case_reference",
    "outcome",
    "factors",
    "language",
    "decided_on",
    "person_identifier",
]
CSV_OPTIONAL = ["decision_maker"]


class BatchRefused(Exception):
    """A CSV batch with errors: nothing was issued. `problems` are (row, column, message)."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def issue_batch(actor, system: AISystem, text: str, *, now: datetime | None = None) -> list[Notice]:
    """Issue one notice per CSV row (factors separated by "|"), all or nothing. Rows are numbered
    as a spreadsheet shows them: the header is row 1."""
    check_object(actor, "notice.issue", system.agency_id)
    now = now or timezone.now()
    _check_can_issue(system, now)
    reader = csv.DictReader(io.StringIO(text))
    progress = {"row": 1}
    try:
        return _issue_rows(actor, system, reader, now, progress)
    except csv.Error as exc:
        # The row after the last one read (the header is row 1, as a spreadsheet shows it).
        raise BatchRefused(
            [
                (
                    progress["row"] + 1,
                    "",
                    _("the file cannot be read as CSV from this row (%(why)s)") % {"why": exc},
                )
            ]
        ) from None


def _issue_rows(
    actor, system: AISystem, reader: csv.DictReader, now: datetime, progress: dict[str, int]
) -> list[Notice]:
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS + CSV_OPTIONAL]
    problems: list[tuple[int, str, str]] = []
    if missing:
        problems.append((1, ", ".join(missing), _("missing column(s)")))
    if unknown:
        problems.append((1, ", ".join(unknown), _("unknown column(s)")))
    if problems:
        raise BatchRefused(problems)
    cleaned = []
    for number, row in enumerate(reader, start=2):
        progress["row"] = number
        if number - 1 > MAX_BATCH_ROWS:
            problems.append((number, "", _("at most %(n)d rows") % {"n": MAX_BATCH_ROWS}))
            break
        row = {(k or "").strip(): (v or "") for k, v in row.items() if k}
        try:
            cleaned.append(clean_notice(system, row, now))
        except ValidationError as exc:
            for col, messages in exc.message_dict.items():
                problems.append((number, col, " ".join(messages)))
    if not cleaned and not problems:
        problems.append((2, "", _("the file has no rows")))
    if problems:
        raise BatchRefused(problems)
    pseudonym_key()
    with transaction.atomic():
        return [_create_notice(actor, system, clean, now) for clean in cleaned]


def notice_values(notice: Notice, base_url: str = "") -> dict[str, str]:
    system = notice.system
    route = route_of(system)
    with override(notice.language):
        role = system.get_decision_role_display()
        return {
            "agency": system.agency.name,
            "system": system.name,
            "system_role": str(role),
            "decided_on": notice.decided_on.isoformat(),
            "outcome": notice.outcome,
            "case_reference": notice.case_reference,
            "notice_reference": notice.reference,
            "appeal_url": appeal_url(base_url),
            "appeal_by": notice.appeal_by.isoformat(),
            "contact": system.public_contact,
            "opt_out": route.opt_out if route else "",
        }


def notice_letter(notice: Notice, base_url: str = "") -> notices.Rendered:
    template = notices.catalogue().get(notice.template_id) or notices.get(notices.DEFAULT_NOTICE)
    return notices.render(
        template,
        notice.language,
        notice_values(notice, base_url),
        {"factors": notice.factors},
    )


def find_notice(reference: str, agency_id: int | None = None) -> Notice | None:
    """The notice with this reference; with agency_id, only among that agency's notices (staff
    never learn what another agency issued)."""
    ref = normalise_reference(reference)
    if not ref:
        return None
    found = Notice.objects.select_related("system", "agency").filter(reference=ref)
    if agency_id is not None:
        found = found.filter(agency_id=agency_id)
    return found.first()


def no_such_notice(ref: str) -> str:
    """The one answer to a wrong notice reference, whatever the reason: unknown, another
    agency's, or purged."""
    return _(
        "We found no notice with the reference %(ref)s. Check it against your letter, or "
        "leave it empty and choose the agency and system to appeal without a notice."
    ) % {"ref": ref}


# --- appeals: intake ---------------------------------------------------------------------------


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__("rate limited")
        self.retry_after = retry_after


def systems_in_use():
    return (
        AISystem.objects.filter(stage__in=IN_USE)
        .select_related("agency")
        .order_by("agency__name", "name")
    )


def systems_open_to_public_appeal():
    """The systems the public form offers: in use and with a published public record (the
    public knows of them). Anyone else gives the notice reference or contacts the agency."""
    return systems_in_use().filter(public_record__current__kind="published")


@dataclass
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""


def clean_contact(values: dict[str, Any]) -> Contact:
    """Validated, and at least one way to answer — none beyond that is required."""
    errors: dict[str, str] = {}
    c = Contact(
        name=str(values.get("contact_name") or "").strip(),
        email=str(values.get("contact_email") or "").strip(),
        phone=str(values.get("contact_phone") or "").strip(),
        address=str(values.get("contact_address") or "").strip(),
    )
    if len(c.name) > 200:
        errors["contact_name"] = _("Keep this under %(n)d characters.") % {"n": 200}
    if c.email:
        try:
            validate_email(c.email)
        except ValidationError:
            errors["contact_email"] = _("Enter a valid e-mail address, or leave it empty.")
    if c.phone:
        digits = [ch for ch in c.phone if ch.isdigit()]
        if len(c.phone) > 40 or len(digits) < 6 or set(c.phone) - set("+0123456789 ()-./"):
            errors["contact_phone"] = _(
                "Enter a telephone number (digits, spaces and + ( ) - only), or leave it empty."
            )
    if len(c.address) > 1000:
        errors["contact_address"] = _("Keep this under %(n)d characters.") % {"n": 1000}
    if not (c.email or c.phone or c.address) and not errors:
        errors["contact_email"] = _(
            "Give at least one way to answer you: an e-mail address, a telephone number or a "
            "postal address."
        )
    if not errors:
        try:
            check_text(
                {
                    "contact_name": c.name,
                    "contact_email": c.email,
                    "contact_phone": c.phone,
                    "contact_address": c.address,
                }
            )
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return c


def _clean_appeal(
    values: dict[str, Any], *, public: bool, agency_id: int | None = None
) -> tuple[Notice | None, AISystem, dict]:
    errors: dict[str, str] = {}
    notice = None
    system = values.get("system")
    ref = normalise_reference(values.get("notice_reference") or "")
    if ref:
        notice = find_notice(ref, agency_id)
        if notice is not None and notice.purged_at is not None:
            notice = None
        if notice is None:
            errors["notice_reference"] = no_such_notice(ref)
        else:
            system = notice.system
    elif system is None:
        errors["system"] = _(
            "Give the reference on your notice, or choose the agency and system your appeal is "
            "about."
        )
    elif public and not systems_open_to_public_appeal().filter(pk=system.pk).exists():
        errors["system"] = _("Choose one of the systems in the list.")
    grounds = values.get("grounds")
    grounds = grounds.strip() if isinstance(grounds, str) else ""
    if not grounds:
        errors["grounds"] = _("Say why you think the decision was wrong.")
    elif len(grounds) > MAX_GROUNDS:
        errors["grounds"] = _("Keep this under %(n)d characters (it has %(len)d).") % {
            "n": MAX_GROUNDS,
            "len": len(grounds),
        }
    group = str(values.get("group") or "").strip()
    if group and system is not None and group not in (policy_of(system.agency_id).groups or []):
        errors["group"] = _("Choose one of the groups in the list, or leave it empty.")
    if group and not values.get("group_consent"):
        errors["group_consent"] = _(
            "Tick the box to agree that the group you gave is used for statistics, or leave the "
            "group empty."
        )
    if len(group) > 100:
        errors["group"] = _("Keep this under %(n)d characters.") % {"n": 100}
    language = values.get("language") or "en"
    if language not in notices.LANGUAGES:
        errors["language"] = _("Choose one of: %(langs)s.") % {
            "langs": ", ".join(notices.LANGUAGES)
        }
    try:
        contact = clean_contact(values)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        contact = Contact()
    if not errors:
        try:
            check_text({"grounds": grounds, "group": group})
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return (
        notice,
        system,
        {
            "grounds": grounds,
            "group": group,
            "language": language,
            "contact_name": contact.name,
            "contact_email": contact.email,
            "contact_phone": contact.phone,
            "contact_address": contact.address,
        },
    )


def deadlines(agency_id: int, received: datetime) -> tuple[dt.date, dt.date]:
    policy = policy_of(agency_id)
    day = timezone.localdate(received)
    return (
        calendar.add_working_days(day, policy.acknowledge_days, policy.holidays),
        calendar.add_working_days(day, policy.decide_days, policy.holidays),
    )


def _create_appeal(*, notice, system, clean, channel, actor, digest, now) -> tuple[Appeal, str]:
    raw, digest_of_secret = intake.new_secret(32)  # 256 bits
    ack_by, decide_by = deadlines(system.agency_id, now)
    appeal = Appeal(
        agency_id=system.agency_id,
        system=system,
        notice=notice,
        reference=_new_reference("AP", Appeal),
        token_digest=digest_of_secret,
        channel=channel,
        person_hash=notice.person_hash if notice else "",
        client_hash=digest,
        received_at=now,
        acknowledge_by=ack_by,
        decide_by=decide_by,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **clean,
    )
    appeal.save()
    AppealEvent.objects.create(
        appeal=appeal, from_state="", to_state=AppealState.RECEIVED, actor=appeal.created_by, at=now
    )
    audit.record(
        actor=actor,
        action="appeal.receive",
        obj=appeal,
        agency=system.agency,
        changes={
            "reference": appeal.reference,
            "system": system.pk,
            "notice": notice.reference if notice else None,
            "channel": channel,
            "acknowledge_by": ack_by.isoformat(),
            "decide_by": decide_by.isoformat(),
        },
    )
    return appeal, raw


def submit_public_appeal(
    values: dict[str, Any],
    *,
    client_address: str = "",
    now: datetime | None = None,
    base_url: str | None = None,
) -> tuple[Appeal, str]:
    """An appeal from the public form; returns it with its tracking secret (shown once)."""
    now = now or timezone.now()
    digest = client_hash(client_address)
    # Appeals sent and notice references not found both count toward the network's hourly
    # limit, so references cannot be tried one after another.
    _check_appeal_limit(digest, now)
    try:
        notice, system, clean = _clean_appeal(values, public=True)
    except ValidationError as exc:
        if "notice_reference" in exc.message_dict and normalise_reference(
            values.get("notice_reference") or ""
        ):
            PublicAttempt.objects.create(kind=PublicAttempt.NOTICE_MISS, client_hash=digest, at=now)
        raise
    with transaction.atomic():
        _lock_public_counts()
        _check_appeal_limit(digest, now)
        appeal, raw = _create_appeal(
            notice=notice,
            system=system,
            clean=clean,
            channel=Channel.ONLINE,
            actor=None,
            digest=digest,
            now=now,
        )
    send_receipt(appeal, raw, base_url)
    return appeal, raw


def _lock_public_counts() -> None:
    intake.serialise(0x0B5D_A99E)


def _check_appeal_limit(digest: str, now: datetime) -> None:
    since = now - timedelta(hours=1)
    times = list(
        Appeal.objects.filter(
            channel=Channel.ONLINE, client_hash=digest, received_at__gte=since
        ).values_list("received_at", flat=True)
    ) + list(
        PublicAttempt.objects.filter(
            kind=PublicAttempt.NOTICE_MISS, client_hash=digest, at__gte=since
        ).values_list("at", flat=True)
    )
    if len(times) >= intake.hourly_limit("OMBUDS_APPEALS_PER_ADDRESS_PER_HOUR", 5):
        oldest = min(times)
        raise RateLimited(max(1, int((oldest + timedelta(hours=1) - now).total_seconds())))


def enter_appeal(
    actor, system: AISystem, values: dict[str, Any], *, now: datetime | None = None
) -> tuple[Appeal, str]:
    """An appeal received by telephone, post or in person, entered by staff."""
    check_object(actor, "appeal.enter", system.agency_id)
    now = now or timezone.now()
    channel = values.get("channel")
    if channel not in (Channel.PHONE, Channel.POST, Channel.IN_PERSON):
        raise ValidationError({"channel": _("Choose telephone, post or in person.")})
    notice, found_system, clean = _clean_appeal(
        {**values, "system": system}, public=False, agency_id=system.agency_id
    )
    if found_system.pk != system.pk:
        raise ValidationError(
            {
                "notice_reference": _("This notice is about another system: %(s)s.")
                % {"s": found_system.name}
            }
        )
    with transaction.atomic():
        return _create_appeal(
            notice=notice,
            system=system,
            clean=clean,
            channel=channel,
            actor=actor,
            digest="",
            now=now,
        )


def send_receipt(appeal: Appeal, raw: str, base_url: str | None = None) -> None:
    """The reference and tracking link, to the address the appellant gave, in their language. A
    mail server that fails loses no appeal: it is kept and the failure logged."""
    if not appeal.contact_email:
        return
    try:
        with override(appeal.language):
            body = render_to_string(
                "remedy/email/receipt.txt",
                {"appeal": appeal, "link": _base_url(base_url) + tracking_path(appeal, raw)},
            )
            send_mail(
                _("Your appeal %(ref)s was received") % {"ref": appeal.reference},
                body,
                None,
                [appeal.contact_email],
            )
    except Exception as exc:
        log.error("could not e-mail the appellant of %s: %s", appeal.reference, type(exc).__name__)


def tracking_path(appeal: Appeal, raw: str) -> str:
    return reverse("public_appeal_track", args=[appeal.reference, raw])


def tracking_allowed(address: str, now: datetime | None = None) -> bool:
    """Tracking pages are rate-limited per network (keyed hash), counting every look-up."""
    now = now or timezone.now()
    digest = client_hash(address)
    with transaction.atomic():
        _lock_public_counts()
        seen = PublicAttempt.objects.filter(
            kind=PublicAttempt.TRACK, client_hash=digest, at__gte=now - timedelta(hours=1)
        ).count()
        if seen >= intake.hourly_limit("OMBUDS_APPEAL_TRACKING_PER_HOUR", 60):
            return False
        PublicAttempt.objects.create(kind=PublicAttempt.TRACK, client_hash=digest, at=now)
    return True


def find_for_appellant(reference: str, raw: str) -> Appeal | None:
    """The appeal whose reference and secret both match, or None (the caller answers 404)."""
    return intake.find_by_secret(
        Appeal.objects.select_related("agency", "system"), normalise_reference(reference), raw
    )


# --- appeals: the case's steps -----------------------------------------------------------------


def allowed_next(appeal: Appeal) -> list[str]:
    return list(NEXT_STATES.get(appeal.state, []))


def reviewer_problems(user, appeal: Appeal) -> list[str]:
    """Why this person may not review the appeal: the first decision was theirs, or they do not
    hold what the system asks of its reviewers (training, through core.qualifications)."""
    problems = conflict_problems(user, appeal)
    problems += qualifications.missing(user, appeal.system)
    return problems


def conflict_problems(user, appeal: Appeal) -> list[str]:
    """The original decision-maker may neither review the appeal nor end or block it (withdraw
    it, refuse the remedy, record the remedy as done)."""
    if appeal.original_decision_maker_id and appeal.original_decision_maker_id == user.pk:
        return [_("You took the original decision: a different person must review the appeal.")]
    return []


# Steps the original decision-maker may not take (besides reviewing and deciding).
CONFLICTED_ENDINGS = (AppealState.WITHDRAWN, AppealState.REMEDY_DONE)
BEFORE_REVIEW = (AppealState.RECEIVED, AppealState.ACKNOWLEDGED)


def link_appeal(
    actor, appeal: Appeal, *, notice_reference: str = "", decision_maker: str = ""
) -> Appeal:
    """Before the review starts, staff may link the notice an appeal is about, or record who took
    the original decision, so that the conflict rule knows whom to keep out."""
    check_object(actor, "appeal.enter", appeal.agency_id)
    errors: dict[str, str] = {}
    ref = normalise_reference(notice_reference)
    maker_name = str(decision_maker or "").strip()
    if not ref and not maker_name:
        raise ValidationError(
            {"notice_reference": _("Give a notice reference or the original decision-maker.")}
        )
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("agency", "system", "notice")
            .get(pk=appeal.pk)
        )
        if appeal.state not in BEFORE_REVIEW:
            raise ValidationError(
                {"notice_reference": _("The review has started: the case can no longer change.")}
            )
        notice = None
        if ref:
            notice = find_notice(ref, appeal.agency_id)
            if notice is None or notice.purged_at is not None:
                errors["notice_reference"] = no_such_notice(ref)
            elif notice.system_id != appeal.system_id:
                errors["notice_reference"] = _("This notice is about another system: %(s)s.") % {
                    "s": notice.system.name
                }
        maker = None
        if maker_name:
            maker = (
                get_user_model()
                .objects.filter(username=maker_name, memberships__agency_id=appeal.agency_id)
                .first()
            )
            if maker is None:
                errors["decision_maker"] = _("No user of %(agency)s has this username.") % {
                    "agency": appeal.agency.name
                }
        if errors:
            raise ValidationError(errors)
        changes: dict[str, Any] = {}
        if notice is not None:
            appeal.notice = notice
            appeal.person_hash = notice.person_hash
            changes["notice"] = notice.reference
        if maker is not None:
            appeal.decision_maker = maker
            changes["decision_maker"] = maker.get_username()
        appeal.save()
        audit.record(
            actor=actor, action="appeal.link", obj=appeal, agency=appeal.agency, changes=changes
        )
    return appeal


_text = intake.clean_text


def transition(
    actor,
    appeal: Appeal,
    to: str,
    *,
    note: str = "",
    outcome: str = "",
    reasons: str = "",
    remedy_kinds: list[str] | None = None,
    remedy_done_on: Any = None,
    refuse_remedy: bool = False,
    not_original_decision_maker: bool = False,
    appellant_asked: bool = False,
    now: datetime | None = None,
) -> AppealEvent:
    """Move a case one step. Deciding needs an outcome and reasons; recording a remedy needs what
    was done and when; closing a decided case needs a remedy recorded, refused with reasons, or
    an upheld decision (no remedy needed)."""
    if to not in STEP_PERMISSION:
        raise ValidationError({"to": _("Choose a step the case can take.")})
    check_object(actor, STEP_PERMISSION[to], appeal.agency_id)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, MAX_NOTE)
    reasons = _text(errors, "reasons", reasons, MAX_NOTE)
    if errors:
        raise ValidationError(errors)
    check_text({"note": note, "reasons": reasons})
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("agency", "system", "notice")
            .get(pk=appeal.pk)
        )
        before = appeal.state
        if to not in allowed_next(appeal):
            labels = ", ".join(str(AppealState(s).label) for s in allowed_next(appeal)) or "—"
            raise ValidationError(
                {
                    "to": _("From “%(now)s” a case can move to: %(choices)s.")
                    % {"now": appeal.get_state_display(), "choices": labels}
                }
            )
        changes: dict[str, Any] = {"state": {"from": before, "to": to}, "note": bool(note)}
        conflicted = to in CONFLICTED_ENDINGS or (
            to == AppealState.CLOSED and before == AppealState.DECIDED and refuse_remedy
        )
        if conflicted:
            problems = conflict_problems(actor, appeal)
            if problems:
                raise ValidationError({"reviewer": problems})
        if to == AppealState.WITHDRAWN:
            if not note:
                errors["note"] = _("Say how and when the appellant asked to withdraw the appeal.")
            if not appellant_asked:
                errors["appellant_asked"] = _(
                    "A case is withdrawn only when the appellant asks: tick the box to record "
                    "that they did."
                )
            if errors:
                raise ValidationError(errors)
            changes["appellant_asked"] = True
        if to == AppealState.ACKNOWLEDGED:
            appeal.acknowledged_at = now
            changes["late"] = timezone.localdate(now) > appeal.acknowledge_by
        elif to in (AppealState.IN_REVIEW, AppealState.DECIDED):
            problems = reviewer_problems(actor, appeal)
            if problems:
                raise ValidationError({"reviewer": problems})
            declared_before = to == AppealState.DECIDED and appeal.reviewer_id == actor.pk
            if not appeal.original_decision_maker_id and not declared_before:
                # Nobody knows who decided first: the reviewer says it was not them.
                if not not_original_decision_maker:
                    raise ValidationError(
                        {
                            "not_original_decision_maker": _(
                                "Nobody recorded who took the original decision: confirm that "
                                "it was not you."
                            )
                        }
                    )
                changes["declared_not_original_decision_maker"] = True
            if to == AppealState.DECIDED:
                if outcome not in Outcome.values:
                    errors["outcome"] = _("Choose: upheld, overturned or partly overturned.")
                if not reasons:
                    errors["reasons"] = _("Give the reasons for the decision.")
                if errors:
                    raise ValidationError(errors)
                appeal.outcome = outcome
                appeal.reasons = reasons
                appeal.decided_at = now
                changes["outcome"] = outcome
                changes["late"] = timezone.localdate(now) > appeal.decide_by
            appeal.reviewer = actor
            changes["reviewer"] = actor.get_username()
        elif to == AppealState.REMEDY_DONE:
            kinds = list(remedy_kinds or [])
            if not kinds or set(kinds) - set(RemedyKind.values):
                errors["remedy_kinds"] = _(
                    "Choose what was done: decision reversed, payment, record corrected, apology "
                    "or other."
                )
            done_on = _parse_date(remedy_done_on) if remedy_done_on else None
            if done_on is None:
                errors["remedy_done_on"] = _("Give the date the remedy was done (YYYY-MM-DD).")
            elif done_on > timezone.localdate(now):
                errors["remedy_done_on"] = _("This is in the future.")
            if errors:
                raise ValidationError(errors)
            appeal.remedy_status = RemedyStatus.RECORDED
            appeal.remedy_kinds = sorted(set(kinds))
            appeal.remedy_done_on = done_on
            appeal.remedy_note = note
            changes.update({"remedy": appeal.remedy_kinds, "remedy_done_on": done_on.isoformat()})
        elif to == AppealState.CLOSED and before == AppealState.DECIDED:
            if refuse_remedy:
                if not note:
                    raise ValidationError({"note": _("Give the reasons why no remedy is given.")})
                appeal.remedy_status = RemedyStatus.REFUSED
                appeal.remedy_note = note
            elif appeal.outcome == Outcome.UPHELD:
                appeal.remedy_status = RemedyStatus.NOT_NEEDED
            else:
                raise ValidationError(
                    {
                        "to": _(
                            "The decision was overturned: record the remedy first, or refuse "
                            "it with reasons, before closing the case."
                        )
                    }
                )
            changes["remedy"] = appeal.remedy_status
        if to in (AppealState.CLOSED, AppealState.WITHDRAWN):
            appeal.closed_at = now
        appeal.state = to
        appeal.save()
        event = AppealEvent.objects.create(
            appeal=appeal, from_state=before, to_state=to, note=note, actor=actor, at=now
        )
        audit.record(
            actor=actor, action=f"appeal.{to}", obj=appeal, agency=appeal.agency, changes=changes
        )
    if to == AppealState.DECIDED:
        send_decision(appeal)
    return event


def send_decision(appeal: Appeal) -> None:
    """The decision letter, to the address the appellant gave, in their language. Those without
    an e-mail address get it by post or telephone from staff (the letter page and PDF)."""
    if not appeal.contact_email:
        return
    try:
        with override(appeal.language):
            letter = decision_letter(appeal)
            send_mail(letter.subject, notices.as_text(letter), None, [appeal.contact_email])
    except Exception as exc:
        # The exception may quote the recipient's address: its type only.
        log.error("could not e-mail the decision on %s: %s", appeal.reference, type(exc).__name__)


def decision_values(appeal: Appeal, with_reasons: bool = True) -> dict[str, str]:
    with override(appeal.language):
        return {
            "agency": appeal.agency.name,
            "system": appeal.system.name,
            "appeal_reference": appeal.reference,
            "decided_on": timezone.localdate(appeal.decided_at).isoformat()
            if appeal.decided_at
            else "",
            "outcome": str(appeal.get_outcome_display()),
            "reasons": appeal.reasons if with_reasons else "",
            "contact": appeal.system.public_contact,
        }


def decision_letter(appeal: Appeal, with_reasons: bool = True) -> notices.Rendered:
    return notices.render(
        notices.get(notices.DEFAULT_DECISION),
        appeal.language,
        decision_values(appeal, with_reasons),
    )


def visible_appeals(user):
    return scope(Appeal.objects.select_related("agency", "system", "notice"), user, "appeal.view")


# --- deadlines and escalation ------------------------------------------------------------------


def thresholds(appeal: Appeal, today: dt.date, policy: RemedyPolicy) -> list[str]:
    """The deadline thresholds a case has reached: "<deadline>-near" within the warning days,
    "<deadline>-past" once the day has gone by."""
    found = []
    checks = []
    if appeal.state == AppealState.RECEIVED:
        checks.append(("acknowledge", appeal.acknowledge_by))
    if appeal.state in OPEN_STATES:
        checks.append(("decide", appeal.decide_by))
    for name, due in checks:
        if today > due:
            found += [f"{name}-near", f"{name}-past"]
        elif calendar.working_days_between(today, due, policy.holidays) <= policy.warning_days:
            found.append(f"{name}-near")
    return found


def is_overdue(appeal: Appeal, today: dt.date) -> bool:
    if appeal.state == AppealState.RECEIVED and today > appeal.acknowledge_by:
        return True
    return appeal.state in OPEN_STATES and today > appeal.decide_by


def overdue_q(today: dt.date):
    from django.db.models import Q

    return Q(state=AppealState.RECEIVED, acknowledge_by__lt=today) | Q(
        state__in=OPEN_STATES, decide_by__lt=today
    )


THRESHOLD_LABELS = {
    "acknowledge-near": _lazy("acknowledgement due soon"),
    "acknowledge-past": _lazy("acknowledgement overdue"),
    "decide-near": _lazy("decision due soon"),
    "decide-past": _lazy("decision overdue"),
}


def escalate(now: datetime | None = None, base_url: str | None = None) -> list[tuple[str, str]]:
    """E-mail each agency's governance leads about cases near or past a deadline, once per
    threshold. Returns (appeal reference, threshold) pairs newly escalated. One agency's failing
    mail is logged and retried at the next run; it never stops the others."""
    now = now or timezone.now()
    done: list[tuple[str, str]] = []
    agency_ids = sorted(
        set(Appeal.objects.filter(state__in=OPEN_STATES).values_list("agency_id", flat=True))
    )
    for agency_id in agency_ids:
        try:
            done += _escalate_agency(agency_id, now, _base_url(base_url))
        except Exception as exc:
            log.error(
                "could not escalate the appeals of agency %s: %s", agency_id, type(exc).__name__
            )
    return done


def _escalate_agency(agency_id: int, now: datetime, base: str) -> list[tuple[str, str]]:
    today = timezone.localdate(now)
    policy = policy_of(agency_id)
    with transaction.atomic():
        rows = []
        for appeal in (
            Appeal.objects.select_for_update(of=("self",))
            .filter(agency_id=agency_id, state__in=OPEN_STATES)
            .select_related("agency", "system")
            .order_by("decide_by", "pk")
        ):
            new = [t for t in thresholds(appeal, today, policy) if t not in appeal.escalations]
            if new:
                rows.append((appeal, new))
        if not rows:
            return []
        agency = rows[0][0].agency
        recipients = [
            u.email
            for u in get_user_model()
            .objects.filter(
                memberships__agency_id=agency_id,
                memberships__role=GOVERNANCE_LEAD,
                is_active=True,
            )
            .exclude(email="")
            .distinct()
            .order_by("pk")
        ]
        if not recipients:
            _undeliverable(agency, rows, now)
            return []
        done = []
        for appeal, new in rows:
            appeal.escalations = sorted(set(appeal.escalations) | set(new))
            appeal.save(update_fields=["escalations"])
            audit.record(
                actor=None,
                action="appeal.escalate",
                obj=appeal,
                agency=appeal.agency,
                changes={"thresholds": new, "recipients": len(recipients)},
            )
            done += [(appeal.reference, t) for t in new]
        with override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "remedy/email/deadlines.txt",
                {
                    "agency": agency,
                    "rows": [
                        {
                            "appeal": a,
                            "thresholds": [str(THRESHOLD_LABELS.get(t, t)) for t in new],
                            "link": base + reverse("appeal_detail", args=[a.agency.slug, a.pk]),
                        }
                        for a, new in rows
                    ],
                },
            )
            subject = _("Appeals near or past their deadline at %(agency)s") % {
                "agency": agency.name
            }
        # Last, inside the transaction: when the mail server refuses, nothing is recorded as
        # told and the next run tries again.
        send_mail(subject, body, None, recipients)
    return done


def _undeliverable(agency: Agency, rows: list, now: datetime) -> None:
    """No governance lead with an e-mail address: say so in the log and, once per new
    threshold set, in the audit log (references and thresholds only)."""
    pending = sorted(f"{a.reference}:{t}" for a, new in rows for t in new)
    log.warning(
        "agency %s has appeals near or past a deadline but no governance lead with an e-mail "
        "address",
        agency.slug,
    )
    last = (
        AuditEvent.objects.filter(action="appeal.escalate-undeliverable", agency=agency)
        .order_by("-time", "-pk")
        .values_list("changes", flat=True)
        .first()
    )
    if last and last.get("pending") == pending:
        return
    audit.record(
        actor=None,
        action="appeal.escalate-undeliverable",
        agency=agency,
        changes={"pending": pending, "count": len(pending)},
        object_repr=f"appeal deadlines of {agency.slug}"[:200],
    )


def forget_networks(now: datetime | None = None) -> None:
    """Network hashes are kept a day, for the rate limits only."""
    now = now or timezone.now()
    intake.forget_client_hashes(Appeal.objects, "received_at", now)
    PublicAttempt.objects.filter(at__lt=now - timedelta(days=1)).delete()


def scheduled_run() -> None:
    forget_networks()
    escalate()


# --- retention ---------------------------------------------------------------------------------

PURGED_FIELDS = {
    "grounds": "",
    "contact_name": "",
    "contact_email": "",
    "contact_phone": "",
    "contact_address": "",
    "reasons": "",
    "remedy_note": "",
    "person_hash": "",
    "client_hash": "",
}


def purgeable(now: datetime | None = None) -> list[Appeal]:
    """Closed (or withdrawn) cases past their agency's retention period, not yet purged."""
    now = now or timezone.now()
    out = []
    ended = Appeal.objects.filter(
        state__in=(AppealState.CLOSED, AppealState.WITHDRAWN),
        purged_at__isnull=True,
        closed_at__isnull=False,
    ).select_related("agency")
    policies = {p.agency_id: p.retention_days for p in RemedyPolicy.objects.all()}
    for appeal in ended.order_by("closed_at", "pk"):
        days = policies.get(appeal.agency_id, DEFAULT_RETENTION_DAYS)
        if appeal.closed_at < now - timedelta(days=days):
            out.append(appeal)
    return out


NOTICE_PURGED_FIELDS = {"case_reference": "", "outcome": "", "factors": [], "person_hash": ""}


def purgeable_notices(now: datetime | None = None) -> list[Notice]:
    """Notices whose appeal window and the retention period after it have passed, and whose
    appeals (if any) are all purged: the case reference, outcome, factors and person hash go."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    policies = {p.agency_id: p.retention_days for p in RemedyPolicy.objects.all()}
    live = Appeal.objects.filter(notice_id=OuterRef("pk"), purged_at__isnull=True)
    out = []
    for notice in (
        Notice.objects.filter(purged_at__isnull=True)
        .exclude(Exists(live))
        .order_by("appeal_by", "pk")
    ):
        days = policies.get(notice.agency_id, DEFAULT_RETENTION_DAYS)
        if notice.appeal_by + timedelta(days=days) < today:
            out.append(notice)
    return out


def open_past_retention(now: datetime | None = None) -> list[Appeal]:
    """Open cases received longer ago than the retention period: never purged (the person is
    still owed an answer), listed so that staff close or withdraw them."""
    now = now or timezone.now()
    policies = {p.agency_id: p.retention_days for p in RemedyPolicy.objects.all()}
    return [
        a
        for a in Appeal.objects.filter(state__in=OPEN_STATES).order_by("received_at", "pk")
        if a.received_at < now - timedelta(days=policies.get(a.agency_id, DEFAULT_RETENTION_DAYS))
    ]


def purge(*, dry_run: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Remove the personal data of closed cases past retention, and of notices past their appeal
    window and retention; keep everything statistics need (dates, states, outcome, remedy
    kinds, the group when it is one of the agency's categories). One audit event, with counts
    and references only. Open cases are never purged: they are listed instead."""
    now = now or timezone.now()
    cases = purgeable(now)
    case_ids = {a.pk for a in cases}
    # Notices whose last unpurged appeals are purged in this same run go too.
    policies = {p.agency_id: p for p in RemedyPolicy.objects.all()}
    notices_due = [
        n
        for n in purgeable_notices(now)
        + [
            n
            for n in Notice.objects.filter(purged_at__isnull=True, appeals__pk__in=case_ids)
            .distinct()
            .order_by("pk")
            if not n.appeals.filter(purged_at__isnull=True).exclude(pk__in=case_ids).exists()
            and n.appeal_by
            + timedelta(
                days=getattr(policies.get(n.agency_id), "retention_days", DEFAULT_RETENTION_DAYS)
            )
            < timezone.localdate(now)
        ]
    ]
    notices_due = list({n.pk: n for n in notices_due}.values())
    still_open = open_past_retention(now)
    result = {
        "schema": "ombuds.purge/2",
        "dry_run": dry_run,
        "purged": len(cases),
        "references": [a.reference for a in cases],
        "notices_purged": len(notices_due),
        "notice_references": [n.reference for n in notices_due],
        "open_past_retention": [a.reference for a in still_open],
    }
    if dry_run or not (cases or notices_due):
        return result
    with transaction.atomic():
        # Rows change by update(), which the page cache does not hear of: public appeal figures
        # (groups) may change, so the cached public pages go after the commit.
        from ombuds.core.public_cache import bump_after_commit

        bump_after_commit()
        for a in cases:
            groups = getattr(policies.get(a.agency_id), "groups", None) or []
            Appeal.objects.filter(pk=a.pk).update(
                purged_at=now,
                group=a.group if a.group in groups else "",
                **PURGED_FIELDS,
            )
        AppealEvent.objects.filter(appeal_id__in=case_ids).update(note="")
        Notice.objects.filter(pk__in=[n.pk for n in notices_due]).update(
            purged_at=now, **NOTICE_PURGED_FIELDS
        )
        by_agency: dict[str, int] = {}
        for a in cases:
            by_agency[a.agency.slug] = by_agency.get(a.agency.slug, 0) + 1
        audit.record(
            actor=None,
            action="remedy.purge",
            changes={
                "count": len(cases),
                "references": result["references"],
                "by_agency": by_agency,
                "notices": len(notices_due),
                "notice_references": result["notice_references"],
            },
            object_repr=f"purge of {len(cases)} closed appeal(s), {len(notices_due)} notice(s)",
        )
    return result


__all__ = [
    "DEFAULT_ACKNOWLEDGE_DAYS",
    "DEFAULT_APPEAL_DAYS",
    "DEFAULT_DECIDE_DAYS",
    "DEFAULT_WARNING_DAYS",
    "PermissionDenied",
]
