"""The ombuds command: usage errors exit 2 in one line, never a traceback; production start-up
refuses a missing or weak secret key."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command


def ombuds(*args, env=None, stdin=None, cwd=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("OMBUDS_")}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ombuds", *args],
        capture_output=True,
        text=True,
        env=base,
        input=stdin,
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture
def data_dir(tmp_path):
    return {"OMBUDS_DATA_DIR": str(tmp_path)}


@pytest.mark.parametrize(
    "args,words",
    [
        (["frobnicate"], "unknown command"),
        (["createuser"], "username"),
        (["createuser", "x", "--role", "boss"], "invalid choice"),
        (["token"], "required"),
        (["serve", "--port", "many"], "invalid int value"),
        (["auditlog", "check"], "invalid choice"),
    ],
)
def test_misuse_exits_2_with_one_line(args, words, data_dir, tmp_path):
    result = ombuds(*args, env=data_dir, cwd=tmp_path)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert words in lines[0]


def test_help_lists_the_commands(tmp_path):
    result = ombuds("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ["serve", "migrate", "demo", "createuser", "token", "auditlog", "backup"]:
        assert command in result.stdout


def test_production_mode_without_a_secret_key_refuses_to_start(data_dir, tmp_path):
    result = ombuds("check", env={**data_dir, "OMBUDS_DEBUG": "0"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "OMBUDS_SECRET_KEY is not set" in result.stderr and "Traceback" not in result.stderr


def test_production_mode_with_a_weak_key_refuses_to_start(data_dir, tmp_path):
    result = ombuds(
        "check", env={**data_dir, "OMBUDS_DEBUG": "0", "OMBUDS_SECRET_KEY": "secret"}, cwd=tmp_path
    )
    assert result.returncode == 2 and "too weak" in result.stderr


def test_production_mode_sets_secure_cookies(data_dir, tmp_path):
    key = "k" * 20 + "Q9x!z" + "m" * 30
    result = ombuds(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG)",
        env={
            **data_dir,
            "OMBUDS_DEBUG": "0",
            "OMBUDS_SECRET_KEY": key,
            "OMBUDS_ALLOWED_HOSTS": "ombuds.example.org",
        },
        cwd=tmp_path,
    )
    assert result.stdout.split() == ["True", "True", "False"], result.stderr


def test_a_bad_database_url_is_a_one_line_error(data_dir, tmp_path):
    result = ombuds(
        "migrate", env={**data_dir, "OMBUDS_DATABASE_URL": "nosuchdb://x"}, cwd=tmp_path
    )
    assert result.returncode == 2 and "OMBUDS_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_set_up_from_nothing_with_the_commands(data_dir, tmp_path):
    """A fresh SQLite database under the data directory: migrate, agency, user, token, verify."""
    assert ombuds("migrate", env=data_dir, cwd=tmp_path).returncode == 0
    assert (tmp_path / "ombuds.sqlite3").exists()
    created = ombuds(
        "agency",
        "create",
        "tax",
        "--name",
        "Tax Office",
        "--country",
        "NZ",
        env=data_dir,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    again = ombuds("agency", "create", "tax", "--name", "Tax Office", env=data_dir, cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    user = ombuds(
        "createuser",
        "ana",
        "--agency",
        "tax",
        "--role",
        "governance_lead",
        "--password-stdin",
        env=data_dir,
        stdin="a long enough passphrase\n",
        cwd=tmp_path,
    )
    assert user.returncode == 0, user.stderr
    token = ombuds("token", "create", "ana", env=data_dir, cwd=tmp_path)
    assert token.returncode == 0
    assert token.stdout.strip().startswith("omb_") and len(token.stdout.strip().splitlines()) == 1
    verify = ombuds("auditlog", "verify", "--format", "json", env=data_dir, cwd=tmp_path)
    assert verify.returncode == 0 and '"ok": true' in verify.stdout


@pytest.mark.django_db
def test_createuser_in_process_rejects_an_unknown_agency():
    with pytest.raises(Exception) as err:
        call_command(
            "createuser",
            "bo",
            "--agency",
            "nowhere",
            "--role",
            "viewer",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert "no agency 'nowhere'" in str(err.value)
