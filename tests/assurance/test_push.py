"""`ombuds push` sends an engine result to a running Ombuds; until the server has an evaluations
endpoint it says so plainly instead of failing obscurely."""

from __future__ import annotations

import json

import pytest

from .conftest import run_ombuds


@pytest.mark.django_db(transaction=True)
def test_push_reports_that_the_server_does_not_accept_evaluations_yet(live_server, tmp_path):
    result_file = tmp_path / "audit.json"
    result_file.write_text(json.dumps({"schema": "ombuds.audit/1", "groups": []}))
    result = run_ombuds(
        "push", "1", str(result_file), "--url", live_server.url, "--token", "x", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "does not accept evaluations yet" in result.stderr
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
