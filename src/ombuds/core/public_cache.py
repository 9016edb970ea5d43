"""A cache for the public pages: a visitor's GET of a register page is served from memory until
anything a public page can show changes.

Each server process keeps rendered pages in its own cache (Django's CACHES, local memory unless
configured); the key carries a generation number kept in the database, which moves on after any
write to a record (publication, retraction, a system's stage, a published comment...), so every
process stops serving the old page at once. Only pages named in CACHED_VIEWS are cached, only
for visitors without a session, and only responses that set no cookie and carry no CSRF token.
"""

from __future__ import annotations

import hashlib
import logging

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

from .models import Generation

NAME = "public"
CACHED_VIEWS = {
    "public_register",
    "public_register_json",
    "public_register_csv",
    "public_feed",
    "public_system",
    "public_agency",
}
# Writes that no public page shows: they must not empty the cache.
IGNORED_MODELS = {
    "core.auditevent",
    "core.auditchainhead",
    "core.scheduledjob",
    "core.generation",
    "core.apitoken",
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "django_tasks_db.dbtaskresult",
    "monitoring.monitorrun",
    # Sent by anyone without an account: a pending comment or an error report shows nowhere
    # public. What does show (a comment published or taken down) bumps explicitly, through
    # bump_after_commit(). Opt-out requests are not here: the public page counts them.
    "transparency.consultationcomment",
    "transparency.recorderrorreport",
    # Reports from outside, appeal steps and look-ups: no public page shows them (the public
    # appeal figures come from the appeals themselves, which do bump).
    "feedback.report",
    "feedback.reportevent",
    "remedy.publicattempt",
    "remedy.appealevent",
}
# The query parameters the cached pages read; a request with any other is served uncached, so
# made-up query strings cannot fill the cache with copies.
PARAMETERS = {"q", "agency", "country", "sector", "high_impact", "stage", "sort", "page"}
PARAMETERS |= {"format", "lang"}
# Bodies larger than this are not kept (the JSON register of 10,000 systems is ~25 MB).
MAX_BODY = 64 * 1024 * 1024
log = logging.getLogger("ombuds.cache")


def _private_cookies() -> set[str]:
    return {settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE_NAME", "messages")}


def current() -> int:
    row = Generation.objects.filter(name=NAME).values_list("value", flat=True).first()
    return row or 0


def bump() -> None:
    """Runs after a commit: a failure is logged, never raised, so that the other after-commit
    work (alert e-mails, queued audits) still runs. Pages then age out within the TTL."""
    try:
        if not Generation.objects.filter(name=NAME).update(value=F("value") + 1):
            Generation.objects.get_or_create(name=NAME, defaults={"value": 1})
    except Exception:
        log.exception("could not move the public-page generation on")


def bump_after_commit() -> None:
    """Move the generation on once the current transaction commits (at once outside one): a
    page rendered from the old data is never stored under the new number. One move per
    transaction, however many rows it writes. For writes to an IGNORED_MODELS model that do
    change a public page."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(bump, robust=True)


def _changed(sender, **kwargs):
    meta = sender._meta
    if (
        kwargs.get("raw")
        or meta.apps is not global_apps  # a migration's historical model
        or not meta.app_config.name.startswith("ombuds.")
        or meta.label_lower in IGNORED_MODELS
    ):
        return
    bump_after_commit()


def connect() -> None:
    post_save.connect(_changed, dispatch_uid="public-cache-save")
    post_delete.connect(_changed, dispatch_uid="public-cache-delete")


def _directives(response) -> list[str]:
    return [d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")]


class PublicCacheMiddleware:
    """Serves a stored copy when there is one (process_view) and stores fresh public pages on the
    way out (after every inner middleware added its headers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_public_cache_key", None)
        if (
            key is not None
            and response.get("X-Ombuds-Cache") != "hit"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            # A page that asked for a CSRF token or wrote to the session is someone's own (a
            # visitor with a session cookie is never served nor stored: see process_view).
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not getattr(getattr(request, "session", None), "modified", False)
            and not {"private", "no-store"} & set(_directives(response))
            and len(response.content) <= MAX_BODY
        ):
            response["X-Ombuds-Cache"] = "miss"
            # Stored as plain data (status, headers, body): pickling the response object itself
            # carried whatever the view and the middleware had hung on it.
            stored = (response.status_code, list(response.items()), response.content)
            cache.set(key, stored, settings.OMBUDS_PUBLIC_CACHE)
        return response

    def process_view(self, request, view, args, kwargs):
        match = request.resolver_match
        if (
            not getattr(settings, "OMBUDS_PUBLIC_CACHE", 0)
            or request.method not in ("GET", "HEAD")
            or match is None
            or match.url_name not in CACHED_VIEWS
            or _private_cookies() & set(request.COOKIES)
            or not set(request.GET) <= PARAMETERS
        ):
            return None
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        request._public_cache_key = (
            "public-page:"
            + hashlib.sha256(
                # Today's date too: "open until", "overdue" change with the day, not a write.
                # Scheme and host too: the pages' absolute links follow the request's host.
                f"{current()}|{timezone.localdate()}|{language}|{request.method}|"
                f"{request.build_absolute_uri()}".encode()
            ).hexdigest()
        )
        stored = cache.get(request._public_cache_key)
        if stored is None:
            return None
        status, headers, content = stored
        hit = HttpResponse(content, status=status)
        for name, value in headers:
            hit[name] = value
        hit["X-Ombuds-Cache"] = "hit"
        return hit
