"""`ombuds export` from the command line: the document alone on standard output, missing
information per system on standard error with exit 0, --out writes the file, and bad usage
(an unknown agency or format) exits 2 with one line naming it."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ombuds.__main__ import main
from tests.transparency.helpers import FIELDS, publish


@pytest.fixture
def published(world):
    publish(world.system_a, world.users["system_owner"], world.lead)
    publish(world.system_b, world.admin, world.other_lead)
    return world


def run(capsys, *args):
    code = main(["export", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("fmt", ["json", "atrs", "eu-annex-viii-c", "nl-register", "eurocities"])
def test_stdout_holds_the_json_document_alone(published, capsys, fmt):
    code, out, err = run(capsys, "--format", fmt)
    assert code == 0, err
    doc = json.loads(out)  # nothing but the document
    assert "Alpha" in out and "Beta" in out
    assert isinstance(doc, dict)


def test_missing_information_goes_to_stderr_per_system_and_exits_0(published, capsys):
    code, out, err = run(capsys, "--format", "omb-2025", "--agency", "agency-a")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert [r["use_case_name"] for r in rows] == ["Alpha"]  # agency A only
    lines = [line for line in err.splitlines() if line.startswith("missing:")]
    assert lines and all(f"system {published.system_a.pk} (Alpha)" in line for line in lines)
    assert any("agency_bureau" in line for line in lines)
    assert "missing" not in out


def test_missing_report_as_json(published, capsys):
    code, out, err = run(capsys, "--format", "atrs", "--report", "json")
    assert code == 0
    report = json.loads(err)
    assert report["records"] == 2
    systems = {m["system"] for m in report["missing"]}
    assert systems == {published.system_a.pk, published.system_b.pk}
    assert all({"system", "field", "message"} <= set(m) for m in report["missing"])


def test_out_writes_the_file_and_stdout_stays_empty(published, capsys, tmp_path):
    target = tmp_path / "register.json"
    code, out, err = run(capsys, "--format", "nl-register", "--out", str(target))
    assert code == 0 and out == ""
    doc = json.loads(target.read_text(encoding="utf-8"))
    names = [r["name"] for r in doc["registrations"]]
    assert sorted(names) == ["Alpha", "Beta"]
    assert str(target) in err


def test_unknown_agency_exits_2_naming_it(published, capsys):
    code, out, err = run(capsys, "--format", "json", "--agency", "no-such-agency")
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ombuds: ")
    assert "no-such-agency" in lines[0] and "Traceback" not in err


def test_unknown_format_exits_2_in_one_line(published, capsys):
    code, out, err = run(capsys, "--format", "ods")
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "'ods'" in lines[0]


def test_out_into_a_missing_folder_exits_2(published, capsys, tmp_path):
    code, out, err = run(capsys, "--format", "csv", "--out", str(tmp_path / "nope" / "x.csv"))
    assert code == 2 and "does not exist" in err and "Traceback" not in err


def test_a_draft_that_was_never_published_is_not_exported(world, capsys):
    from ombuds.transparency import services

    services.save_draft(world.users["system_owner"], world.system_a, FIELDS)
    code, out, err = run(capsys, "--format", "eurocities")
    assert code == 0
    assert json.loads(out)["records"] == []


@pytest.mark.parametrize("option", ["--agency", "--out"])
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_agency_or_out_is_bad_usage(published, capsys, option, value):
    """An empty --agency would export every agency; an empty --out would write to stdout."""
    code, out, err = run(capsys, "--format", "json", option, value)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ombuds: ") and option in lines[0]
