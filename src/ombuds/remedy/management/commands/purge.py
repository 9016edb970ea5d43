import json
import sys

from ombuds.core.cli import OmbudsCommand
from ombuds.remedy import services


class Command(OmbudsCommand):
    help = (
        "purge [--dry-run]: remove the personal details (contact details, grounds, notes) of "
        "closed appeals past their agency's retention period, and the case reference, outcome, "
        "factors and person hash of notices past their appeal window and retention; open cases "
        "are never purged, only listed; statistics are kept and the purge "
        "is recorded in the audit log (counts and case references only)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be purged; change nothing"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, dry_run=False, format="text", **opts):
        result = services.purge(dry_run=dry_run)
        if format == "json":
            self.stdout.write(json.dumps(result))
            return
        verb = "would purge" if dry_run else "purged"
        self.stdout.write(f"{verb} {result['purged']} closed appeal(s)")
        for ref in result["references"]:
            self.stdout.write(f"  {ref}")
        self.stdout.write(f"{verb} {result['notices_purged']} notice(s) past their appeal window")
        for ref in result["notice_references"]:
            self.stdout.write(f"  {ref}")
        if result["open_past_retention"]:
            # Open cases are never purged: someone must close or withdraw them first.
            self.stdout.write(
                f"open past retention (never purged): {len(result['open_past_retention'])}"
            )
            for ref in result["open_past_retention"]:
                self.stdout.write(f"  {ref}")
        if dry_run:
            print("dry run: nothing was changed", file=sys.stderr)
