"""Writing audit events. Every state change calls ``audit_record`` inside its own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from treem.audit import context
from treem.audit.models import AuditChainHead, AuditEvent
from treem.core.cache import data_changed

REDACTED = "••••"
GENESIS_HASH = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


class Redacted(str):
    """A secret in a snapshot: written as ``••••``, compared by a digest kept in memory only.

    Two snapshots of a changed secret differ, so ``diff`` records that it changed (``["••••",
    "••••"]``) without the text ever reaching the event (JSON writes the string, not the digest).
    """

    def __new__(cls, value: Any) -> Redacted:
        self = super().__new__(cls, REDACTED)
        self.digest = hashlib.sha256(json.dumps(_plain(value), default=str).encode()).digest()
        return self

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Redacted):
            return self.digest == other.digest
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = str.__hash__


def redacted_fields(model: type[models.Model] | models.Model) -> set[str]:
    """Fields never written into audit events: the model's ``audit_redact_fields`` and every field
    encrypted at rest (a field class with ``encrypted_at_rest = True``, such as
    ``cases.encryption.EncryptedTextField``), listed or not."""
    names = set(getattr(model, "audit_redact_fields", ()))
    names.update(f.name for f in model._meta.concrete_fields if getattr(f, "encrypted_at_rest", False))
    return names


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-safe data, secrets redacted."""
    redact = redacted_fields(obj)
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in ("created_at", "updated_at", "password"):
            continue
        value = getattr(obj, field.attname)
        secret = field.name in redact and value not in (None, "")
        data[field.name] = Redacted(value) if secret else _plain(value)
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Field-level changes ``{field: [old, new]}`` between two snapshots."""
    before = before or {}
    after = after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _event_payload(event: AuditEvent) -> str:
    return json.dumps(
        {
            "at": event.at.isoformat(),
            "actor": event.actor_id,
            "actor_label": event.actor_label,
            "action": event.action,
            "content_type": event.content_type_id,
            "object_id": event.object_id,
            "object_label": event.object_label,
            "unit": event.unit_id,
            "changes": event.changes,
            "reason": event.reason,
            "ip": event.ip_address,
            "request_id": event.request_id,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _event_payload(event)).encode()).hexdigest()


def _unit_of(obj: models.Model | None):
    """The unit that owns ``obj``, for scoping the event (None when it has none)."""
    if obj is None:
        return None
    from treem.geo.models import Unit

    if isinstance(obj, Unit):
        return obj
    getter = getattr(obj, "audit_unit", None)
    if callable(getter):
        return getter()
    return getattr(obj, "unit", None) if isinstance(getattr(obj, "unit", None), Unit) else None


# Events that record a reading, not a change: they leave the shared cache's figures as they are.
READ_ACTIONS = ("viewed", "downloaded", "exported")


def audit_record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    unit=None,
    object_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``actor`` is the acting user (None for the system). ``action`` is ``"<entity>.<verb>"``.
    """
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _created = AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        ctx = context.current()
        actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
        event = AuditEvent(
            at=timezone.now(),
            actor=actor_obj,
            actor_label=actor_obj.get_username() if actor_obj else "system",
            action=action,
            content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_label=(object_label if object_label is not None else str(obj) if obj is not None else "")[
                :255
            ],
            unit=unit if unit is not None else _unit_of(obj),
            changes=_plain_changes(changes or {}),
            reason=reason,
            ip_address=ctx.ip_address,
            request_id=ctx.request_id,
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(head.last_hash, event)
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_event_id=event.pk, last_hash=event.hash)
        if not action.rsplit(".", 1)[-1].endswith(READ_ACTIONS):
            # Every write is audited here: the shared cache's figures are stale from this commit on.
            data_changed()
        return event


def _plain_changes(changes: dict[str, Any]) -> dict[str, Any]:
    # A JSON round trip makes the stored value identical to what is hashed on verification.
    return json.loads(json.dumps(changes, default=_plain, ensure_ascii=False))


def audit_view(actor, obj: models.Model, *, reason: str = "") -> AuditEvent:
    """Record that ``actor`` viewed a sensitive record."""
    opts = obj._meta
    return audit_record(actor, f"{opts.app_label}.{opts.model_name}.viewed", obj, reason=reason)
