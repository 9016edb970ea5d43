"""What every form the public sends without an account needs: clean free text, a reference to
quote, a secret link whose digest alone is stored, a keyed hash of the sender's network for the
hourly limits, and private pages for anything that shows a secret.

Feedback reports, transparency comments / error reports / opt-out requests and remedy appeals
all use these, so a fix to one (a timing leak, an IPv6 household counted as many senders) is a
fix to all. Plain functions: no app is imported here.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse
from django.utils.translation import gettext as _

from ombuds.core.models import hash_token
from ombuds.core.validation import check_text

HOUR = timedelta(hours=1)

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

# A secret longer than this was not made here: refuse it before hashing anything.
MAX_SECRET = 200

# Compared against when no row has the reference, so that a wrong reference and a wrong secret
# take the same time and look the same.
_DUMMY_DIGEST = "0" * 64

# The advisory lock that feedback reports and transparency submissions share (PostgreSQL).
PUBLIC_INTAKE_LOCK = 0x0B5D_FEED


# --- free text ---------------------------------------------------------------------------------


def clean_text(
    errors: dict,
    name: str,
    value: Any,
    limit: int,
    required: bool = False,
    *,
    screen: bool = False,
) -> str:
    """The value stripped, with a message under `name` in `errors` when it is not text, missing
    while required, or too long. Collecting errors (rather than raising) lets a form report every
    field at once. `screen` also runs the house content check (NUL characters, lone surrogates)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = _("Give text.")
        return ""
    value = value.strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("At most %(n)d characters (you wrote %(len)d).") % {
            "n": limit,
            "len": len(value),
        }
    elif value and screen:
        try:
            check_text({name: value})
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    return value


# --- references and secrets --------------------------------------------------------------------


def new_reference(
    prefix: str, *, alphabet: str = REFERENCE_ALPHABET, length: int = 8, group: int = 4
) -> str:
    """A random reference such as "R-ABCD-EFGH": short enough to read aloud, grouped so that it
    is copied without losing a letter."""
    body = "".join(secrets.choice(alphabet) for _i in range(length))
    return "-".join([prefix, *(body[i : i + group] for i in range(0, length, group))])


def unique_reference(model, make: Callable[[], str], attempts: int = 20) -> str:
    """A reference from `make` that no row of `model` has yet."""
    for _attempt in range(attempts):
        ref = make()
        if not model.objects.filter(reference=ref).exists():
            return ref
    raise RuntimeError("could not find a free reference")  # pragma: no cover - 30^8 references


def normalise_reference(text: str | None) -> str:
    """A reference as stored, whatever the case and surrounding spaces it was typed with."""
    return (text or "").strip().upper()


def new_secret(nbytes: int = 24) -> tuple[str, str]:
    """A secret for a status link and the digest to store: the secret itself is only ever sent
    to the person, never kept."""
    raw = secrets.token_urlsafe(nbytes)
    return raw, hash_token(raw)


def secret_matches(expected_digest: str | None, raw: str | None) -> bool:
    """Whether `raw` is the secret behind `expected_digest`, in constant time. With no digest (no
    such row) the comparison is still made against a dummy, so the answer takes as long."""
    if not raw or len(raw) > MAX_SECRET:
        return False
    ok = hmac.compare_digest(expected_digest or _DUMMY_DIGEST, hash_token(raw))
    return ok and expected_digest is not None


def find_by_secret(queryset, reference: str, raw: str | None):
    """The row of `queryset` with this (already normalised) reference whose secret is `raw`, or
    None: an unknown reference and a wrong secret give the same answer (the caller answers 404)."""
    if not reference or not raw or len(raw) > MAX_SECRET:
        return None
    row = queryset.filter(reference=reference).first()
    digest = row.token_digest if row is not None else None
    return row if secret_matches(digest, raw) else None


# --- the sender's network and the hourly limits ------------------------------------------------


def client_hash(address: str, purpose: str) -> str:
    """A keyed hash of the sender's network: the address itself is never stored. IPv6 senders
    are counted by their /64, which one household or one machine usually holds whole. `purpose`
    keeps one app's hashes from being compared with another's."""
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
    message = purpose.encode() + b":" + text.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def client_address(request) -> str:
    """The sender's address. Behind the TLS proxy the settings declare, the proxy's own entry
    (the rightmost) of X-Forwarded-For, which a sender cannot forge; otherwise the connection's
    address."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        last = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def hourly_limit(name: str, default: int) -> int:
    """A limit from the settings, else from the environment, else the default."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return int(value)


def serialise(lock: int = PUBLIC_INTAKE_LOCK) -> None:
    """Count-then-insert must not interleave across processes. SQLite's IMMEDIATE transactions
    already take the write lock first; PostgreSQL takes a transaction-scoped advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])


def rate_limited(queryset, field: str, digest: str, now: datetime, limit: int) -> int | None:
    """Seconds to wait when this network already sent `limit` rows of `queryset` in the hour
    before `now` (`field` holds when each arrived); None when it may send another."""
    mine = queryset.filter(client_hash=digest, **{f"{field}__gte": now - HOUR}).order_by(field)
    if mine.count() < limit:
        return None
    oldest = mine.values_list(field, flat=True).first()
    return max(int((oldest + HOUR - now).total_seconds()) + 1, 1)


def forget_client_hashes(queryset, field: str, now: datetime) -> int:
    """The keyed hash serves the hourly limits only: blank it on rows older than a day."""
    return (
        queryset.filter(**{f"{field}__lt": now - timedelta(days=1)})
        .exclude(client_hash="")
        .update(client_hash="")
    )


class RateLimited(Exception):
    """Too many submissions in the last hour: from one network (scope "address") or to one
    target (another scope); `retry_after` is in seconds."""

    def __init__(self, scope: str, retry_after: int):
        super().__init__(scope)
        self.scope = scope
        self.retry_after = retry_after


# --- public pages ------------------------------------------------------------------------------


def screened(request, honeypot: str, max_body: int) -> str | None:
    """Why a public POST is refused before its body is read: "too_large" for a body over
    `max_body` bytes, "honeypot" when the field only programs fill is filled; None to go on."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_body:
        return "too_large"
    if request.POST.get(honeypot, "").strip():
        return "honeypot"
    return None


def private_page(response: HttpResponse) -> HttpResponse:
    """Pages that carry a secret link: kept out of caches, search engines and referrers."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
