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
import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ombuds.core import audit, qualifications
from ombuds.core.models import Agency, hash_token
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


def pseudonym(identifier: str) -> str:
    normal = " ".join(str(identifier).split()).casefold()
    return hmac.new(pseudonym_key(), normal.encode(), hashlib.sha256).hexdigest()


def client_hash(address: str) -> str:
    """A keyed hash of the sender's network, for rate limits only: the address is never stored.
    IPv6 senders are counted by their /64."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        text = "unknown"
    else:
        mapped = getattr(ip, "ipv4_mapped", None)
        if mapped is not None:
            text = str(mapped)
        elif ip.version == 6:
            text = str(ipaddress.ip_network(f"{ip}/64", strict=False))
        else:
            text = str(ip)
    key = (getattr(settings, "OMBUDS_PSEUDONYM_KEY", "") or settings.SECRET_KEY).encode()
    return hmac.new(key, b"ombuds.remedy.client:" + text.encode(), hashlib.sha256).hexdigest()


def client_address(request) -> str:
    """Behind the TLS proxy the settings declare, the proxy's own (rightmost) X-Forwarded-For
    entry; otherwise the connection's address."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        last = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


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
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _created = RemedyPolicy.objects.select_for_update().get_or_create(agency=agency)
        before = audit.snapshot(row, list(POLICY_LIMITS) + ["holidays"])
        for name, v in clean.items():
            setattr(row, name, v)
        row.updated_by = actor
        row.save()
        changes = audit.diff(before, audit.snapshot(row, list(POLICY_LIMITS) + ["holidays"]))
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


def _new_reference(prefix: str, model) -> str:
    for _attempt in range(20):
        ref = prefix + "".join(secrets.choice(ALPHABET) for _ in range(8))
        if not model.objects.filter(reference=ref).exists():
            return ref
    raise RuntimeError("could not find a free reference")


def normalise_reference(text: str) -> str:
    return "".join(str(text or "").split()).upper()[:16]


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


def _create_notice(actor, system: AISystem, clean: dict[str, Any], now: datetime) -> Notice:
    route = route_of(system)
    policy = policy_of(system.agency_id)
    notice = Notice(
        agency_id=system.agency_id,
        system=system,
        reference=_new_reference("N-", Notice),
        case_reference=clean["case_reference"],
        outcome=clean["outcome"],
        factors=clean["factors"],
        language=clean["language"],
        decided_on=clean["decided_on"],
        appeal_by=clean["decided_on"] + timedelta(days=policy.appeal_days),
        person_hash=pseudonym(clean["person_identifier"]),
        decision_maker=clean["decision_maker"],
        template_id=route.template_id if route else notices.DEFAULT_NOTICE,
        issued_at=now,
        issued_by=actor,
    )
    notice.template_version = notices.get(notice.template_id).version
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
    reader = csv.DictReader(io.StringIO(text))
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


def find_notice(reference: str) -> Notice | None:
    ref = normalise_reference(reference)
    if not ref:
        return None
    return Notice.objects.select_related("system", "agency").filter(reference=ref).first()


# --- appeals: intake ---------------------------------------------------------------------------


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__("rate limited")
        self.retry_after = retry_after


def _limit(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return int(value)


def systems_in_use():
    return (
        AISystem.objects.filter(stage__in=IN_USE)
        .select_related("agency")
        .order_by("agency__name", "name")
    )


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


def _clean_appeal(values: dict[str, Any], *, public: bool) -> tuple[Notice | None, AISystem, dict]:
    errors: dict[str, str] = {}
    notice = None
    system = values.get("system")
    ref = normalise_reference(values.get("notice_reference") or "")
    if ref:
        notice = find_notice(ref)
        if notice is None:
            errors["notice_reference"] = _(
                "We found no notice with the reference %(ref)s. Check it against your letter, or "
                "leave it empty and choose the agency and system to appeal without a notice."
            ) % {"ref": ref}
        else:
            system = notice.system
    elif system is None:
        errors["system"] = _(
            "Give the reference on your notice, or choose the agency and system your appeal is "
            "about."
        )
    elif public and system.stage not in IN_USE:
        errors["system"] = _("Choose one of the systems in use.")
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
    raw = secrets.token_urlsafe(32)  # 256 bits
    ack_by, decide_by = deadlines(system.agency_id, now)
    appeal = Appeal(
        agency_id=system.agency_id,
        system=system,
        notice=notice,
        reference=_new_reference("AP-", Appeal),
        token_digest=hash_token(raw),
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
    notice, system, clean = _clean_appeal(values, public=True)
    digest = client_hash(client_address)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Count-then-insert must not interleave across processes (SQLite already serialises).
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x0B5D_A99E])
        since = now - timedelta(hours=1)
        mine = Appeal.objects.filter(
            channel=Channel.ONLINE, client_hash=digest, received_at__gte=since
        ).order_by("received_at")
        if mine.count() >= _limit("OMBUDS_APPEALS_PER_ADDRESS_PER_HOUR", 5):
            oldest = mine.values_list("received_at", flat=True).first()
            raise RateLimited(max(1, int((oldest + timedelta(hours=1) - now).total_seconds())))
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


def enter_appeal(
    actor, system: AISystem, values: dict[str, Any], *, now: datetime | None = None
) -> tuple[Appeal, str]:
    """An appeal received by telephone, post or in person, entered by staff."""
    check_object(actor, "appeal.enter", system.agency_id)
    now = now or timezone.now()
    channel = values.get("channel")
    if channel not in (Channel.PHONE, Channel.POST, Channel.IN_PERSON):
        raise ValidationError({"channel": _("Choose telephone, post or in person.")})
    notice, found_system, clean = _clean_appeal({**values, "system": system}, public=False)
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
    except Exception:
        log.exception("could not e-mail the appellant of %s", appeal.reference)


