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
}
PRIVATE_COOKIES = {"sessionid", "messages"}


def current() -> int:
    row = Generation.objects.filter(name=NAME).values_list("value", flat=True).first()
    return row or 0


def bump() -> None:
    if not Generation.objects.filter(name=NAME).update(value=F("value") + 1):
        Generation.objects.get_or_create(name=NAME, defaults={"value": 1})


def bump_after_commit() -> None:
    """Move the generation on once the current transaction commits (at once outside one): a
    page rendered from the old data is never stored under the new number. One move per
    transaction, however many rows it writes. For writes to an IGNORED_MODELS model that do
    change a public page."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(bump)


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
            and not request.META.get("CSRF_COOKIE_USED")
            and "private" not in response.get("Cache-Control", "")
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
            or PRIVATE_COOKIES & set(request.COOKIES)
        ):
            return None
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        request._public_cache_key = (
            "public-page:"
            + hashlib.sha256(
                # Today's date too: "open until", "overdue" change with the day, not a write.
                f"{current()}|{timezone.localdate()}|{language}|{request.method}|"
                f"{request.get_full_path()}".encode()
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
