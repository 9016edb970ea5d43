"""The `ombuds` command: Django management with Ombuds' settings, and one-line errors."""

from __future__ import annotations

import os
import sys

HELP = """usage: ombuds COMMAND [options]   (ombuds COMMAND --help for each)

The assurance engine (no database needed):
  audit               bias audit of a decision log (CSV, Parquet, DuckDB)
  representativeness  data against population shares, and data quality
  verify-claim        check a vendor's performance claim on local data
  drift               data drift between a reference and a current table
  push                send an engine result to a running Ombuds
  aia score           score a Canadian Algorithmic Impact Assessment results file

Running Ombuds:
  serve        serve the web app and API (gunicorn + whitenoise)
  migrate      create or upgrade the database
  demo         load demo agencies, systems and users (idempotent)
  agency       agency create SLUG --name NAME [--country CC]
  createuser   createuser USERNAME --agency SLUG --role ROLE [--superuser] [--password-stdin]
  token        token create USERNAME  (prints only the token)
  auditlog     auditlog verify  (exit 1 if the chain is broken)
  backup       backup FILE       restore FILE
  worker       run the scheduler (due monitors, deadlines) and the task queue
  monitor      monitor run SYSTEM_ID  (run a system's monitors now)
  export       export --format omb-2025|atrs|eu-annex-viii-c|nl-register|eurocities|json|csv
  purge        purge [--dry-run]  (personal details of closed appeals past retention)

Every Django management command works too (ombuds help --commands).
"""


ENGINE_COMMANDS = {"audit", "representativeness", "verify-claim", "drift", "push", "aia"}


def _fail(message: str, code: int = 2) -> int:
    print(f"ombuds: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(HELP)
        return 0
    if argv[0] in ENGINE_COMMANDS:
        # The engine needs no database, secret key or environment: no Django at all.
        from ombuds.assurance.cli import main as engine_main

        return engine_main(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        return _fail(str(exc))
    from django.core.management import execute_from_command_line, get_commands

    command = argv[0]
    if command not in get_commands() and command not in {"help", "version", "--version"}:
        return _fail(f"unknown command '{command}' (ombuds --help lists them)")
    if command == "migrate" and "--noinput" not in argv and "--no-input" not in argv:
        argv.append("--noinput")
    try:
        execute_from_command_line(["ombuds", *argv])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for a user; OMBUDS_TRACEBACK=1 shows it
        if os.environ.get("OMBUDS_TRACEBACK"):
            raise
        return _fail(f"{command} failed: {type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
