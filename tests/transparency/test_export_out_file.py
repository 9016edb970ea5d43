"""`ombuds export --out FILE` never leaves a half-written file: the document is written to a
temporary file in the same folder and renamed over the target only when complete, so a write
that fails (here: the file-size limit of the process) keeps the previous file as it was, leaves
no temporary file behind and exits 2 with one line."""

from __future__ import annotations

import json
import resource

import pytest

from ombuds.__main__ import main
from tests.transparency.helpers import publish

OLD = '{"previous": "export"}\n'


@pytest.fixture
def published(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    publish(world.system_b, world.admin, world.other_lead)
    return world


def test_a_failing_write_keeps_the_previous_file(published, capsys, tmp_path):
    target = tmp_path / "register.json"
    target.write_text(OLD, encoding="utf-8")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # The new document is larger than this limit: writing it fails part-way (EFBIG).
    resource.setrlimit(resource.RLIMIT_FSIZE, (200, hard))
    try:
        code = main(["export", "--format", "json", "--out", str(target)])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ombuds: export: --out: cannot write")
    assert "Traceback" not in err
    assert target.read_text(encoding="utf-8") == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["register.json"]


def test_a_successful_write_replaces_the_file_whole(published, capsys, tmp_path):
    target = tmp_path / "register.json"
    target.write_text(OLD, encoding="utf-8")
    target.chmod(0o640)
    assert main(["export", "--format", "json", "--out", str(target)]) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["count"] == 2
    assert target.stat().st_mode & 0o777 == 0o640  # the file keeps its permissions
    assert [p.name for p in tmp_path.iterdir()] == ["register.json"]


def test_out_naming_a_folder_exits_2_and_leaves_it(published, capsys, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    code = main(["export", "--format", "csv", "--out", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["exports"]
