"""Backups are complete and versioned; restore into an empty database gives the same records and
an intact audit chain. Demo data load twice gives the same counts."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from ombuds.core import audit, backup
from ombuds.core.models import AuditEvent
from ombuds.registry.models import AISystem, Attachment
from ombuds.registry.services import add_attachment


def snapshot():
    return {m._meta.label_lower: backup._rows(m) for m in backup.backup_models()}


def wipe():
    for model in reversed(backup.backup_models()):
        model.objects.all()._raw_delete(model.objects.db)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_demo_is_idempotent():
    from django.contrib.auth import get_user_model

    first, _ = run("demo")
    counts = (
        AISystem.objects.count(),
        get_user_model().objects.count(),
        AuditEvent.objects.count(),
    )
    second, _ = run("demo")
    assert (
        AISystem.objects.count(),
        get_user_model().objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    assert "password" not in second.lower() or "governance-lead" not in second
    assert "governance-lead" in first
    assert counts[0] >= 10
    assert AISystem.objects.values("agency__country").distinct().count() == 3
    assert set(AISystem.objects.values_list("stage", flat=True)) >= {
        "design",
        "development",
        "procurement",
        "pilot",
        "deployed",
        "suspended",
        "decommissioned",
    }


@pytest.mark.django_db
def test_backup_restore_round_trip(tmp_path, settings):
    run("demo")
    system = AISystem.objects.first()
    lead = system.created_by
    add_attachment(
        lead, system, "data", SimpleUploadedFile("card.md", b"# Data card\n", "text/markdown")
    )
    before = snapshot()
    target = tmp_path / "ombuds.zip"
    run("backup", str(target))
    with zipfile.ZipFile(target) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "ombuds-backup" and manifest["version"] == 1
        assert any(n.startswith("media/attachments/") for n in zf.namelist())
    wipe()
    media = settings.MEDIA_ROOT
    for f in sorted(media.rglob("*"), reverse=True):
        f.unlink() if f.is_file() else f.rmdir()
    assert AISystem.objects.count() == 0
    run("restore", str(target))
    assert snapshot() == before
    assert audit.verify().ok
    restored = Attachment.objects.get()
    assert restored.file.read() == b"# Data card\n"
    # New records after a restore continue the chain and the id sequences.
    from ombuds.registry.services import create_system

    new = create_system(
        lead, system.agency, {"name": "After", "short_description": "x", "sector": "other"}
    )
    assert new.pk > max(r["id"] for r in before["registry.aisystem"])
    assert audit.verify().ok


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    run("demo")
    target = tmp_path / "b.zip"
    run("backup", str(target))
    with pytest.raises(Exception) as err:
        run("restore", str(target))
    assert "not empty" in str(err.value)


def test_restore_refuses_what_is_not_a_backup(tmp_path, db):
    bogus = tmp_path / "x.zip"
    bogus.write_text("hello")
    with pytest.raises(Exception) as err:
        run("restore", str(bogus))
    assert "not a readable Ombuds backup" in str(err.value)
