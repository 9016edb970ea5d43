from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import ROLE_CHOICES

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1d4ed8."))
country_validator = RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO country code, e.g. CA."))


class Agency(models.Model):
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[country_validator]
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent agency"),
    )
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1f3a5f", validators=[colour_validator]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.role} @ {self.agency.slug}"


def hash_token(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: nobody can guess a preimage.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    PREFIX = "omb_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=hash_token(raw)), raw


class AuditEvent(models.Model):
    """One link of the append-only, hash-chained audit log.

    Users and agencies are PROTECTed: deleting a row the chain names would silently change what
    the chain proves. Actor and agency are also copied as text so the record reads on its own.
    """

    time = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The newest link of the chain. Locked while appending, and lets verify notice a deleted tail."""

    last_event_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"chain head at event {self.last_event_id}"


class ScheduledJob(models.Model):
    """When a periodic job registered with `core.scheduler` last ran and next runs. The row lock
    taken while it runs keeps two workers from running the same job at once."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A worker that dies mid-run leaves its lease behind; after it expires another takes over.
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Generation(models.Model):
    """A counter that moves on with every change a cached page could show (the public pages'
    cache keys carry it), shared by every server process through the database."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.value}"
