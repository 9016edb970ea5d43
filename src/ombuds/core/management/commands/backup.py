from ombuds.core import backup
from ombuds.core.cli import OmbudsCommand


class Command(OmbudsCommand):
    help = (
        "Write a complete, versioned backup (records, audit log and uploaded files) to FILE (.zip)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **opts):
        try:
            counts = backup.write(file)
        except OSError as exc:
            raise self.fail(f"cannot write {file}: {exc.strerror or exc}") from exc
        total = sum(counts.values())
        self.stderr.write(f"backed up {total} records from {len(counts)} tables to {file}")
