"""ombuds export: the public register in each public standard's format.

Standard output holds the document alone (unless --out); what a standard asks for that the
published records do not hold is reported on standard error, per system, and the command still
exits 0 (findings are data, not errors). Bad usage exits 2 with one line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError

from ombuds.core.cli import OmbudsCommand
from ombuds.core.models import Agency
from ombuds.transparency import exports
from ombuds.transparency.exports.source import base_url


class Command(OmbudsCommand):
    help = (
        "export --format omb-2025|atrs|eu-annex-viii-c|nl-register|eurocities|json|csv "
        "[--agency SLUG] [--out FILE] [--report text|json]: the published public records in a "
        "public standard's format"
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=list(exports.FORMATS))
        parser.add_argument("--agency", default=None, help="only this agency's records (slug)")
        parser.add_argument("--out", default=None, help="write the document to FILE")
        parser.add_argument(
            "--report",
            choices=["text", "json"],
            default="text",
            help="how missing information is reported on standard error",
        )

    def execute(self, *args, **options):
        """From the command line, a usage error is one line, `ombuds: ...`, and exit 2."""
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if not self._called_from_command_line:
                raise
            print(f"ombuds: {exc}", file=sys.stderr)
            sys.exit(exc.returncode)

    def handle(self, *args, format, agency, out, report, **opts):
        target = None
        if agency:
            target = Agency.objects.filter(slug=agency).first()
            if target is None:
                raise self.fail(f"export: no agency '{agency}' (ombuds agency list shows them)")
        path = Path(out) if out else None
        if path is not None and not path.parent.exists():
            raise self.fail(f"export: --out: the folder {path.parent} does not exist")
        export = exports.build(format, target, base_url())
        if path is not None:
            encoding = "utf-8"
            try:
                path.write_text(export.content, encoding=encoding, newline="")
            except OSError as exc:
                raise self.fail(f"export: --out: cannot write {path}: {exc.strerror}") from exc
        else:
            self.stdout.write(export.content, ending="" if export.content.endswith("\n") else "\n")
        self._report(export, report, path)

    def _report(self, export, report, path) -> None:
        if report == "json":
            self.stderr.write(
                json.dumps(
                    {
                        "schema": "ombuds.export-report/1",
                        "format": export.format,
                        "records": export.count,
                        "missing": export.missing,
                        "warnings": export.warnings,
                    },
                    ensure_ascii=False,
                )
            )
            return
        for warning in export.warnings:
            self.stderr.write(f"warning: {warning}")
        for entry in export.missing:
            self.stderr.write(
                f"missing: system {entry['system']} ({entry['name']}): "
                f"{entry['field']}: {entry['message']}"
            )
        systems = len({e["system"] for e in export.missing})
        where = f" to {path}" if path else ""
        self.stderr.write(
            f"exported {export.count} published records as {export.format}{where}; "
            f"{len(export.missing)} missing items in {systems} records"
        )
