from ombuds.core import backup
from ombuds.core.cli import OmbudsCommand


class Command(OmbudsCommand):
    help = "Restore a backup made by `ombuds backup` into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **opts):
        try:
            counts, verified = backup.restore(file)
        except backup.RestoreError as exc:
            raise self.fail(str(exc)) from exc
        self.stderr.write(
            f"restored {sum(counts.values())} records; audit log "
            + ("intact" if verified.ok else f"BROKEN at event {verified.broken_event_id}")
            + f" ({verified.checked} events)"
        )
        if not verified.ok:
            raise SystemExit(1)
