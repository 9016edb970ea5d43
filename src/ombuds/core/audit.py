"""The tamper-evident audit log: an append-only hash chain.

Each event's hash is SHA-256 over a canonical JSON of every other field and the previous hash;
ids are consecutive, and a one-row head records the newest link, so an edited, a deleted or a
truncated event is found by `verify()`. Events hold references only, never personal data of
members of the public.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    """What the database will give back: the form that is hashed must be the form that is stored."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _time_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "time": _time_text(event.time),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "agency_id": event.agency_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "changes": event.changes,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event_fields(event))).hexdigest()


def _head_for_update() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # A flushed database (e.g. between browser tests) has no head yet.
        head = AuditChainHead.objects.create(pk=1, last_event_id=None, last_hash="")
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def record(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    agency=None,
    changes: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction that makes the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    head = _head_for_update()
    event = AuditEvent(
        id=(head.last_event_id or 0) + 1,
        time=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(
            actor.get_username() if actor is not None and actor.is_authenticated else "system"
        ),
        agency=agency,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(
            object_repr if object_repr is not None else str(obj) if obj is not None else ""
        )[:200],
        changes=_jsonable(changes or {}),
        prev_hash=head.last_hash or GENESIS,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    head.last_event_id = event.pk
    head.last_hash = event.hash
    head.save(update_fields=["last_event_id", "last_hash"])
    return event


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, date | datetime | Decimal):
            value = _jsonable(value)
        out[name] = value
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Changed fields as {"field": {"from": old, "to": new}}."""
    return {
        name: {"from": _jsonable(before.get(name)), "to": _jsonable(after.get(name))}
        for name in after
        if _jsonable(before.get(name)) != _jsonable(after.get(name))
    }


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str = ""


def verify() -> VerifyResult:
    """Walk the whole chain; report the first event that does not hold."""
    expected_prev = GENESIS
    expected_id: int | None = None
    checked = 0
    last_id = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if expected_id is not None and event.pk != expected_id:
            return VerifyResult(
                False,
                checked,
                expected_id,
                f"event {expected_id} is missing (next found: {event.pk})",
            )
        if event.prev_hash != expected_prev:
            reason = (
                "the chain does not start at its first event (earlier events were deleted)"
                if expected_id is None
                else "its previous-hash does not match the event before it"
            )
            return VerifyResult(False, checked, event.pk, reason)
        if compute_hash(event) != event.hash:
            return VerifyResult(
                False, checked, event.pk, "its content does not match its hash (altered)"
            )
        expected_prev = event.hash
        expected_id = event.pk + 1
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_id = head.last_event_id if head else None
    head_hash = head.last_hash if head else ""
    if (head_id or None) != last_id or (head_hash or GENESIS) != expected_prev:
        missing = (last_id or 0) + 1
        return VerifyResult(
            False,
            checked,
            head_id or missing,
            f"the newest event recorded by the chain head ({head_id}) is missing or differs",
        )
    return VerifyResult(True, checked)
