"""ombuds export: the public register in each public standard's format.

Standard output holds the document alone (unless --out); what a standard asks for that the
published records do not hold is reported on standard error, per system, and the command still
exits 0 (findings are data, not errors). Bad usage exits 2 with one line."""

from __future__ import annotations

import json
import os
import sys
import tempfile
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
        if agency is not None:
            if not agency.strip():
                raise self.fail("export: --agency: give an agency slug (it was empty)")
            target = Agency.objects.filter(slug=agency).first()
            if target is None:
                raise self.fail(f"export: no agency '{agency}' (ombuds agency list shows them)")
        if out is not None and not out.strip():
            raise self.fail("export: --out: give a file name (it was empty)")
        path = Path(out) if out is not None else None
        if path is not None and not path.parent.exists():
            raise self.fail(f"export: --out: the folder {path.parent} does not exist")
        export = exports.build(format, target, base_url())
        if path is not None:
            try:
                write_atomically(path, export.content)
            except OSError as exc:
                why = exc.strerror or str(exc)
                raise self.fail(f"export: --out: cannot write {path}: {why}") from exc
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


def write_atomically(path: Path, content: str) -> None:
    """Write `content` to a temporary file in the target's folder, flush and fsync it, then
    rename it over the target: a failed write leaves the previous file whole, and no half file
    (the temporary file is removed on any error)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
