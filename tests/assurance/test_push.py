"""`ombuds push` sends a result written by an engine command to a running Ombuds, which keeps it
as evidence for the system."""

from __future__ import annotations

import json

import pytest

from .conftest import run_ombuds


@pytest.mark.django_db(transaction=True)
def test_push_of_an_audit_makes_the_bias_audit_control_met(
    live_server, tmp_path, make_user, make_system
):
    from ombuds.core.models import Agency, ApiToken
    from ombuds.evaluations.models import Evaluation
    from ombuds.registry import lifecycle

    agency = Agency.objects.create(slug="agency-a", name="Agency A", country="CA")
    assessor = make_user("assessor", agency, "assessor")
    system = make_system(
        agency,
        "Benefit triage",
        protected_characteristics=[
            {"id": "sex_gender", "collected": True, "why_not": "", "alternative": ""}
        ],
    )

    def bias_audit_state():
        system.refresh_from_db()
        return next(s for s in lifecycle.gate(system, "pilot") if s.id == "evaluations.bias-audit")

    assert bias_audit_state().state == "unmet"

    log = tmp_path / "log.csv"
    lines = ["sex,outcome,decision"]
    for i in range(200):
        lines.append(f"{'F' if i % 2 else 'M'},{i % 3 == 0:d},{i % 3 == 0:d}")
    log.write_text("\n".join(lines) + "\n")
    audit = run_ombuds(
        "audit",
        str(log),
        "--label",
        "outcome",
        "--prediction",
        "decision",
        "--protected",
        "sex",
        "--out",
        str(tmp_path / "audit.json"),
        cwd=tmp_path,
    )
    assert audit.returncode == 0, audit.stderr

    _token, raw = ApiToken.issue(assessor)
    pushed = run_ombuds(
        "push",
        str(system.pk),
        str(tmp_path / "audit.json"),
        "--url",
        live_server.url,
        "--token",
        raw,
        cwd=tmp_path,
    )
    assert pushed.returncode == 0, pushed.stderr
    answer = json.loads(pushed.stdout)
    evaluation = Evaluation.objects.get()
    assert answer["id"] == evaluation.pk and answer["kind"] == "bias_audit"
    assert answer["covers"] == ["sex_gender"]
    assert answer["url"] == f"{live_server.url}/systems/{system.pk}/evaluations/{evaluation.pk}/"
    assert evaluation.result == json.loads((tmp_path / "audit.json").read_text())
    assert evaluation.created_by == assessor and evaluation.source == "api"
    # The evidence names the exact data it was computed on, and the engine that computed it.
    import hashlib

    expected = "sha256:" + hashlib.sha256(log.read_bytes()).hexdigest()
    assert (evaluation.data_fingerprint, evaluation.fingerprint_of) == (expected, "engine")
    assert evaluation.engine_version == answer["engine_version"] and evaluation.engine_version
    assert bias_audit_state().state == "met"


@pytest.mark.django_db(transaction=True)
def test_push_names_what_the_server_refused(live_server, tmp_path, make_user, make_system):
    from ombuds.core.models import Agency, ApiToken

    agency = Agency.objects.create(slug="agency-a", name="Agency A", country="CA")
    viewer = make_user("viewer", agency, "viewer")
    system = make_system(agency)
    result_file = tmp_path / "audit.json"
    result_file.write_text(json.dumps({"schema": "ombuds.audit/1", "groups": []}))
    _token, raw = ApiToken.issue(viewer)
    result = run_ombuds(
        "push", str(system.pk), str(result_file), "--url", live_server.url, "--token", raw
    )
    assert result.returncode == 2
    assert "the server refused the result (403)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_push_refuses_what_is_not_an_engine_result(tmp_path):
    bogus = tmp_path / "x.json"
    bogus.write_text("[1, 2]")
    result = run_ombuds("push", "1", str(bogus), "--url", "http://127.0.0.1:9", "--token", "t")
    assert result.returncode == 2 and "not an Ombuds engine result" in result.stderr


def test_push_takes_url_and_token_from_the_environment(tmp_path):
    result = run_ombuds("push", "1", str(tmp_path / "none.json"))
    assert result.returncode == 2 and "OMBUDS_URL" in result.stderr
    result = run_ombuds(
        "push",
        "1",
        str(tmp_path / "none.json"),
        env={"OMBUDS_URL": "http://127.0.0.1:9", "OMBUDS_TOKEN": "t"},
    )
    assert result.returncode == 2 and "file not found" in result.stderr