def tracking_path(appeal: Appeal, raw: str) -> str:
    return reverse("public_appeal_track", args=[appeal.reference, raw])


def tracking_allowed(address: str, now: datetime | None = None) -> bool:
    """Tracking pages are rate-limited per network (keyed hash), counting every look-up."""
    now = now or timezone.now()
    key = f"ombuds.remedy.track:{client_hash(address)}:{now:%Y%m%d%H}"
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3700)
        count = 1
    return count <= _limit("OMBUDS_APPEAL_TRACKING_PER_HOUR", 60)


def find_for_appellant(reference: str, raw: str) -> Appeal | None:
    ref = normalise_reference(reference)
    if not ref or not raw or len(raw) > 200:
        return None
    appeal = Appeal.objects.select_related("agency", "system").filter(reference=ref).first()
    expected = appeal.token_digest if appeal is not None else "0" * 64
    ok = hmac.compare_digest(expected, hash_token(raw))
    return appeal if appeal is not None and ok else None


# --- appeals: the case's steps -----------------------------------------------------------------


def allowed_next(appeal: Appeal) -> list[str]:
    return list(NEXT_STATES.get(appeal.state, []))


def reviewer_problems(user, appeal: Appeal) -> list[str]:
    """Why this person may not review the appeal: the first decision was theirs, or they do not
    hold what the system asks of its reviewers (training, through core.qualifications)."""
    problems = []
    notice = appeal.notice
    if notice is not None and notice.decision_maker_id and notice.decision_maker_id == user.pk:
        problems.append(
            _("You took the original decision: a different person must review the appeal.")
        )
    problems += qualifications.missing(user, appeal.system)
    return problems


def _text(errors, name, value, limit, required=False) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("Keep this under %(n)d characters.") % {"n": limit}
    return value


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
        if to == AppealState.ACKNOWLEDGED:
            appeal.acknowledged_at = now
            changes["late"] = timezone.localdate(now) > appeal.acknowledge_by
        elif to in (AppealState.IN_REVIEW, AppealState.DECIDED):
            problems = reviewer_problems(actor, appeal)
            if problems:
                raise ValidationError({"reviewer": problems})
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
    except Exception:
        log.exception("could not e-mail the decision on %s", appeal.reference)


def decision_values(appeal: Appeal) -> dict[str, str]:
    with override(appeal.language):
        return {
            "agency": appeal.agency.name,
            "system": appeal.system.name,
            "appeal_reference": appeal.reference,
            "decided_on": timezone.localdate(appeal.decided_at).isoformat()
            if appeal.decided_at
            else "",
            "outcome": str(appeal.get_outcome_display()),
            "reasons": appeal.reasons,
            "contact": appeal.system.public_contact,
        }


def decision_letter(appeal: Appeal) -> notices.Rendered:
    return notices.render(
        notices.get(notices.DEFAULT_DECISION), appeal.language, decision_values(appeal)
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


def escalate(now: datetime | None = None, base_url: str | None = None) -> list[tuple[str, str]]:
    """E-mail each agency's governance leads about cases near or past a deadline, once per
    threshold. Returns (appeal reference, threshold) pairs newly escalated."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    base = _base_url(base_url)
    done: list[tuple[str, str]] = []
    agency_ids = sorted(
        set(Appeal.objects.filter(state__in=OPEN_STATES).values_list("agency_id", flat=True))
    )
    for agency_id in agency_ids:
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
                continue
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
                continue
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
                        "agency": rows[0][0].agency,
                        "rows": [
                            {
                                "appeal": a,
                                "thresholds": new,
                                "link": base + reverse("appeal_detail", args=[a.agency.slug, a.pk]),
                            }
                            for a, new in rows
                        ],
                    },
                )
                send_mail(
                    _("Appeals near or past their deadline at %(agency)s")
                    % {"agency": rows[0][0].agency.name},
                    body,
                    None,
                    recipients,
                )
    return done


def scheduled_run() -> None:
    Appeal.objects.filter(received_at__lt=timezone.now() - timedelta(days=1)).exclude(
        client_hash=""
    ).update(client_hash="")
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


def purge(*, dry_run: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Remove the personal data of closed cases past retention; keep everything statistics
    need (dates, states, outcome, remedy kinds, the consented group). One audit event, with
    counts and case references only."""
    now = now or timezone.now()
    cases = purgeable(now)
    result = {
        "schema": "ombuds.purge/1",
        "dry_run": dry_run,
        "purged": len(cases),
        "references": [a.reference for a in cases],
    }
    if dry_run or not cases:
        return result
    with transaction.atomic():
        ids = [a.pk for a in cases]
        Appeal.objects.filter(pk__in=ids).update(purged_at=now, **PURGED_FIELDS)
        AppealEvent.objects.filter(appeal_id__in=ids).update(note="")
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
            },
            object_repr=f"purge of {len(cases)} closed appeal(s)",
        )
    return result


__all__ = [
    "DEFAULT_ACKNOWLEDGE_DAYS",
    "DEFAULT_APPEAL_DAYS",
    "DEFAULT_DECIDE_DAYS",
    "DEFAULT_WARNING_DAYS",
    "PermissionDenied",
]
