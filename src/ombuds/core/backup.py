"""Complete, versioned backups: every record of Ombuds' tables, the audit chain, uploaded files.

A zip holding manifest.json (format version, Ombuds version, applied migrations, counts),
data.json (rows per table, values exactly as stored, so hashes still match) and media/.
Restore goes into an empty, migrated database and leaves the audit chain verifiable.
The pseudonymisation key is configuration, never data: it is not in a backup.
"""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from ombuds import __version__

from . import audit

FORMAT = "ombuds-backup"
VERSION = 1
SKIP_RELATED = {"auth.permission", "contenttypes.contenttype"}


class RestoreError(Exception):
    pass


def backup_models() -> list[type[models.Model]]:
    """Ombuds' own apps (those whose AppConfig sets ombuds_backup) plus users and groups."""
    chosen = []
    labels = ["auth"] + [
        c.label for c in apps.get_app_configs() if getattr(c, "ombuds_backup", False)
    ]
    for label in labels:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            related = {
                f.related_model._meta.label_lower
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not None
            }
            if model._meta.label_lower in SKIP_RELATED or related & SKIP_RELATED:
                continue
            chosen.append(model)
    return _dependency_order(chosen)


def _dependency_order(chosen):
    names = {m._meta.label_lower: m for m in chosen}
    ordered: list = []
    seen: set = set()

    def visit(model):
        label = model._meta.label_lower
        if label in seen:
            return
        seen.add(label)
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if target is not None and target is not model and target._meta.label_lower in names:
                visit(target)
        ordered.append(model)

    for model in chosen:
        visit(model)
    return ordered


def _encode(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _rows(model) -> list[dict]:
    fields = [f.attname for f in model._meta.concrete_fields]
    return [
        {k: _encode(v) for k, v in row.items()}
        for row in model.objects.order_by("pk").values(*fields).iterator(chunk_size=2000)
    ]


def _applied_migrations() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for app, name in MigrationRecorder(connection).applied_migrations():
        found[app].append(name)
    return {k: sorted(v) for k, v in sorted(found.items())}


def write(path: str) -> dict[str, int]:
    data = {}
    with transaction.atomic():  # one consistent snapshot
        for model in backup_models():
            data[model._meta.label_lower] = _rows(model)
    media_root = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "ombuds_version": __version__,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": _applied_migrations(),
        "counts": {k: len(v) for k, v in data.items()},
        "files": len(files),
    }
    tmp = Path(path + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
        zf.writestr("data.json", json.dumps(data, ensure_ascii=False))
        for p in files:
            zf.write(p, "media/" + p.relative_to(media_root).as_posix())
    tmp.replace(path)
    return manifest["counts"]


@contextmanager
def _keep_timestamps(model_list):
    """auto_now fields would stamp restore time over the recorded times; switch them off."""
    saved = []
    for model in model_list:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def _decode(model, row: dict) -> models.Model:
    kwargs = {}
    for f in model._meta.concrete_fields:
        if f.attname not in row:
            continue
        value = row[f.attname]
        if value is not None and isinstance(
            f,
            models.DateTimeField
            | models.DateField
            | models.TimeField
            | models.DecimalField
            | models.UUIDField,
        ):
            value = f.to_python(value)
        kwargs[f.attname] = value
    return model(**kwargs)


def restore(path: str):
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise RestoreError(f"{path} is not a readable Ombuds backup ({exc})") from exc
    with zf:
        try:
            manifest = json.loads(zf.read("manifest.json"))
            data = json.loads(zf.read("data.json"))
        except (KeyError, ValueError) as exc:
            raise RestoreError(
                f"{path} is not an Ombuds backup (manifest or data missing)"
            ) from exc
        if manifest.get("format") != FORMAT:
            raise RestoreError(f"{path} is not an Ombuds backup")
        if manifest.get("version") != VERSION:
            raise RestoreError(
                f"backup format version {manifest.get('version')} is not supported "
                f"(this Ombuds reads version {VERSION})"
            )
        here = _applied_migrations()
        missing = [
            f"{app}.{name}"
            for app, names in manifest.get("migrations", {}).items()
            for name in names
            if name not in here.get(app, [])
        ]
        if missing:
            raise RestoreError(
                "the database is older than the backup: run `ombuds migrate` "
                f"(missing {', '.join(missing[:5])})"
            )
        model_list = backup_models()
        by_label = {m._meta.label_lower: m for m in model_list}
        unknown = sorted(set(data) - set(by_label))
        if unknown:
            raise RestoreError(
                f"the backup holds tables this Ombuds does not know: {', '.join(unknown)}"
            )
        from .models import AuditChainHead

        for model in model_list:
            qs = model.objects.all()
            if model is AuditChainHead:
                qs = qs.exclude(last_event_id__isnull=True)
            if qs.exists():
                raise RestoreError(
                    f"the database is not empty ({model._meta.label_lower} has rows): "
                    "restore into a new database"
                )
        counts = {}
        with transaction.atomic(), _keep_timestamps(model_list):
            AuditChainHead.objects.all().delete()
            for model in model_list:
                rows = data.get(model._meta.label_lower, [])
                model.objects.bulk_create([_decode(model, r) for r in rows], batch_size=500)
                counts[model._meta.label_lower] = len(rows)
            # Every server process drops its cached public pages once the restore commits.
            from .public_cache import bump_after_commit

            bump_after_commit()
            sql = connection.ops.sequence_reset_sql(no_style(), model_list)
            if sql:
                with connection.cursor() as cursor:
                    for statement in sql:
                        cursor.execute(statement)
        media_root = Path(settings.MEDIA_ROOT)
        for name in zf.namelist():
            if name.startswith("media/") and not name.endswith("/"):
                target = (media_root / name[len("media/") :]).resolve()
                if media_root.resolve() not in target.parents:
                    continue  # never write outside the media directory
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
    return counts, audit.verify()
